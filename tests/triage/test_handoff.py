"""District hand-off through the outbox: the Open311 GeoReport v2 client and SMTP e-mail,
against local servers on 127.0.0.1. Automatic hand-off happens once, a failing server is
retried with backoff, an interrupted attempt is never repeated by itself, and every step is
recorded as an event."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.dispatcher import Dispatcher
from api.handoff_wiring import attach_handoffs
from api.settings import Settings
from api.warning_ports import make_dispatcher
from channels.handoff import build_handoffs
from domain.clock import FixedClock
from domain.context import Cause
from domain.directory import Role
from domain.postings import IncomingPosting
from projections.triage import TriageProjection
from tests.conftest import make_settings
from tests.helpers import PASSWORD, add_user, user_with_role
from tests.pg import free_port

T = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
SYS = Cause("system:test")
MAPO = "11440"


class Open311Server(ThreadingHTTPServer):
    received: list[dict[str, list[str]]]
    answers: list[int]  # statuses to answer before succeeding (consumed in order)


class Handler(BaseHTTPRequestHandler):
    server: Open311Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.received.append(json.loads(json.dumps(_form(body))))
        status = self.server.answers.pop(0) if self.server.answers else 201
        answer: list[dict[str, Any]] = (
            [{"service_request_id": f"MAPO-{len(self.server.received)}"}]
            if status < 300
            else [{"code": status, "description": "service_code not found" if status == 400
                   else "temporarily unavailable"}]
        )  # fmt: skip
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


def _form(body: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(body)


@pytest.fixture
def open311() -> Iterator[Open311Server]:
    server = Open311Server(("127.0.0.1", 0), Handler)
    server.received, server.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def settings(
    database_url: str, tmp_path: Path, open311: Open311Server, smtp: tuple[int, Inbox]
) -> Settings:
    """Mapo-gu over Open311, every other district by e-mail; the tests drive the outbox."""
    url = f"http://127.0.0.1:{open311.server_port}/open311/v2"
    return make_settings(
        database_url,
        tmp_path,
        dispatch=False,
        delivery_lease_seconds=0,
        triage_handoff={
            MAPO: {"kind": "open311", "url": url, "api_key": "k", "service_code": "waste"},
            "*": {"kind": "smtp", "host": "127.0.0.1", "port": str(smtp[0]),
                  "to": "gu-{district}@x.kr"},
        },
    )  # fmt: skip


def dispatcher(c: Container) -> Dispatcher:
    """A fresh outbox dispatcher (a new one stands for a restart)."""
    assert c.triage is not None
    d = attach_handoffs(
        make_dispatcher(c.settings, c.clock, (c.warnings, c.deliveries), c.views), c.triage
    )
    c.views.wait(c.store.head(), timeout=60)
    return d


def run(c: Container) -> None:
    dispatcher(c).run_once()
    c.views.wait(c.store.head(), timeout=60)


def ingest(c: Container, source_id: str, text: str, lon: float, lat: float) -> str:
    item = IncomingPosting(
        channel="x", source_id=source_id, text=text, created_at=T, lon=lon, lat=lat
    )
    assert c.views.wait(c.intake.ingest(SYS, [item]).position, timeout=60)
    return str(item.posting_id)


def mapo(c: Container, source_id: str = "h1") -> str:
    return ingest(c, source_id, "망원동 골목 쓰레기 무단투기 신고합니다", 126.9015, 37.5560)


def outbox(c: Container, posting: str) -> list[dict[str, Any]]:
    return c.views.get(TriageProjection).outbox(posting)


def test_automatic_open311_hand_off_happens_once(
    client: TestClient, container: Container, open311: Open311Server
) -> None:
    posting = mapo(container)
    assert [r["state"] for r in outbox(container, posting)] == ["requested"]  # with intake
    run(container)
    run(container)  # a second pass (or a second dispatcher) sends nothing more
    assert len(open311.received) == 1
    sent = open311.received[0]
    assert sent["service_code"] == ["waste"] and sent["api_key"] == ["k"]
    assert sent["lat"] == ["37.556"] and "쓰레기" in sent["description"][0]
    assert sent["attribute[smc_reference]"] == [posting]
    desk = user_with_role(client, container, Role.DESK)
    item = client.get(f"/api/triage/postings/{posting}", headers=desk).json()
    [row] = item["outbox"]
    assert (row["state"], row["reference"], row["adapter"], row["attempts"]) == (
        "delivered", "MAPO-1", "open311", 1,
    )  # fmt: skip
    assert item["handoff"].startswith("delivered: open311 gu:11440 MAPO-1")
    r = client.post(f"/api/triage/postings/{posting}/handoff", headers=desk)
    assert r.status_code == 409 and "already handed off" in r.text and len(open311.received) == 1


def test_a_failing_server_is_retried_with_backoff_then_succeeds(
    container: Container, open311: Open311Server, clock: FixedClock
) -> None:
    open311.answers.extend([503, 503])
    posting = mapo(container)
    run(container)
    [row] = outbox(container, posting)
    assert row["state"] == "failed" and "HTTP 503" in row["reason"] and row["retry_at"]
    run(container)  # not due yet: nothing is sent
    assert len(open311.received) == 1
    clock.advance(timedelta(seconds=3))
    run(container)
    assert outbox(container, posting)[0]["state"] == "failed" and len(open311.received) == 2
    clock.advance(timedelta(seconds=5))
    run(container)
    [row] = outbox(container, posting)
    assert (row["state"], row["attempts"], row["reference"]) == ("delivered", 3, "MAPO-3")
    run(container)
    assert len(open311.received) == 3


def test_a_refusal_gives_up_and_a_person_asks_again_from_the_page(
    client: TestClient, container: Container, open311: Open311Server
) -> None:
    open311.answers.append(400)
    posting = mapo(container)
    run(container)
    [row] = outbox(container, posting)
    assert row["state"] == "gave_up" and "service_code not found" in row["reason"]
    container.dispatcher = dispatcher(container)  # the button sends at once with a dispatcher
    add_user(container, "kim", Role.OFFICIAL)
    login = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert login
    form = {"username": "kim", "password": PASSWORD, "csrf_token": login.group(1)}
    client.post("/login", data=form, follow_redirects=False)
    page = client.get("/admin/triage?show=recent&lang=en")
    assert "gave_up: open311 gu:11440" in page.text and "Hand off to the district now" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    r = client.post(f"/admin/triage/{posting}/handoff", data={"csrf_token": csrf.group(1)})
    assert r.status_code == 200 and "delivered: open311 gu:11440 MAPO-2" in r.text
    assert len(open311.received) == 2
    r = client.post(f"/admin/triage/{posting}/handoff", data={"csrf_token": csrf.group(1)})
    assert "already handed off to gu:11440" in r.text and len(open311.received) == 2


class Crash(BaseException):
    """Stands for kill -9: nothing after the call is recorded."""


def test_a_restart_mid_way_never_sends_twice(
    client: TestClient, container: Container, open311: Open311Server
) -> None:
    posting = mapo(container)
    first = dispatcher(container)
    real = first.publishers

    def crashing(d: Any) -> Any:
        pub: Any = real(d)

        class After:
            def post(self, text: str, reply_to: str | None) -> str:
                pub.post(text, reply_to)  # the district got it; the outcome is never recorded
                raise Crash

        return After()

    first.publishers = crashing
    with pytest.raises(Crash):
        first.run_once()
    run(container)  # "restart": a new dispatcher finds the attempt without an outcome
    run(container)
    assert len(open311.received) == 1
    [row] = outbox(container, posting)
    assert row["state"] == "uncertain" and "outcome is unknown" in row["reason"]
    assert row["attempts"] == 1
    # a person checked with the district and asks again: requeued, sent by the outbox
    desk = user_with_role(client, container, Role.DESK)
    assert client.post(f"/api/triage/postings/{posting}/handoff", headers=desk).status_code == 200
    run(container)
    assert len(open311.received) == 2 and outbox(container, posting)[0]["state"] == "delivered"


def test_smtp_hand_off_is_automatic_and_an_unreachable_server_is_retried(
    container: Container, smtp: tuple[int, Inbox], clock: FixedClock
) -> None:
    _port, inbox = smtp
    jung = ingest(container, "s1", "골목 쓰레기 무단투기 신고합니다", 126.9860, 37.5636)
    run(container)
    run(container)
    assert len(inbox.messages) == 1
    mail = message_from_bytes(inbox.messages[0])
    assert mail["To"] == "gu-11140@x.kr" and jung in mail["Subject"]
    [row] = outbox(container, jung)
    assert row["state"] == "delivered" and row["adapter"] == "smtp" and jung in row["reference"]
    assert container.triage is not None
    container.triage.handoffs = build_handoffs(
        {"*": {"kind": "smtp", "host": "127.0.0.1", "port": str(free_port()), "to": "a@x.kr"}}
    )
    other = ingest(container, "s2", "골목에 쓰레기 무단투기 신고합니다", 126.9861, 37.5637)
    run(container)
    [row] = outbox(container, other)
    assert row["state"] == "failed" and "smtp 127.0.0.1" in row["reason"]
    container.triage.handoffs = build_handoffs(
        {"*": {"kind": "smtp", "host": "127.0.0.1", "port": str(_port), "to": "b@x.kr"}}
    )
    clock.advance(timedelta(seconds=3))
    run(container)
    assert outbox(container, other)[0]["state"] == "delivered" and len(inbox.messages) == 2


def test_a_correction_to_a_district_hands_it_off_once(
    client: TestClient, container: Container, open311: Open311Server
) -> None:
    item = IncomingPosting(channel="x", source_id="c1", text="버스가 안 와요", created_at=T)
    container.views.wait(container.intake.ingest(SYS, [item]).position, timeout=60)
    posting = str(item.posting_id)
    assert outbox(container, posting) == []  # a department matter: no hand-off
    official = user_with_role(client, container, Role.OFFICIAL)
    url = f"/api/triage/postings/{posting}"
    r = client.post(f"{url}/correct", json={"destination": f"gu:{MAPO}"}, headers=official)
    assert r.status_code == 200, r.text
    client.post(f"{url}/accept", headers=official)  # accepting again queues nothing more
    container.views.wait(container.store.head(), timeout=60)
    assert [r["state"] for r in outbox(container, posting)] == ["requested"]
    run(container)
    assert len(open311.received) == 1 and "버스" in open311.received[0]["description"][0]


def test_a_destination_changed_before_sending_is_not_handed_off(
    container: Container, open311: Open311Server
) -> None:
    posting = mapo(container)
    assert container.triage is not None
    container.triage.correct(SYS, UUID(posting), {"destination": "dept:SMC"}, "kim")
    run(container)
    [row] = outbox(container, posting)
    assert row["state"] == "gave_up" and "destination changed to dept:SMC" in row["reason"]
    assert open311.received == []


def test_non_district_destinations_are_not_handed_off(
    client: TestClient, container: Container
) -> None:
    item = IncomingPosting(channel="x", source_id="h3", text="버스가 안 와요", created_at=T)
    container.intake.ingest(SYS, [item])
    desk = user_with_role(client, container, Role.DESK)
    r = client.post(f"/api/triage/postings/{item.posting_id}/handoff", headers=desk)
    assert r.status_code == 422 and "not a district" in r.text
    with pytest.raises(ValueError, match="SMC_TRIAGE_HANDOFF"):
        build_handoffs({"11440": {"kind": "fax"}})


def test_a_drill_posting_is_never_handed_off_by_itself(
    client: TestClient, container: Container, open311: Open311Server
) -> None:
    item = IncomingPosting(
        channel="x", source_id="d1", text="망원동 골목 쓰레기 무단투기 신고합니다",
        created_at=T, lon=126.9015, lat=37.5560,
    )  # fmt: skip
    drill = Cause("system:test", exercise=True)
    container.views.wait(container.intake.ingest(drill, [item]).position, timeout=60)
    official = user_with_role(client, container, Role.OFFICIAL)
    r = client.post(f"/api/triage/postings/{item.posting_id}/accept", headers=official)
    assert r.status_code == 200, r.text
    run(container)
    assert outbox(container, str(item.posting_id)) == [] and open311.received == []
