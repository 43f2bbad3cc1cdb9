"""Missing-person records leave the public view (search and person page) once their incident
has been closed for SMC_MISSING_PERSON_RETENTION_DAYS, or at their expiry date
(SMC_MISSING_PERSON_EXPIRY_DAYS after registration); the desk still sees them."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.clock import FixedClock
from domain.directory import Role
from tests.helpers import user_with_role
from tests.lifeline.helpers import DeskApi


def _register(desk: DeskApi, iid: str, name: str) -> str:
    body = {"full_name": name, "home_address": "신림로 1"}
    pid = str(desk.post(f"/api/lifeline/incidents/{iid}/persons", body, 201)["id"])
    desk.container.views.wait(desk.position)
    return pid


def _public(client: TestClient, pid: str, name: str) -> tuple[int, list[str]]:
    page = client.get(f"/lifeline/persons/{pid}").status_code
    return page, [p["id"] for p in client.get(f"/api/lifeline/persons?q={name}").json()]


def test_records_leave_the_public_view_after_the_incident_closed(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    container.settings.missing_person_retention_days = 5
    desk = DeskApi(client, container)
    iid = desk.open()
    pid = _register(desk, iid, "김민준")
    desk.post(f"/api/lifeline/incidents/{iid}/close", {"reason": "rain over"})
    container.views.wait(desk.position)
    clock.advance(timedelta(days=4, hours=23))
    assert _public(client, pid, "김민준") == (200, [pid])
    clock.advance(timedelta(hours=2))
    assert _public(client, pid, "김민준") == (404, [])
    staff = user_with_role(client, container, Role.DESK)
    full = client.get(f"/api/lifeline/persons/{pid}/full", headers=staff)
    assert full.status_code == 200 and full.json()["private"]["home_address"] == "신림로 1"


def test_records_of_an_open_incident_expire_per_the_expiry_setting(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    container.settings.missing_person_expiry_days = 3
    desk = DeskApi(client, container)
    pid = _register(desk, desk.open(), "박지훈")
    clock.advance(timedelta(days=2, hours=23))
    assert _public(client, pid, "Park Jihoon") == (200, [pid])
    clock.advance(timedelta(hours=2))
    assert _public(client, pid, "Park Jihoon") == (404, [])
