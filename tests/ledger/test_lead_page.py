"""The lead's page: deadlines the watcher recorded as missed (escalations), cases due soon and
each official's load, per department, as a server-rendered page and its JSON twin."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import DEMO_PASSWORD, load_demo
from domain.clock import FixedClock
from domain.context import Cause
from domain.postings import IncomingPosting
from tests.helpers import store_posting

KST = ZoneInfo("Asia/Seoul")
WHO = Cause("system:test")
MONDAY = datetime(2026, 7, 13, 10, 0, tzinfo=KST)


def login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/auth/token", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def case(
    container: Container, ref: str, at: datetime, klass: str, unit: str, who: str | None
) -> str:
    item = IncomingPosting(channel="web", source_id=ref, text=f"민원 {ref}", created_at=at)
    store_posting(container, item)
    ledger = container.ledger
    cid = ledger.open(WHO, str(item.posting_id), "web", at).id
    ledger.classify(WHO, cid, klass)
    ledger.assign(WHO, cid, unit)
    if who:
        ledger.designate(WHO, cid, who)
    return str(cid)


def test_lead_sees_escalations_due_soon_and_per_official(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    load_demo(container)
    clock.set(MONDAY)
    late = case(container, "a", MONDAY, "simple", "department:BUS", "kim.official")  # due 13:00
    soon = case(container, "b", MONDAY + timedelta(hours=2, minutes=30), "simple",
                "department:BUS", None)  # fmt: skip  # due 15:30
    later = case(container, "c", MONDAY, "review", "department:BUS", "kim.official")
    other = case(container, "d", MONDAY, "simple", "department:ROAD", None)
    clock.set(MONDAY + timedelta(hours=4))  # 14:00
    container.views.wait(container.store.head())
    assert container.watcher is not None
    assert container.watcher.run_once() == 2  # a and d
    container.views.wait(container.store.head())

    lead = login(client, "lee.lead")
    body = client.get("/api/lead?unit=department:BUS&within=3", headers=lead).json()
    assert [r["id"] for r in body["missed"]] == [late]
    assert body["missed"][0]["missed_at"] is not None
    assert [r["id"] for r in body["due_soon"]] == [soon]
    officials = {o["official"]: o for o in body["officials"]}
    assert officials["kim.official"] == {
        "official": "kim.official", "open": 2, "overdue": 1, "due_soon": 0, "missed": 1,
    }  # fmt: skip
    assert officials[""]["due_soon"] == 1 and officials[""]["missed"] == 0
    everyone = client.get("/api/lead", headers=lead).json()
    assert {r["id"] for r in everyone["missed"]} == {late, other}
    assert later not in {r["id"] for r in everyone["due_soon"]}
    assert client.get("/api/lead?unit=nowhere", headers=lead).status_code == 422

    official = login(client, "kim.official")
    assert client.get("/api/lead", headers=official).status_code == 403


def test_lead_page_links_to_the_cases(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    load_demo(container)
    clock.set(MONDAY)
    late = case(container, "a", MONDAY, "simple", "department:BUS", "kim.official")
    clock.set(MONDAY + timedelta(hours=4))
    container.views.wait(container.store.head())
    assert container.watcher is not None and container.watcher.run_once() == 1
    container.views.wait(container.store.head())
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    client.post(
        "/login",
        data={"username": "lee.lead", "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    page = client.get("/desk/lead?unit=department:BUS&lang=ko")
    assert page.status_code == 200, page.text
    assert f'href="/desk/cases/{late}"' in page.text
    assert 'id="count-missed">1<' in page.text and "기한을 넘긴 미처리 건" in page.text
    assert 'href="/desk/lead"' in page.text  # in the navigation for leads
    english = client.get("/desk/lead?unit=department:BUS&lang=en")
    assert "Missed deadlines, still open" in english.text and "kim.official" in english.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf and 'id="auto-send"' in page.text and "checked" not in page.text
    done = client.post(
        "/desk/lead/auto-send",
        data={"csrf_token": csrf.group(1), "unit": "department:BUS", "send": "true"},
    )
    assert done.status_code == 200 and 'name="send" value="true" checked' in done.text
    policies = client.get("/api/auto-answer/policies", headers=login(client, "kim.official"))
    assert {"unit": "department:BUS", "send": 1} in [
        {"unit": p["unit"], "send": p["send"]} for p in policies.json()
    ]
