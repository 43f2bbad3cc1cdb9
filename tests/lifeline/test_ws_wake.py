"""The LIFELINE hub is told when its view moved (SQLite catch-up loop) instead of waiting for
its poll, and ``smc serve`` sends WebSocket frames uncompressed. The hub's poll is set to an
hour here, so a delta that arrives at all was sent because the hub was woken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.sync.client import connect

from api.bootstrap import Container, build
from api.settings import Settings
from domain.clock import FixedClock
from domain.context import Cause
from projections.lifeline import LifelineProjection
from projections.public import PublicProjection
from tests.lifeline.helpers import DeskApi
from tests.lifeline.test_lifeline_ws import receive, totals
from tests.servers import ADMIN_PASSWORD, SmcServer, process_env, token

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # the catch-up loop is SQLite's
AN_HOUR = 3600.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The hub's own poll never fires during a test: only the catch-up loop can wake it."""
    return settings.model_copy(update={"lifeline_poll_interval": AN_HOUR})


def test_catch_up_loop_tells_the_listeners_of_a_view_that_moved(
    settings: Settings, clock: FixedClock
) -> None:
    c = build(settings, clock)  # not started: the test drives the loop itself
    try:
        loop = c.catchup
        assert loop is not None
        lifeline, public = c.views.get(LifelineProjection), c.views.get(PublicProjection)
        heard: list[int] = []
        public_heard: list[int] = []

        def broken(position: int) -> None:
            raise RuntimeError(position)

        loop.on_advance(lifeline, broken)  # a failing listener stops neither the others ...
        loop.on_advance(lifeline, heard.append)
        loop.on_advance(public, public_heard.append)
        # views someone waits for are caught up before the others
        assert {p.name for p in loop.projections[:2]} == {lifeline.name, public.name}
        loop.run_once()  # the first run tells where the views are
        heard.clear()
        public_heard.clear()
        loop.run_once()
        assert heard == public_heard == []  # nothing moved, nobody is told
        c.lifeline.open(Cause("system:test"), key="wake", playbook_id="heavy_rain",
                        title={"ko": "호우", "en": "Rain"}, districts=["11620"])  # fmt: skip
        loop.run_once()
        assert heard == [lifeline.view.position()] and heard[0] > 0
        assert public_heard == [public.view.position()]
        assert loop.errors == {}  # ... nor the projections
    finally:
        c.close()


def _dead(msg: dict[str, Any], iid: str) -> int | None:
    return next((totals(msg, iid)["dead"] for i in msg["incidents"] if i["id"] == iid), None)


def test_hub_is_woken_by_the_catch_up_loop_not_by_its_poll(
    client: TestClient, container: Container
) -> None:
    hub = container.lifeline_hub
    assert hub is not None and hub.poll_interval == AN_HOUR
    desk = DeskApi(client, container)
    iid = desk.open()
    container.views.wait(desk.position)
    with client.websocket_connect("/ws/lifeline") as ws:
        ws.send_json({"type": "hello", "since": None})
        assert receive(ws)["type"] == "snapshot"
        for dead in (1, 2):  # twice: the hub goes back to waiting after each broadcast
            desk.casualty(iid, figures={"dead": 1})
            while (msg := receive(ws, timeout=30))["position"] < desk.position:
                pass
            assert msg["type"] == "delta" and totals(msg, iid)["dead"] == dead


@pytest.mark.slow
def test_smc_serve_wakes_its_hub_and_sends_uncompressed_frames(
    database_url: str, tmp_path: Path
) -> None:
    env = process_env(database_url, tmp_path / "var")
    env["SMC_LIFELINE_POLL_INTERVAL"] = str(AN_HOUR)
    server = SmcServer(env, tmp_path / "serve.log")
    try:
        auth = token(server.url, "root", ADMIN_PASSWORD)
        body = {"playbook_id": "heavy_rain", "title_ko": "호우", "title_en": "Rain",
                "districts": ["11620"]}  # fmt: skip
        url = f"{server.url}/api/lifeline/incidents"
        iid = httpx.post(url, json=body, headers=auth).json()["id"]
        # the client offers permessage-deflate (as browsers do); the server declines it
        with connect(server.url.replace("http", "ws") + "/ws/lifeline") as ws:
            assert ws.protocol.extensions == []
            ws.send(json.dumps({"type": "hello", "since": None}))
            assert json.loads(ws.recv(timeout=30))["type"] == "snapshot"
            update = {"district": "11620", "figures": {"dead": 3}, "source": "police",
                      "verified": True}  # fmt: skip
            r = httpx.post(f"{url}/{iid}/casualties", json=update, headers=auth)
            assert r.status_code == 200, r.text
            while _dead(msg := json.loads(ws.recv(timeout=30)), iid) != 3:
                assert msg["type"] == "delta"
    finally:
        server.stop()
