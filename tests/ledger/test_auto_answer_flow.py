"""Auto-answer end to end: a simple question taken in gets a drafted answer on its case page;
where the department allows it, the answer is published at once and goes out as an X reply
through the outbox; an official retracts or corrects it, and the public record shows it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Container
from api.warning_ports import make_dispatcher
from domain.context import Cause
from domain.directory import Role
from domain.postings import IncomingPosting
from projections.event_log import EventLogProjection
from projections.ledger import LedgerProjection
from tests.fakes.fake_x import FakeX
from tests.helpers import PASSWORD, add_user, bearer

AT = datetime(2026, 7, 14, 1, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Seoul
QUESTION = "@seoul_smc 올빼미버스 노선이랑 운행 시간 알려주세요"


@pytest.fixture
def desk(desk: Container) -> Container:
    """The ledger's desk SMC (tests/ledger/conftest.py) with an official and a lead."""
    for name, role in (("kim.official", Role.OFFICIAL), ("lee.lead", Role.DEPARTMENT_LEAD)):
        add_user(desk, name, role)
    return desk


@pytest.fixture
def client(desk: Container) -> Iterator[TestClient]:
    with TestClient(create_app(desk.settings, container_factory=lambda: desk)) as tc:
        yield tc


def take_in(desk: Container, source_id: str, text: str, channel: str = "x") -> dict[str, str]:
    item = IncomingPosting(
        channel=channel, source_id=source_id, text=text, created_at=AT, account="seoul_smc"
    )
    result = desk.intake.ingest(Cause("system:test"), [item])
    desk.views.wait(result.position, timeout=60)
    case = desk.views.get(LedgerProjection).case_for_posting(str(item.posting_id))
    assert case is not None
    return case


def send_out(desk: Container) -> None:
    dispatcher = make_dispatcher(
        desk.settings, desk.clock, (desk.warnings, desk.deliveries), desk.views
    )
    for _ in range(3):
        desk.views.wait(desk.store.head(), timeout=60)
        dispatcher.run_once()


def sign_in(client: TestClient, username: str) -> str:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    page = client.get("/desk/inbox")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    return csrf.group(1)


def test_a_simple_question_gets_a_draft_on_the_case_page(
    desk: Container, client: TestClient, fake_x: FakeX
) -> None:
    case = take_in(desk, "1900001", QUESTION)
    assert case["state"] == "assigned" and case["unit"] == "department:BUS"
    assert case["reply"] is None  # drafted only: this department has not allowed sending
    log = desk.views.get(EventLogProjection).history(case["id"])
    drafted = [r for r in log if r["kind"] == "Case.AutoAnswerDrafted"]
    assert len(drafted) == 1 and drafted[0]["actor"] == "system:auto-answer"
    officer = bearer(client, "kim.official")
    listed = client.get("/api/auto-answer/answers?status=drafted", headers=officer).json()
    assert [a["entry_id"] for a in listed if a["case_id"] == case["id"]] == ["night-bus"]

    sign_in(client, "kim.official")
    page = client.get(f"/desk/cases/{case['id']}?lang=ko")
    assert page.status_code == 200 and "자동 답변 초안" in page.text
    assert "night-bus@1" in page.text and 'value="kb:night-bus@1"' in page.text
    box = re.search(r'<textarea name="text" rows="5" required>([^<]*)</textarea>', page.text)
    assert box and "올빼미버스(N버스)" in box.group(1) and "1900001" in box.group(1)
    assert "retract" not in page.text  # nothing was sent, so nothing to retract
    english = client.get(f"/desk/cases/{case['id']}?lang=en")
    assert "Auto-drafted answer" in english.text
    send_out(desk)
    assert fake_x.posts == []


def test_no_draft_for_other_classes(desk: Container) -> None:
    case = take_in(desk, "w-2", "472번 버스 배차 간격 좀 줄여주세요. 정책 개선을 건의합니다", "web")
    log = desk.views.get(EventLogProjection).history(case["id"])
    assert not [r for r in log if r["kind"].startswith("Case.AutoAnswer")]
    fire = take_in(desk, "w-3", "올빼미버스 정류장에 불이 났어요 살려주세요 어떻게 해요?", "web")
    log = desk.views.get(EventLogProjection).history(fire["id"])
    assert not [r for r in log if r["kind"].startswith("Case.AutoAnswer")]


def test_auto_send_publishes_then_an_official_retracts_it(
    desk: Container, client: TestClient, fake_x: FakeX
) -> None:
    lead, officer = bearer(client, "lee.lead"), bearer(client, "kim.official")
    refused = client.put("/api/auto-answer/policies/department:BUS", json={"send": True},
                         headers=officer)  # fmt: skip
    assert refused.status_code == 403
    allowed = client.put(
        "/api/auto-answer/policies/department:BUS", json={"send": True}, headers=lead
    )
    assert allowed.status_code == 200, allowed.text
    desk.views.wait(allowed.json()["position"], timeout=60)
    assert client.get("/api/auto-answer/policies", headers=officer).json()[0]["send"] == 1

    case = take_in(desk, "1900002", QUESTION)
    assert case["state"] == "published" and "올빼미버스(N버스)" in (case["reply"] or "")
    send_out(desk)
    assert fake_x.posts and fake_x.posts[0].reply_to == "1900002"
    assert "올빼미버스" in "".join(p.text for p in fake_x.posts)
    log = desk.views.get(EventLogProjection).history(case["id"])
    kinds = {r["kind"]: r["actor"] for r in log}
    assert kinds["Case.Responded"] == kinds["Case.ReplyPublished"] == "system:auto-answer"

    public = client.get(f"/public/{case['posting_id']}?lang=ko")
    assert 'id="reply-auto"' in public.text and "자동 답변 게시" in public.text
    found = client.get("/api/public/postings?q=버스정보시스템").json()
    assert [(p["id"], p["reply_auto"]) for p in found] == [(case["posting_id"], 1)]

    no_reason = client.post(f"/api/cases/{case['id']}/retract", json={}, headers=officer)
    assert no_reason.status_code == 422
    retracted = client.post(
        f"/api/cases/{case['id']}/retract", json={"reason": "노선 개편 전 정보"}, headers=officer
    )
    assert retracted.status_code == 200, retracted.text
    desk.views.wait(retracted.json()["position"], timeout=60)
    after = desk.views.get(LedgerProjection).case(case["id"])
    assert after is not None and after["state"] == "assigned" and after["reply"] is None
    public = client.get(f"/public/{case['posting_id']}?lang=ko")
    assert 'id="posting-reply"' not in public.text and "자동 답변 철회" in public.text
    assert client.get("/api/public/postings?q=버스정보시스템").json() == []
    again = client.post(
        f"/api/cases/{case['id']}/retract", json={"reason": "twice"}, headers=officer
    )
    assert again.status_code == 409
    listed = client.get("/api/auto-answer/answers?status=retracted", headers=officer).json()
    assert [a["case_id"] for a in listed] == [case["id"]]


def test_an_official_corrects_an_automatic_answer(
    desk: Container, client: TestClient, fake_x: FakeX
) -> None:
    desk.auto_answer.set(Cause("system:test"), "department:BUS", True)  # type: ignore[union-attr]
    case = take_in(desk, "1900003", QUESTION)
    assert case["state"] == "published"
    send_out(desk)
    sent = len(fake_x.posts)
    sign_in(client, "kim.official")
    page = client.get(f"/desk/cases/{case['id']}?lang=en")
    assert "Sent automatically" in page.text and "/retract" in page.text
    officer = bearer(client, "kim.official")
    fixed = "N26번은 개편되어 23:40부터 운행합니다. 참조 1900003"
    r = client.post(f"/api/cases/{case['id']}/correct", json={"text": fixed}, headers=officer)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/cases/{case['id']}/publish", json={}, headers=officer)
    assert r.status_code == 200, r.text
    send_out(desk)
    assert len(fake_x.posts) > sent and fake_x.posts[-1].reply_to == "1900003"
    assert "N26번은 개편되어" in fake_x.posts[-1].text
    public = client.get(f"/public/{case['posting_id']}?lang=ko")
    assert "N26번은 개편되어" in public.text and 'id="reply-auto"' not in public.text
    assert "자동 답변 정정" in public.text
    late = client.post(f"/api/cases/{case['id']}/retract", json={"reason": "x"}, headers=officer)
    assert late.status_code == 409 and "only an automatic answer" in late.text
