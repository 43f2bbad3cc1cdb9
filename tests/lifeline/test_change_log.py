"""The LIFELINE change log (``ll_changes``, the WebSocket resume log) keeps only each
incident's latest change; resuming from a pruned position still brings every incident that
changed since, a rebuilt view equals the live one, and a fresh snapshot agrees."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.bootstrap import Container
from projections.catchup import catch_up
from projections.lifeline import LifelineProjection
from tests.lifeline.helpers import DONGJAK, GWANAK, DeskApi
from tests.lifeline.test_lifeline_ws import receive


def _log(container: Container) -> list[dict[str, Any]]:
    return container.views.get(LifelineProjection).query(
        "SELECT position, incident_id, exercise FROM ll_changes ORDER BY position"
    )


def _hello(client: TestClient, since: int | None) -> dict[str, Any]:
    with client.websocket_connect("/ws/lifeline") as ws:
        ws.send_json({"type": "hello", "since": since})
        return receive(ws)


def _states(msg: dict[str, Any]) -> dict[str, Any]:
    return {i["id"]: i for i in msg["incidents"]}


def test_each_incident_keeps_only_its_latest_change(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    first = desk.open(key="change-log-first")
    opened_at = desk.position
    for n in range(1, 5):
        desk.casualty(first, figures={"dead": n}, source="police")
    second = desk.open(key="change-log-second", districts=[DONGJAK])
    desk.casualty(second, DONGJAK, figures={"injured": 3})
    last_of_first = desk.casualty(first, GWANAK, figures={"injured": 1})["position"]
    drill = desk.open(status="Exercise", key="change-log-drill")
    desk.casualty(drill, figures={"dead": 9})
    container.views.wait(desk.position)
    log = _log(container)
    assert [r["incident_id"] for r in log] == [second, first, drill]
    assert log[1]["position"] == last_of_first and log[-1]["position"] == desk.position
    assert [r["exercise"] for r in log] == [0, 0, 1]

    resumed = _hello(client, opened_at)  # the rows after this position were pruned
    fresh = _hello(client, None)
    assert resumed["type"] == "delta" and fresh["type"] == "snapshot"
    assert resumed["position"] == fresh["position"] == desk.position
    assert _states(resumed) == _states(fresh)
    assert _states(fresh)[first]["figures"]["totals"]["dead"]["value"] == 10
    assert drill not in _states(fresh)


def test_a_rebuilt_view_has_the_same_log_and_gives_clients_the_same_states(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open(key="change-log-rebuild")
    middle = desk.casualty(iid, figures={"dead": 1})["position"]
    desk.casualty(iid, figures={"dead": 2}, source="hospital")
    desk.damage(iid)
    container.views.wait(desk.position)
    view = container.views.get(LifelineProjection)
    before, log, resumed = view.dump(), _log(container), _hello(client, middle)
    assert len(log) == 1
    view.reset()
    catch_up(container.store, view, page_size=2, until=desk.position)
    assert view.dump() == before
    assert _log(container) == log
    assert _hello(client, middle) == resumed
