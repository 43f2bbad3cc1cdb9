"""Issue 5's must-show: a request taken in through Open311, triaged, assigned, designated,
answered from a template and published; GET shows status, the redacted reply, the agency and
the deadline three working hours after arrival (a Friday 17:00, and the day before a holiday)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import DEMO_PASSWORD, load_demo
from domain import ids
from domain.clock import FixedClock
from projections.ledger import LedgerProjection

KST = ZoneInfo("Asia/Seoul")


def login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/auth/token", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.mark.parametrize(
    ("arrived", "due"),
    [
        (datetime(2026, 7, 10, 17, 0, tzinfo=KST), datetime(2026, 7, 13, 11, 0, tzinfo=KST)),
        (datetime(2026, 9, 23, 17, 0, tzinfo=KST), datetime(2026, 9, 28, 11, 0, tzinfo=KST)),
    ],
    ids=["friday-17h", "day-before-chuseok"],
)
def test_open311_request_to_published_answer(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    arrived: datetime,
    due: datetime,
) -> None:
    load_demo(container)
    clock.set(arrived)
    form = {
        "service_code": "bus",
        "description": "정류장 의자 파손. 연락 010-2222-3333",
        "lat": "37.4979",
        "long": "127.0276",
        "email": "citizen@example.com",
    }
    posted = client.post("/open311/v2/requests.json", data=form)
    assert posted.status_code in (200, 201), posted.text
    sid = posted.json()[0]["service_request_id"]
    container.views.wait(container.store.head())
    case = container.views.get(LedgerProjection).case_for_posting(
        str(ids.posting_id("open311", sid))
    )
    assert case is not None, "every posting gets its case on intake"
    kim = login(client, "kim.official")
    cid = case["id"]
    if case["request_class"] != "simple":
        r = client.post(f"/api/cases/{cid}/classify", headers=kim, json={"request_class": "simple"})
        assert r.status_code == 200, r.text
    if case["unit"] != "department:BUS":
        command = "transfer" if case["unit"] else "assign"
        r = client.post(
            f"/api/cases/{cid}/{command}",
            headers=kim,
            json={"unit": "department:BUS", "reason": "bus stop furniture"},
        )
        assert r.status_code == 200, r.text
    reply = "버스정책과에서 확인 후 보수하겠습니다. 문의 02-2133-0000"
    for command, body in (
        ("designate", {"official": "kim.official"}),
        ("respond", {"text": reply, "template_id": "bus-stop-repair-ko"}),
        ("publish", {}),
    ):
        r = client.post(f"/api/cases/{cid}/{command}", headers=kim, json=body)
        assert r.status_code == 200, (command, r.text)
    container.views.wait(r.json()["position"])
    got = client.get(f"/open311/v2/requests/{sid}.json").json()[0]
    assert got["status"] == "open"
    assert got["status_notes"] and "02-2133-0000" not in got["status_notes"]
    assert "보수하겠습니다" in got["status_notes"]
    assert got["agency_responsible"] in ("버스정책과", "Bus Policy Division")
    expected = datetime.fromisoformat(got["expected_datetime"])
    assert expected == due and expected.astimezone(UTC) == due.astimezone(UTC)
    assert "010-2222-3333" not in got["description"] and "citizen@example.com" not in str(got)
