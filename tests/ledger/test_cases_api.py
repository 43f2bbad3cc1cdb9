"""The ledger over HTTP: a posting's case from intake to a published reply, conflicts as 409,
and the compliance report listing a missed deadline once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import DEMO_PASSWORD, load_demo
from domain.clock import FixedClock
from domain.postings import IncomingPosting
from tests.helpers import store_posting

KST = ZoneInfo("Asia/Seoul")


def login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/auth/token", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def posting(container: Container, at: datetime) -> str:
    item = IncomingPosting(
        channel="open311", source_id="req-1", text="버스정류장 파손", created_at=at
    )
    store_posting(container, item)
    return str(item.posting_id)


def test_case_story_over_http(client: TestClient, container: Container, clock: FixedClock) -> None:
    load_demo(container)
    received = datetime(2026, 7, 10, 17, 0, tzinfo=KST)  # a Friday, 17:00
    clock.set(received)
    kim, lee = login(client, "kim.official"), login(client, "lee.lead")
    opened = client.post(
        "/api/cases", headers=kim, json={"posting_id": posting(container, received)}
    )
    assert opened.status_code == 201, opened.text
    cid = opened.json()["id"]
    steps = [
        ("classify", {"request_class": "simple"}),
        ("assign", {"unit": "department:BUS", "reason": "rule"}),
        ("designate", {"official": "kim.official"}),
        ("respond", {"text": "정류장을 오늘 보수하겠습니다.", "template_id": "repair-ko"}),
        ("publish", {}),
    ]
    for command, body in steps:
        r = client.post(f"/api/cases/{cid}/{command}", headers=kim, json=body)
        assert r.status_code == 200, (command, r.text)
    case = client.get(f"/api/cases/{cid}?after={r.json()['position']}", headers=lee).json()
    assert case["state"] == "published" and case["unit"] == "department:BUS"
    assert (
        case["deadline"]
        == datetime(2026, 7, 13, 11, 0, tzinfo=KST).astimezone(ZoneInfo("UTC")).isoformat()
    )
    wrong = client.post(f"/api/cases/{cid}/designate", headers=kim, json={"official": "x"})
    assert wrong.status_code == 409 and "published" in wrong.json()["detail"]
    unknown = client.post(f"/api/cases/{cid}/fly", headers=kim, json={})
    assert unknown.status_code == 404 and "known:" in unknown.json()["detail"]
    assert client.post(f"/api/cases/{cid}/close", json={}).status_code == 401
    desk = login(client, "park.desk")
    assert client.post(f"/api/cases/{cid}/close", headers=desk, json={}).status_code == 403


def test_stale_version_gets_409_with_current_state(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    load_demo(container)
    at = datetime(2026, 7, 13, 10, 0, tzinfo=KST)
    clock.set(at)
    kim = login(client, "kim.official")
    cid = client.post(
        "/api/cases", headers=kim, json={"posting_id": posting(container, at)}
    ).json()["id"]
    client.post(f"/api/cases/{cid}/classify", headers=kim, json={"request_class": "review"})
    r = client.post(f"/api/cases/{cid}/assign", headers=kim, json={"unit": "department:ROAD"})
    seen = client.get(f"/api/cases/{cid}?after={r.json()['position']}", headers=kim).json()
    v = seen["version"]
    first = client.post(
        f"/api/cases/{cid}/designate",
        headers=kim,
        json={"official": "kim.official", "expected_version": v},
    )
    second = client.post(
        f"/api/cases/{cid}/designate",
        headers=login(client, "lee.lead"),
        json={"official": "lee.lead", "expected_version": v},
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["state"] == "designated" and second.json()["official"] == "kim.official"


def test_missed_deadline_recorded_once_and_listed(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    load_demo(container)
    at = datetime(2026, 7, 13, 10, 0, tzinfo=KST)
    clock.set(at)
    kim = login(client, "kim.official")
    cid = client.post(
        "/api/cases", headers=kim, json={"posting_id": posting(container, at)}
    ).json()["id"]
    client.post(f"/api/cases/{cid}/classify", headers=kim, json={"request_class": "simple"})
    r = client.post(f"/api/cases/{cid}/assign", headers=kim, json={"unit": "department:BUS"})
    container.views.wait(r.json()["position"])
    assert container.watcher is not None
    assert container.watcher.run_once() == 0
    clock.set(at + timedelta(days=1))
    assert container.watcher.run_once() == 1
    container.views.wait(container.store.head())
    assert container.watcher.run_once() == 0
    lead = login(client, "lee.lead")
    rows = client.get(
        "/api/reports/compliance?start=2026-07-01&end=2026-07-31", headers=lead
    ).json()
    assert [(row["case_id"], row["unit"]) for row in rows] == [(cid, "department:BUS")]
    csv_text = client.get(
        "/api/reports/compliance?start=2026-07-01&end=2026-07-31&format=csv",
        headers=login(client, "jung.auditor"),
    ).text
    assert cid in csv_text and csv_text.startswith("unit,case_id")
    overdue = client.get("/api/cases?overdue=true&unit=department:BUS", headers=lead).json()
    assert overdue["counts"]["overdue"] == 1 and overdue["items"][0]["missed"] == 1


def test_performance_report_per_department_and_official(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    from tests import scenario

    scenario.fill(container)
    container.views.wait(container.store.head())
    lead = login(client, "lee.lead")
    report = client.get(
        "/api/reports/performance?start=2026-07-01&end=2026-07-31", headers=lead
    ).json()
    by_unit = {r["unit"]: r for r in report}
    assert by_unit["department:BUS"]["received"] == 1
    assert by_unit["department:BUS"]["answered"] == 1
    assert by_unit["department:ROAD"]["received"] == 1
    officials = client.get(
        "/api/reports/performance?start=2026-07-01&end=2026-07-31&by=official&format=csv",
        headers=lead,
    )
    assert officials.text.startswith("official,received,answered")
    del clock
