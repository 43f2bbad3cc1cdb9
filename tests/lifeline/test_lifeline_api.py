"""LIFELINE API on both backends: figures with provenance, supersede, exercise separation,
GeoJSON, CSV, close, and the role guards of the desk's routes."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.directory import Role
from tests.helpers import user_with_role
from tests.lifeline.helpers import DONGJAK, GWANAK, DeskApi


def test_superseded_figure_is_not_double_counted_and_links_to_its_events(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    first = desk.casualty(
        iid, figures={"dead": 2, "injured": 5}, source="police", key="police-0001"
    )
    desk.casualty(iid, DONGJAK, figures={"dead": 1}, source="hospital", key="hosp-0001")
    desk.casualty(iid, figures={"injured": 4}, source="citizen", verified=False, key="citizen-01")
    detail = desk.detail(iid)
    police = next(u for u in detail["updates"] if u["source"] == "police")
    # the police revise their Gwanak count: 3 dead, 5 injured (replaces, never adds)
    desk.casualty(
        iid, figures={"dead": 3, "injured": 5}, supersedes=police["id"], key="police-0002"
    )
    detail = desk.detail(iid)
    totals = detail["figures"]["totals"]
    assert totals["dead"]["value"] == 4  # 3 (revised police) + 1 (hospital)
    assert totals["injured"] == {
        "value": 5,
        "unverified": 4,
        "updates": totals["injured"]["updates"],
    }
    live = {u["id"]: u for u in detail["updates"] if u["live"]}
    assert police["id"] not in live
    assert set(totals["dead"]["updates"]) <= set(live)
    for uid in totals["dead"]["updates"]:
        assert live[uid]["position"] > 0 and live[uid]["event"] == "smc:Incident.CasualtyUpdated"
    gwanak = next(d for d in detail["figures"]["districts"] if d["code"] == GWANAK)
    assert gwanak["figures"]["dead"]["value"] == 3
    assert detail["figures"]["mix"] == {"official": 2, "citizen": 0}
    history = desk.get(f"/api/lifeline/incidents/{iid}/figures/dead?district={GWANAK}").json()
    assert [(r["amount"], r["live"]) for r in history["revisions"]] == [(2, False), (3, True)]
    assert history["revisions"][0]["superseded_by"] == history["revisions"][1]["id"]
    assert first["position"] < history["revisions"][1]["position"]
    page = desk.get(f"/lifeline/incidents/{iid}/figures/dead?district={GWANAK}&lang=en").text
    assert f'id="u-{police["id"]}"' in page and 'data-live="no"' in page


def test_exercise_figures_never_reach_the_real_view(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    real = desk.open(key="real-incident-1")
    drill = desk.open(status="Exercise", key="drill-incident-1", title_en="Drill flood")
    desk.casualty(real, figures={"dead": 1})
    desk.casualty(drill, figures={"dead": 99})
    assert [i["id"] for i in desk.get("/api/lifeline/incidents").json()] == [real]
    assert [i["id"] for i in desk.get("/api/lifeline/incidents?exercise=true").json()] == [drill]
    page = desk.get("/lifeline?lang=en").text
    assert "Drill flood" not in page and "exercise-banner" not in page
    dead = page.split('id="total-dead"')[1].split('class="value">')[1].split("<")[0]
    assert dead == "1"  # the drill's 99 dead never reach the real view
    drill_page = desk.get("/lifeline?exercise=1&lang=en").text
    assert 'id="exercise-banner"' in drill_page and "Drill flood" in drill_page
    assert client.get(f"/lifeline?incident={drill}").status_code == 404  # not in the real view
    event = client.get(
        f"/api/events?originator={drill}", headers=user_with_role(client, container, Role.AUDITOR)
    ).json()
    assert event and all(e.get("exercise", True) for e in event)


def test_geojson_is_an_rfc7946_feature_collection_and_csv_per_district(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    desk.casualty(iid, figures={"dead": 2, "evacuated": 120})
    desk.damage(
        iid,
        DONGJAK,
        figures={"houses_flooded": 30, "roads_closed": 2},
        verified=True,
        location=[126.95, 37.49],
    )
    r = desk.get(f"/api/lifeline/incidents/{iid}.geojson")
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    districts = [f for f in fc["features"] if f["properties"]["kind"] == "district"]
    assert len(districts) == 25
    gwanak = next(f for f in districts if f["properties"]["code"] == GWANAK)
    assert gwanak["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert gwanak["properties"]["figures"]["dead"] == {"value": 2, "unverified": 0}
    lon, lat = (
        gwanak["geometry"]["coordinates"][0][0][:2]
        if gwanak["geometry"]["type"] == ("Polygon")
        else gwanak["geometry"]["coordinates"][0][0][0][:2]
    )
    assert 126 < lon < 128 and 37 < lat < 38  # [lon, lat] order
    rows = list(
        csv.DictReader(
            io.StringIO(
                desk.get(f"/api/lifeline/incidents/{iid}/districts.csv?lang=en").text.lstrip(
                    "\ufeff"
                )
            )
        )
    )
    by_code = {row["district_code"]: row for row in rows}
    assert by_code[GWANAK]["dead"] == "2" and by_code[GWANAK]["evacuated"] == "120"
    assert (
        by_code[DONGJAK]["houses_flooded"] == "30" and by_code[DONGJAK]["district"] == "Dongjak-gu"
    )


def test_reports_are_linked_verified_and_closing_freezes_figures(
    client: TestClient, container: Container
) -> None:
    from tests.lifeline.test_lifeline_ws import ingest_reports

    desk = DeskApi(client, container)
    iid = desk.open()
    ids = ingest_reports(container, 3)
    desk.position = max(desk.position, container.store.head())
    container.views.wait(desk.position)
    desk.post(f"/api/lifeline/incidents/{iid}/reports", {"posting_ids": ids, "how": "hashtag"})
    desk.post(f"/api/lifeline/incidents/{iid}/reports/{ids[0]}/verify", {"state": "verified"})
    desk.post(f"/api/lifeline/incidents/{iid}/reports/{ids[1]}/verify", {"state": "false"})
    assert desk.detail(iid)["reports"] == {"unverified": 1, "verified": 1, "false": 1}
    fc = desk.get(f"/api/lifeline/incidents/{iid}.geojson").json()
    pins = [f for f in fc["features"] if f["properties"]["kind"] == "report"]
    assert sorted(p["properties"]["state"] for p in pins) == ["false", "unverified", "verified"]
    desk.casualty(iid, figures={"dead": 1})
    desk.post(f"/api/lifeline/incidents/{iid}/close", {"reason": "rain over"})
    r = client.post(
        f"/api/lifeline/incidents/{iid}/casualties",
        headers=desk.desk,
        json={"district": GWANAK, "figures": {"dead": 5}, "source": "police"},
    )
    assert r.status_code == 409, r.text
    detail = desk.detail(iid)
    assert detail["state"] == "closed" and detail["figures"]["totals"]["dead"]["value"] == 1
    assert "figures frozen" in desk.get(f"/lifeline?incident={iid}&lang=en").text


def test_bad_input_and_roles(client: TestClient, container: Container) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    bad = [
        {"district": "99999", "figures": {"dead": 1}, "source": "police"},
        {"district": GWANAK, "figures": {"dead": -1}, "source": "police"},
        {"district": GWANAK, "figures": {"unicorns": 1}, "source": "police"},
        {"district": GWANAK, "figures": {"dead": 1}, "source": "rumour"},
        {"district": GWANAK, "figures": {"dead": 1}, "source": "police", "extra": 1},
    ]
    for body in bad:
        r = client.post(f"/api/lifeline/incidents/{iid}/casualties", json=body, headers=desk.desk)
        assert r.status_code in (400, 422), (body, r.status_code)
    official = user_with_role(client, container, Role.OFFICIAL)
    r = client.post(
        f"/api/lifeline/incidents/{iid}/casualties",
        headers=official,
        json={"district": GWANAK, "figures": {"dead": 1}, "source": "police"},
    )
    assert r.status_code == 403
    assert client.post("/api/lifeline/incidents", json={}).status_code == 401


def test_autolink_takes_hashtag_postings_in_the_incident_area(
    client: TestClient, container: Container
) -> None:
    from datetime import UTC, datetime

    from domain.context import Cause
    from domain.postings import IncomingPosting

    desk = DeskApi(client, container)
    iid = desk.open()  # districts Gwanak and Dongjak, hashtag #서울호우
    at = datetime(2026, 7, 14, 0, 45, tzinfo=UTC)

    def post(sid: str, lon: float | None, lat: float | None, tags: tuple[str, ...]) -> None:
        item = IncomingPosting(
            channel="x",
            source_id=sid,
            text=f"물이 찼어요 {sid}",
            created_at=at,
            lon=lon,
            lat=lat,
            hashtags=tags,
        )
        container.intake.ingest(Cause("system:test"), [item])

    post("in-gwanak", 126.93, 37.48, ("#서울호우",))
    post("no-location", None, None, ("#서울호우",))
    post("in-mapo", 126.90, 37.56, ("#서울호우",))  # outside the incident's districts
    post("no-tag", 126.93, 37.48, ("#날씨",))
    desk.position = container.store.head()
    desk.post(f"/api/lifeline/incidents/{iid}/autolink?after={desk.position}")
    desk.post(f"/api/lifeline/incidents/{iid}/autolink?after={desk.position}")  # idempotent
    assert desk.detail(iid)["reports"] == {"unverified": 2, "verified": 0, "false": 0}
