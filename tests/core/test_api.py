"""The HTTP API: health, sign-in, problem responses, read-your-writes, conflicts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.directory import Role
from projections.registry import PROJECTIONS
from tests.helpers import PASSWORD, add_user, bearer


def test_healthz_reports_store_and_every_projection(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["head"] == 0
    assert {p["name"] for p in body["projections"]} == {c.name for c in PROJECTIONS}
    assert {"directory", "event_log", "intake"} <= {p["name"] for p in body["projections"]}


def test_openapi_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/departments" in paths and "/healthz" in paths


def test_write_then_read_your_write(client: TestClient, container: Container) -> None:
    add_user(container, "root", Role.ADMIN)
    auth = bearer(client, "root")
    r = client.post(
        "/api/departments",
        headers=auth,
        json={"code": "BUS", "name_ko": "버스정책과", "name_en": "Bus Policy"},
    )
    assert r.status_code == 201, r.text
    position = r.json()["position"]
    listed = client.get(f"/api/departments?after={position}").json()
    assert listed == [{"code": "BUS", "name_ko": "버스정책과", "name_en": "Bus Policy"}]
    health = client.get("/healthz").json()
    assert health["head"] == position


def test_problem_responses_are_clear(client: TestClient, container: Container) -> None:
    add_user(container, "root", Role.ADMIN)
    auth = bearer(client, "root")
    body = {"code": "BUS", "name_ko": "버스", "name_en": "Bus"}
    assert client.post("/api/departments", headers=auth, json=body).status_code == 201
    dup = client.post("/api/departments", headers=auth, json=body)
    assert dup.status_code == 409
    assert dup.headers["content-type"].startswith("application/problem+json")
    assert "already exists" in dup.json()["detail"]
    bad = client.post("/api/departments", headers=auth, json={"code": "B U S"})
    assert bad.status_code == 422 and bad.json()["title"] == "Invalid input"
    assert bad.json()["errors"]
    nobody = client.post("/api/departments", json=body)
    assert nobody.status_code == 401
    wrong = client.post("/api/auth/token", json={"username": "root", "password": "nope"})
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.json()["detail"]
    missing = client.post("/api/users/ghost/deactivate", headers=auth)
    assert missing.status_code == 404 and "ghost" in missing.json()["detail"]
    garbage = client.post(
        "/api/departments",
        headers={**auth, "content-type": "application/json"},
        content=b"{not json",
    )
    assert garbage.status_code == 422


def test_deactivated_user_loses_access(client: TestClient, container: Container) -> None:
    add_user(container, "root", Role.ADMIN)
    add_user(container, "kim", Role.OFFICIAL)
    kim = bearer(client, "kim")
    assert client.get("/api/auth/me", headers=kim).json()["role"] == "official"
    root = bearer(client, "root")
    assert client.post("/api/users/kim/deactivate", headers=root).status_code == 200
    assert client.get("/api/auth/me", headers=kim).status_code == 401
    login = client.post("/api/auth/token", json={"username": "kim", "password": PASSWORD})
    assert login.status_code == 401


def test_role_change_takes_effect(client: TestClient, container: Container) -> None:
    add_user(container, "root", Role.ADMIN)
    add_user(container, "kim", Role.OFFICIAL)
    root, kim = bearer(client, "root"), bearer(client, "kim")
    body = {"code": "X1", "name_ko": "엑스", "name_en": "X"}
    assert client.post("/api/departments", headers=kim, json=body).status_code == 403
    r = client.post("/api/users/kim/role", headers=root, json={"role": "admin"})
    assert r.status_code == 200
    assert client.post("/api/departments", headers=kim, json=body).status_code == 201
    users = client.get(f"/api/users?after={r.json()['position']}", headers=root).json()
    assert {u["username"]: u["role"] for u in users}["kim"] == "admin"


def test_audit_trail_names_who_did_it(client: TestClient, container: Container) -> None:
    add_user(container, "root", Role.ADMIN)
    add_user(container, "jung", Role.AUDITOR)
    root = bearer(client, "root")
    r = client.post(
        "/api/departments", headers=root, json={"code": "ENV", "name_ko": "환경", "name_en": "Env"}
    )
    root_id = container.directory.find_user("root").id  # type: ignore[union-attr]
    container.views.wait(r.json()["position"])
    events = client.get("/api/events?limit=5", headers=bearer(client, "jung")).json()
    assert events[0]["kind"] == "Department.Registered"
    assert events[0]["actor"] == f"user:{root_id}"
    assert client.get("/api/events", headers=root).status_code == 200
