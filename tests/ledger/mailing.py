"""A local SMTP server (aiosmtpd on 127.0.0.1) and an SMC wired to it, for the mail tests."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Container, build
from api.dispatcher import Dispatcher
from api.follow_mail import attach_mail
from api.warning_ports import make_dispatcher
from domain.clock import FixedClock
from tests.conftest import make_settings
from tests.pg import free_port


class Inbox:
    """What the server received; ``answers`` (e.g. "451 ...") are given to the next DATA
    commands instead of accepting them."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.answers: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answers:
            return self.answers.pop(0)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def mailing_smc(
    database_url: str, tmp_path: Path, clock: FixedClock, port: int, **extra: Any
) -> Iterator[tuple[Container, TestClient]]:
    settings = make_settings(
        database_url,
        tmp_path,
        dispatch=False,  # the tests run the dispatcher's passes themselves
        smtp_host="127.0.0.1",
        smtp_port=port,
        follow_rate_limit=3,
        public_base_url="http://smc.test",
        **extra,
    )
    container = build(settings, clock, in_process_worker=True)
    container.start()
    app = create_app(settings, container_factory=lambda: container)
    try:
        with TestClient(app) as client:
            yield container, client
    finally:
        container.close()


def dispatcher(c: Container) -> Dispatcher:
    """The outbox dispatcher as the server wires it (a new one is a restarted process)."""
    made = make_dispatcher(c.settings, c.clock, (c.warnings, c.deliveries), c.views)
    return attach_mail(made, c.settings, c.follow, c.views)


def pump(c: Container, d: Dispatcher, rounds: int = 3) -> None:
    """Passes of the dispatcher, each after the views caught up (queue, then send)."""
    for _ in range(rounds):
        assert c.views.wait(c.store.head(), timeout=60)
        d.run_once()
