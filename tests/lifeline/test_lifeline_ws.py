"""``/ws/lifeline`` on both backends: snapshot at a position, deltas after it, catch-up on
reconnect from the last position, strict hello, exercise separation."""

from __future__ import annotations

import queue
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from api.bootstrap import Container
from api.lifeline_messages import Delta, Snapshot
from domain.context import Cause
from domain.postings import IncomingPosting
from tests.lifeline.helpers import GWANAK, DeskApi

T0 = datetime(2026, 7, 14, 0, 30, tzinfo=UTC)


def ingest_reports(container: Container, n: int, start: int = 0) -> list[str]:
    """``n`` located citizen postings in Gwanak-gu under the incident hashtag."""
    items = [
        IncomingPosting(
            channel="x",
            source_id=f"ll-{start + i}",
            text=f"신림동 도로 침수 #서울호우 {start + i}",
            created_at=T0 + timedelta(seconds=i),
            lon=126.93 + (i % 10) * 0.001,
            lat=37.48 + (i // 10) * 0.001,
            hashtags=("#서울호우",),
        )
        for i in range(n)
    ]
    container.intake.ingest(Cause("system:test"), items)
    return [str(item.posting_id) for item in items]


def receive(ws: WebSocketTestSession, timeout: float = 5.0) -> dict[str, Any]:
    box: queue.Queue[Any] = queue.Queue()
    threading.Thread(target=lambda: box.put(ws.receive_json()), daemon=True).start()
    try:
        out: dict[str, Any] = box.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no WebSocket message within {timeout} s")
    return out


def receive_until(ws: WebSocketTestSession, position: int) -> dict[str, Any]:
    while True:
        msg = receive(ws)
        if msg["position"] >= position:
            return msg


def totals(msg: dict[str, Any], iid: str) -> dict[str, Any]:
    inc = next(i for i in msg["incidents"] if i["id"] == iid)
    return {k: v["value"] for k, v in inc["figures"]["totals"].items()}


def test_snapshot_then_deltas_then_catch_up_after_reconnect(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    desk.casualty(iid, figures={"dead": 1})
    container.views.wait(desk.position)
    with client.websocket_connect("/ws/lifeline") as ws:
        ws.send_json({"type": "hello", "since": None})
        snap = Snapshot.model_validate(receive(ws))
        assert snap.position >= desk.position - 1 and totals(snap.model_dump(), iid)["dead"] == 1
        desk.casualty(iid, figures={"dead": 2}, source="hospital")
        delta = receive_until(ws, desk.position)
        Delta.model_validate(delta)
        assert delta["type"] == "delta" and totals(delta, iid)["dead"] == 3
        last = delta["position"]
    # offline: two more updates and a linked report
    desk.casualty(iid, figures={"injured": 7}, source="fire")
    desk.casualty(iid, figures={"dead": 1}, source="citizen", verified=False)
    container.views.wait(desk.position)
    with client.websocket_connect("/ws/lifeline") as ws:
        ws.send_json({"type": "hello", "since": last})
        missed = receive(ws)
    assert missed["type"] == "delta" and missed["position"] >= desk.position
    with client.websocket_connect("/ws/lifeline") as ws:
        ws.send_json({"type": "hello", "since": None})
        fresh = receive(ws)
    assert fresh["type"] == "snapshot"
    assert next(i for i in missed["incidents"] if i["id"] == iid) == next(
        i for i in fresh["incidents"] if i["id"] == iid
    )


def test_a_position_from_the_future_gets_a_fresh_snapshot_and_bad_hello_an_error(
    client: TestClient, container: Container
) -> None:
    with client.websocket_connect("/ws/lifeline") as ws:
        ws.send_json({"type": "hello", "since": 10**9})
        assert receive(ws)["type"] == "snapshot"
    with client.websocket_connect("/ws/lifeline") as ws:
        ws.send_json({"type": "hello", "since": 1, "sneaky": True})
        assert receive(ws)["type"] == "error"


def test_exercise_changes_reach_only_exercise_clients(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    real = desk.open(key="real-incident-ws")
    container.views.wait(desk.position)
    with (
        client.websocket_connect("/ws/lifeline") as ws_real,
        client.websocket_connect("/ws/lifeline") as ws_drill,
    ):
        ws_real.send_json({"type": "hello", "since": desk.position})
        ws_drill.send_json({"type": "hello", "since": desk.position, "exercise": True})
        receive(ws_real), receive(ws_drill)
        drill = desk.open(status="Exercise", key="drill-incident-ws")
        desk.casualty(drill, figures={"dead": 50})
        seen = receive_until(ws_drill, desk.position)
        assert totals(seen, drill)["dead"] == 50
        desk.casualty(real, GWANAK, figures={"dead": 1})
        msg = receive_until(ws_real, desk.position)
        assert [i["id"] for i in msg["incidents"]] == [real]
