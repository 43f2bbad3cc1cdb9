"""Every mutating route declares its roles, and only those roles get past the guard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.deps import MUTATING, roles_of
from domain.directory import Role
from tests.helpers import user_with_role


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Flatten FastAPI's lazily included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def mutating_routes(client: TestClient) -> list[tuple[str, str, frozenset[Role]]]:
    found = []
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        for method in sorted((route.methods or set()) & MUTATING):
            roles = [roles_of(d.dependency) for d in route.dependencies if d.dependency]
            declared = [r for r in roles if r is not None]
            assert declared, f"{method} {route.path} declares no roles"
            found.append((method, route.path, declared[0]))
    return found


def test_every_mutating_route_is_guarded_and_only_allowed_roles_pass(
    client: TestClient, container: Container
) -> None:
    routes = mutating_routes(client)
    assert len(routes) >= 8
    headers: dict[Role, dict[str, str]] = {Role.PUBLIC: {}}
    for role in Role:
        if role is not Role.PUBLIC:
            headers[role] = user_with_role(client, container, role)
    for method, path, allowed in routes:
        url = re.sub(r"\{[^}]+\}", "nobody-here", path)
        for role, auth in headers.items():
            response = client.request(method, url, headers=auth, json={})
            if role in allowed:
                assert response.status_code not in (401, 403), (method, path, role, response.text)
            elif role is Role.PUBLIC:
                assert response.status_code == 401, (method, path, role, response.status_code)
            else:
                assert response.status_code == 403, (method, path, role, response.status_code)
