"""Following a public posting by e-mail (double opt-in, notices through the outbox, one-click
unsubscribe) and the answer mailed to a web-form citizen, against a local SMTP server; the
addresses never show in the public record, its feeds or the Open311 API."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain import ids
from domain.context import Cause
from domain.ledger import State
from domain.postings import IncomingPosting
from tests.helpers import store_posting
from tests.ledger.mailing import Inbox, dispatcher, pump

WHO = Cause("system:test")
FOLLOWER = "follower.kim@example.org"
CITIZEN = "citizen.lee@example.net"
ANSWER = "정류장을 보수했습니다. 문의: 02-120-0000"


def posting(c: Container, source_id: str = "W-20260714-0000AAAA") -> tuple[str, Any]:
    item = IncomingPosting(
        channel="web",
        source_id=source_id,
        text="정류장 표지판 파손, 연락처 010-9876-5432",
        created_at=c.clock.now(),
    )
    store_posting(c, item)
    case = c.ledger.open(WHO, str(item.posting_id), "web", item.created_at).id
    c.ledger.classify(WHO, case, "simple")
    c.ledger.assign(WHO, case, "department:BUS")
    c.views.wait(c.store.head(), timeout=60)
    return str(item.posting_id), case


def csrf(client: TestClient, pid: str) -> str:
    page = client.get(f"/public/{pid}?lang=en")
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def link(message: EmailMessage, path: str) -> str:
    body = message.get_content()
    found = re.search(rf"http://smc\.test({path}\?token=[\w.\-]+)", body)
    assert found, body
    return found.group(1)


def test_follow_confirm_notice_unsubscribe(
    mailing: tuple[Container, TestClient], smtp: tuple[int, Inbox]
) -> None:
    c, client = mailing
    inbox = smtp[1]
    d = dispatcher(c)
    pid, case = posting(c)
    page = client.get(f"/public/{pid}")
    assert 'type="application/atom+xml" title="' in page.text
    assert f'href="/public/{pid}/feed.atom"' in page.text
    token = csrf(client, pid)
    sent = client.post(
        f"/public/{pid}/follow",
        data={"email": FOLLOWER, "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("follow=sent#follow")
    c.ledger.designate(WHO, case, "kim.official")  # before confirming: no notice for it
    pump(c, d)
    assert len(inbox.messages) == 1
    confirm = inbox.messages[0]
    assert confirm["To"] == FOLLOWER and "confirm" in confirm["Subject"].lower()
    assert confirm["List-Unsubscribe"].startswith("<http://smc.test/follow/unsubscribe?token=")
    confirm_path = link(confirm, "/follow/confirm")
    form = client.get(confirm_path)
    assert form.status_code == 200 and 'name="token"' in form.text
    token_value = re.search(r'name="token" value="([^"]+)"', form.text)
    assert token_value
    done = client.post("/follow/confirm", data={"token": token_value.group(1)})
    assert done.status_code == 200 and 'id="follow-done"' in done.text

    c.ledger.respond(WHO, case, ANSWER)
    c.views.wait(c.store.head(), timeout=60)
    pump(c, d)
    assert len(inbox.messages) == 2  # "answered" (the text is kept back until published)
    assert "02-120" not in inbox.messages[1].get_content()
    c.ledger.publish(WHO, case)
    pump(c, d)
    assert len(inbox.messages) == 3
    notice = inbox.messages[2]
    body = notice.get_content()
    assert notice["To"] == FOLLOWER
    assert "정류장을 보수했습니다" in body and "02-120-0000" not in body  # redacted as /public
    assert "010-9876" not in body and f"http://smc.test/public/{pid}" in body
    stop = link(notice, "/follow/unsubscribe")
    pump(c, dispatcher(c))  # a restarted dispatcher sends nothing twice
    assert len(inbox.messages) == 3

    one_click = client.post(stop, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and 'id="follow-done"' in one_click.text
    c.ledger.close(WHO, case)
    pump(c, d)
    assert len(inbox.messages) == 3  # unsubscribed: no more mails
    assert_no_address(client, pid, FOLLOWER)


def assert_no_address(client: TestClient, pid: str, address: str) -> None:
    for url in (
        f"/public/{pid}",
        f"/public/{pid}/feed.atom",
        f"/api/public/postings/{pid}",
        "/api/public/postings?limit=100",
        "/public",
        "/public/feed.atom",
        "/open311/v2/requests.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert address not in response.text and address.split("@")[0] not in response.text, url


def test_bad_requests_are_clear_4xx(mailing: tuple[Container, TestClient]) -> None:
    c, client = mailing
    pid, _case = posting(c)
    token = csrf(client, pid)
    url = f"/public/{pid}/follow?lang=en"
    bad = client.post(url, data={"email": "not-an-address", "csrf_token": token})
    assert bad.status_code == 422 and "does not look right" in bad.text
    header = client.post(url, data={"email": "a@example.org\r\nBcc: x@y.org", "csrf_token": token})
    assert header.status_code == 422
    forged = client.post(url, data={"email": FOLLOWER, "csrf_token": "forged"})
    assert forged.status_code == 400 and "expired" in forged.text
    assert client.post(f"/public/{ids.posting_id('web', 'nope')}/follow").status_code == 404
    token = csrf(client, pid)
    data = {"email": FOLLOWER, "csrf_token": token}
    assert client.post(url, data=data, follow_redirects=False).status_code == 303
    limited = client.post(url, data=data)  # the fourth within the hour (limit 3)
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert client.get("/follow/confirm?token=forged").status_code == 400
    assert client.post("/follow/unsubscribe", data={"token": "x"}).status_code == 400


def test_no_smtp_no_follow_form(client: TestClient, container: Container) -> None:
    pid, _case = posting(container)
    page = client.get(f"/public/{pid}")
    assert 'name="email"' not in page.text and f"/public/{pid}/feed.atom" in page.text
    token = client.cookies.get("smc_follow_csrf")
    assert token
    off = client.post(f"/public/{pid}/follow", data={"email": FOLLOWER, "csrf_token": token})
    assert off.status_code == 503


def report(client: TestClient, email: str) -> str:
    form = client.get("/report?lang=ko")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    data = {"text": "버스 정류장 의자가 부서졌어요", "email": email, "csrf_token": token.group(1)}
    sent = client.post("/report", data=data, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return str(urlsplit(sent.headers["location"]).query).removeprefix("ref=")


def publish_answer(c: Container, pid: str) -> None:
    case = c.ledger.open_posting(WHO, ids.posting_id("web", pid)).id
    steps = {
        State.RECEIVED: lambda: c.ledger.classify(WHO, case, "simple"),
        State.TRIAGED: lambda: c.ledger.assign(WHO, case, "department:BUS"),
        State.ASSIGNED: lambda: c.ledger.designate(WHO, case, "kim.official"),
        State.DESIGNATED: lambda: c.ledger.respond(WHO, case, ANSWER),
        State.RESPONDED: lambda: c.ledger.publish(WHO, case),
    }
    while (state := c.ledger.state(case)) in steps:
        steps[state]()


def test_web_form_citizen_gets_the_answer_by_mail(
    mailing: tuple[Container, TestClient], smtp: tuple[int, Inbox]
) -> None:
    c, client = mailing
    inbox = smtp[1]
    reference = report(client, CITIZEN)
    silent = report(client, "")
    d = dispatcher(c)
    publish_answer(c, reference)
    publish_answer(c, silent)
    pump(c, d)
    assert len(inbox.messages) == 1  # the citizen who left no address gets nothing
    mail = inbox.messages[0]
    assert mail["To"] == CITIZEN and reference in mail["Subject"]
    assert ANSWER in mail.get_content()
    pump(c, dispatcher(c))
    assert len(inbox.messages) == 1  # never twice
    pid = str(ids.posting_id("web", reference))
    assert_no_address(client, pid, CITIZEN)
    one = client.get(f"/open311/v2/requests/{reference}.json")
    assert one.status_code == 200 and CITIZEN not in one.text
