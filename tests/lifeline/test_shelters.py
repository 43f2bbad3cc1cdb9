"""Shelters of an incident: domain rules, API and GeoJSON, the page (without JavaScript), the
WebSocket delta, and exercise shelters kept out of the real view (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.lifeline_messages import Delta
from domain.context import Cause, acting
from domain.directory import Role
from domain.errors import InvalidInputError
from domain.shelters import Shelter, check_counts, check_point
from tests.helpers import user_with_role
from tests.lifeline.helpers import DONGJAK, GWANAK, DeskApi
from tests.lifeline.test_lifeline_ws import receive, receive_until

T0 = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
GYM = {
    "name_ko": "신림초등학교 체육관",
    "name_en": "Sillim Elementary School gym",
    "address": "관악구 신림로 246",
    "lon": 126.9297,
    "lat": 37.4846,
    "district": GWANAK,
    "capacity": 200,
    "occupancy": 80,
}


def open_shelter(desk: DeskApi, iid: str, **over: Any) -> str:
    out = desk.post(f"/api/lifeline/incidents/{iid}/shelters", {**GYM, **over}, 201)
    return str(out["id"])


def test_points_and_counts_are_checked() -> None:
    assert check_point(126.97801234, 37.5665) == [126.978012, 37.5665]
    for lon, lat in ((0.0, 0.0), (37.5, 126.9), (float("nan"), 37.5), (126.9, 91.0)):
        with pytest.raises(InvalidInputError, match="not a shelter location"):
            check_point(lon, lat)
    check_counts(10, 10, "full")
    for cap, occ, status in ((0, 0, "open"), (10, 11, "open"), (10, -1, "open"), (10, 1, "shut")):
        with pytest.raises(InvalidInputError):
            check_counts(cap, occ, status)


def test_an_update_records_only_a_change() -> None:
    with acting(Cause("system:test"), T0):
        s = Shelter("inc", "gym", {"ko": "체육관", "en": "Gym"}, "주소", [126.9, 37.5],
                    GWANAK, 100, 10, "open")  # fmt: skip
        assert s.update(None, 10, None) is False
        assert s.update(None, 100, "full") is True
        with pytest.raises(InvalidInputError, match="occupancy"):
            s.update(None, 101, None)
        assert s.update(150, 101, "open") is True
    names = [type(e).__name__ for e in s.collect_events()]
    assert names == ["Opened", "Updated", "Updated"]
    assert (s.capacity, s.occupancy, s.status) == (150, 101, "open")


def test_the_desk_opens_and_updates_shelters_read_as_json_and_geojson(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    sid = open_shelter(desk, iid, key="sillim-gym-01")
    assert open_shelter(desk, iid, key="sillim-gym-01") == sid  # the same key: one shelter
    other = open_shelter(desk, iid, name_en="Sadang Center", district=DONGJAK, lon=126.98,
                         lat=37.4856, capacity=60, occupancy=0)  # fmt: skip
    desk.post(f"/api/lifeline/incidents/{iid}/shelters/{sid}", {"occupancy": 200, "status": "full"})
    rows = desk.get(f"/api/lifeline/incidents/{iid}/shelters").json()
    assert [r["id"] for r in rows] == [sid, other]
    gym = rows[0]
    assert (gym["occupancy"], gym["capacity"], gym["status"]) == (200, 200, "full")
    assert gym["name_ko"] == "신림초등학교 체육관" and gym["district"] == GWANAK
    r = desk.get(f"/api/lifeline/incidents/{iid}/shelters.geojson")
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 2
    first = fc["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [126.9297, 37.4846]}
    assert first["properties"]["kind"] == "shelter" and first["properties"]["status"] == "full"
    incident_fc = desk.get(f"/api/lifeline/incidents/{iid}.geojson").json()
    kinds = [f["properties"]["kind"] for f in incident_fc["features"]]
    assert kinds.count("shelter") == 2


def test_bad_shelter_input_gets_a_clear_4xx(client: TestClient, container: Container) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    base = f"/api/lifeline/incidents/{iid}/shelters"
    bad = desk.post(base, {**GYM, "lon": 200.0}, 422)
    assert "not a shelter location" in str(bad)
    assert "occupancy" in str(desk.post(base, {**GYM, "occupancy": 500}, 422))
    desk.post(base, {**GYM, "status": "shut"}, 422)
    desk.post(base, {**GYM, "district": "99999"}, 422)
    desk.post("/api/lifeline/incidents/00000000-0000-0000-0000-000000000000/shelters", GYM, 404)
    sid = open_shelter(desk, iid)
    assert "needs" in str(desk.post(f"{base}/{sid}", {}, 422))
    other = desk.open(key="another-incident-1")
    desk.post(f"/api/lifeline/incidents/{other}/shelters/{sid}", {"occupancy": 1}, 404)
    desk.post(f"/api/lifeline/incidents/{iid}/close", {"reason": "over"})
    desk.post(f"{base}/{sid}", {"occupancy": 1}, 409)
    citizen = user_with_role(client, container, Role.OFFICIAL)
    assert client.post(base, json=GYM, headers=citizen).status_code == 403
    assert client.post(base, json=GYM).status_code in (401, 403)


def test_the_page_lists_shelters_and_the_exercise_ones_stay_out_of_the_real_view(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    sid = open_shelter(desk, iid)
    drill = desk.open("Exercise", title_en="Drill flood", key="drill-flood-0001")
    drill_sid = open_shelter(desk, drill, name_en="Drill shelter", name_ko="훈련 대피소")
    page = desk.get(f"/lifeline?incident={iid}&lang=en").text
    assert f'data-shelter-id="{sid}"' in page and "Sillim Elementary School gym" in page
    assert 'data-status="open"' in page and "80 / 200" in page
    assert "Drill shelter" not in page and drill_sid not in page
    ko = desk.get(f"/lifeline?incident={iid}&lang=ko").text
    assert "신림초등학교 체육관" in ko and "운영 중" in ko
    real = desk.get("/lifeline?lang=en").text
    assert "Drill shelter" not in real
    drill_page = desk.get(f"/lifeline?exercise=1&incident={drill}&lang=en").text
    assert "Drill shelter" in drill_page
    rows = container.views["lifeline"].query(
        "SELECT exercise FROM ll_shelters WHERE id = ?", [drill_sid]
    )
    assert rows == [{"exercise": 1}]


def test_a_shelter_update_reaches_websocket_clients_as_a_delta(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    sid = open_shelter(desk, iid)
    container.views.wait(desk.position)
    with client.websocket_connect("/ws/lifeline") as ws:
        ws.send_json({"type": "hello", "since": None})
        snap = receive(ws)
        inc = next(i for i in snap["incidents"] if i["id"] == iid)
        assert [s["occupancy"] for s in inc["shelters"]] == [80]
        desk.post(f"/api/lifeline/incidents/{iid}/shelters/{sid}", {"occupancy": 150})
        delta = receive_until(ws, desk.position)
        Delta.model_validate(delta)
        inc = next(i for i in delta["incidents"] if i["id"] == iid)
        assert [(s["id"], s["occupancy"]) for s in inc["shelters"]] == [(sid, 150)]
