"""Two ``smc serve`` processes and one ``smc worker`` on PostgreSQL: a casualty update posted to
one process reaches the WebSocket clients of both (each hub polls the shared view)."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.servers import ADMIN_PASSWORD, SmcProcess, SmcServer, process_env, token

pytestmark = pytest.mark.slow
PASSWORD = ADMIN_PASSWORD


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return process_env(database_url, tmp_path / "var")


def _next(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return out


def _dead(msg: dict[str, Any], iid: str) -> int | None:
    for inc in msg["incidents"]:
        if inc["id"] == iid:
            return int(inc["figures"]["totals"]["dead"]["value"])
    return None


@pytest.mark.parametrize("backend", ["postgres"])
def test_an_update_reaches_websocket_clients_of_every_api_process(
    env: dict[str, str], tmp_path: Path
) -> None:
    worker = SmcProcess(["worker"], env, tmp_path / "worker.log")
    servers = [SmcServer(env, tmp_path / "a.log"), SmcServer(env, tmp_path / "b.log")]
    try:
        a = servers[0].url
        auth = token(a, "root", PASSWORD)
        body = {"playbook_id": "heavy_rain", "title_ko": "호우", "title_en": "Rain",
                "districts": ["11620"]}  # fmt: skip
        iid = httpx.post(f"{a}/api/lifeline/incidents", json=body, headers=auth).json()["id"]
        with ExitStack() as stack:
            sockets = [
                stack.enter_context(connect(s.url.replace("http", "ws") + "/ws/lifeline"))
                for s in servers
            ]
            for ws in sockets:
                ws.send(json.dumps({"type": "hello", "since": None}))
                assert _next(ws)["type"] == "snapshot"
            update = {"district": "11620", "figures": {"dead": 4}, "source": "police",
                      "verified": True}  # fmt: skip
            r = httpx.post(
                f"{a}/api/lifeline/incidents/{iid}/casualties", json=update, headers=auth
            )
            assert r.status_code == 200, r.text
            for ws in sockets:
                while _dead(msg := _next(ws), iid) != 4:
                    assert msg["type"] == "delta"
    finally:
        for p in (*servers, worker):
            p.stop()
