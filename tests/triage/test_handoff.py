"""District hand-off: the Open311 GeoReport v2 client and SMTP e-mail, against local servers
on 127.0.0.1; the hand-off and its result are recorded as events."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from api.bootstrap import Container
from channels.handoff import Open311HandOff, SmtpHandOff, build_handoffs
from domain.context import Cause
from domain.directory import Role
from domain.postings import IncomingPosting
from projections.triage import TriageProjection
from tests.helpers import user_with_role
from tests.pg import free_port

T = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


class Open311Server(ThreadingHTTPServer):
    received: list[dict[str, list[str]]]
    fail: bool


class Handler(BaseHTTPRequestHandler):
    server: Open311Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.received.append(parse_qs(body))
        status, answer = (
            (400, [{"code": 400, "description": "service_code not found"}])
            if self.server.fail
            else (201, [{"service_request_id": "MAPO-77", "service_notice": "ok"}])
        )
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def open311() -> Iterator[Open311Server]:
    server = Open311Server(("127.0.0.1", 0), Handler)
    server.received, server.fail = [], False
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


def district_posting(container: Container, source_id: str) -> str:
    item = IncomingPosting(
        channel="x", source_id=source_id, text="망원동 골목 쓰레기 무단투기 신고합니다",
        created_at=T, lon=126.9015, lat=37.5560,
    )  # fmt: skip
    position = container.intake.ingest(Cause("system:test"), [item]).position
    assert container.views.wait(position, timeout=30)
    return str(item.posting_id)


def test_open311_hand_off_success_and_failure_are_events(
    client: TestClient, container: Container, open311: Open311Server
) -> None:
    assert container.triage is not None
    url = f"http://127.0.0.1:{open311.server_port}/open311/v2"
    container.triage.handoffs = {"11440": Open311HandOff(url, api_key="k", service_code="waste")}
    posting = district_posting(container, "h1")
    desk = user_with_role(client, container, Role.DESK)
    r = client.post(f"/api/triage/postings/{posting}/handoff", headers=desk)
    assert r.status_code == 200, r.text
    sent = open311.received[0]
    assert sent["service_code"] == ["waste"] and sent["api_key"] == ["k"]
    assert sent["lat"] == ["37.556"] and "쓰레기" in sent["description"][0]
    open311.fail = True
    r = client.post(f"/api/triage/postings/{posting}/handoff", headers=desk)
    assert r.status_code == 200
    assert container.views.wait(r.json()["position"], timeout=30)
    handoffs = container.views.get(TriageProjection).handoffs(posting)
    assert [(h["ok"], h["detail"]) for h in handoffs] == [
        (1, "MAPO-77"),
        (0, f"{url}/requests.json: HTTP 400: service_code not found"),
    ]


def test_smtp_hand_off_and_unreachable_server(
    container: Container, smtp: tuple[int, Inbox]
) -> None:
    assert container.triage is not None
    port, inbox = smtp
    container.triage.handoffs = build_handoffs(
        {"*": {"kind": "smtp", "host": "127.0.0.1", "port": str(port), "to": "gu-{district}@x.kr"}}
    )
    posting = district_posting(container, "h2")
    from uuid import UUID

    result = container.triage.hand_off(Cause("system:test"), UUID(posting))
    mail = message_from_bytes(inbox.messages[0])
    assert mail["To"] == "gu-11440@x.kr" and posting in mail["Subject"]
    container.triage.handoffs = {"*": SmtpHandOff("127.0.0.1", free_port(), "a@x.kr", "b@x.kr")}
    container.triage.hand_off(Cause("system:test"), UUID(posting))
    triage = container.triage.get(UUID(posting))
    assert [h["ok"] for h in triage.handoffs] == [True, False]
    assert "smtp 127.0.0.1" in triage.handoffs[1]["error"]
    assert result.position > 0


def test_non_district_destinations_are_not_handed_off(
    client: TestClient, container: Container
) -> None:
    item = IncomingPosting(channel="x", source_id="h3", text="버스가 안 와요", created_at=T)
    container.intake.ingest(Cause("system:test"), [item])
    desk = user_with_role(client, container, Role.DESK)
    r = client.post(f"/api/triage/postings/{item.posting_id}/handoff", headers=desk)
    assert r.status_code == 422 and "not a district" in r.text
    with pytest.raises(ValueError, match="SMC_TRIAGE_HANDOFF"):
        build_handoffs({"11440": {"kind": "fax"}})
