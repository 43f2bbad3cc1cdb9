"""Request-scoped dependencies: the container, the caller, and role guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from api.bootstrap import Container
from api.security import PUBLIC, Principal, Tokens
from domain.directory import Role

SESSION_COOKIE = "smc_session"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_tokens(request: Request) -> Tokens:
    return get_container(request).tokens


ContainerDep = Annotated[Container, Depends(get_container)]


def _principal_from_token(container: Container, token: str, via: str, tokens: Tokens) -> Principal:
    user_id = tokens.read(token)
    if user_id is None:
        return PUBLIC
    user = container.directory.get_user(user_id)
    if user is None or not user.active:
        return PUBLIC
    return Principal(
        role=user.role,
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        via=via,
        token=token,
    )


def current_principal(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    container, tokens = get_container(request), get_tokens(request)
    auth = request.headers.get("authorization", "")
    principal = PUBLIC
    if auth.lower().startswith("bearer "):
        principal = _principal_from_token(container, auth[7:].strip(), "bearer", tokens)
        if not principal.signed_in:
            raise HTTPException(
                401,
                "bearer token invalid or expired; sign in again",
                headers={"WWW-Authenticate": "Bearer"},
            )
    elif cookie := request.cookies.get(SESSION_COOKIE):
        principal = _principal_from_token(container, cookie, "cookie", tokens)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def allow(*roles: Role) -> Any:
    """Guard a route: only these roles pass. Marked so tests can walk every guarded route."""
    allowed = frozenset(roles)

    async def guard(request: Request) -> Principal:
        principal = await run_in_threadpool(current_principal, request)
        if principal.role not in allowed:
            if not principal.signed_in:
                raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(403, f"this needs one of the roles: {names}")
        if principal.via == "cookie" and request.method in MUTATING:
            presented = request.headers.get("x-csrf-token")
            if presented is None and request.headers.get("content-type", "").startswith(FORMS):
                field = (await request.form()).get("csrf_token")
                presented = field if isinstance(field, str) else None
            if not get_tokens(request).csrf_ok(principal.token, presented):
                raise HTTPException(403, "missing or wrong CSRF token; reload the page")
        return principal

    guard.__smc_roles__ = allowed  # type: ignore[attr-defined]
    return Depends(guard)


def anyone() -> Any:
    """Mark a mutating route as open to everyone (it does its own checks, e.g. sign-in)."""

    def open_to_all() -> None:
        return None

    open_to_all.__smc_roles__ = frozenset(Role)  # type: ignore[attr-defined]
    return Depends(open_to_all)


def roles_of(dependency: Callable[..., Any]) -> frozenset[Role] | None:
    roles = getattr(dependency, "__smc_roles__", None)
    return roles if isinstance(roles, frozenset) else None


EVERYONE = tuple(Role)
STAFF = (Role.OFFICIAL, Role.DEPARTMENT_LEAD, Role.DESK, Role.APPROVER, Role.AUDITOR, Role.ADMIN)
