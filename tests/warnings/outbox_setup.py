"""Set-up shared by the rate-limit and connector-channel tests: a container whose directory
holds the given accounts, an accounts file, a desk and an approver; a local connector that
records what it is sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

from api.bootstrap import Container, build
from api.dispatcher import Dispatcher
from api.warning_ports import make_dispatcher
from domain.clock import FixedClock
from domain.context import Cause
from domain.warning_content import AreaSpec
from tests.conftest import make_settings
from tests.helpers import seed_warning_desk

SYS = Cause("system:test")


@contextmanager
def outbox_container(
    database_url: str,
    tmp_path: Path,
    clock: FixedClock,
    accounts: list[tuple[str, str]],
    credentials: dict[str, Any],
    **settings: Any,
) -> Iterator[Container]:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(credentials), "utf-8")
    conf = make_settings(
        database_url,
        tmp_path,
        warning_accounts_file=path,
        dispatch=False,  # the tests drive the dispatcher themselves
        delivery_lease_seconds=0,
        deadline_check_interval=0,
        **settings,
    )
    c = build(conf, clock, in_process_worker=True)
    c.start()
    seed_warning_desk(c, accounts)
    c.views.wait(c.store.head(), timeout=60)
    try:
        yield c
    finally:
        c.close()


def actor(c: Container, name: str) -> Cause:
    user = c.directory.find_user(name)
    assert user is not None
    return Cause(f"user:{user.id}")


def issue(c: Container, key: str = "w1", status: str = "Actual") -> UUID:
    w = c.warnings
    draft = w.draft(
        actor(c, "desk1"),
        key=key,
        playbook_id="heavy_rain",
        stage_id="advisory",
        status=status,
        area=AreaSpec("districts", ("11110",)),
    )
    w.submit(actor(c, "desk1"), draft.id)
    w.approve(actor(c, "appr1"), draft.id, "approver")
    return draft.id


def dispatcher(c: Container) -> Dispatcher:
    """A fresh dispatcher (a new process, as after a restart), the views caught up."""
    d = make_dispatcher(c.settings, c.clock, (c.warnings, c.deliveries), c.views)
    c.views.wait(c.store.head(), ["deliveries"], timeout=60)
    return d


def run(c: Container, d: Dispatcher | None = None) -> Dispatcher:
    d = d or dispatcher(c)
    c.views.wait(c.store.head(), ["deliveries"], timeout=60)
    d.run_once()
    c.views.wait(c.store.head(), ["deliveries"], timeout=60)
    return d


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    raw: bytes


@dataclass
class Connector:
    """A local connector service (127.0.0.1) recording every post; ``answers`` queues status
    codes to give before the normal 201."""

    posts: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, server: ThreadingHTTPServer, path: str) -> str:
        return f"http://127.0.0.1:{server.server_address[1]}{path}"


@contextmanager
def connector() -> Iterator[tuple[Connector, ThreadingHTTPServer]]:
    state = Connector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                code = state.answers.pop(0) if state.answers else 201
                if code == 201:
                    got = Received(self.path, json.loads(raw), dict(self.headers), raw)
                    state.posts.append(got)
                    n = len(state.posts)
            self.send_response(code)
            self.send_header("content-type", "application/json")
            self.end_headers()
            if code == 201:
                self.wfile.write(json.dumps({"id": f"remote-{n}"}).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state, server
    finally:
        server.shutdown()
        server.server_close()
