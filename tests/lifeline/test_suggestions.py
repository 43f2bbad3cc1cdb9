"""Incident suggestions: N postings of one class within 30 minutes and 1 km become a
"possible incident here"; accepting opens the incident and drafts the warning for approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.clock import FixedClock
from domain.context import Cause
from domain.incident_suggestions import RULES, Sighting, detect
from domain.postings import IncomingPosting
from tests.lifeline.helpers import GWANAK, DeskApi

T0 = datetime(2026, 7, 14, 0, 30, tzinfo=UTC)
FLOOD = next(r for r in RULES if r.cls == "flood")


def _sightings(n: int, *, step_min: float = 2, spread_deg: float = 0.001) -> list[Sighting]:
    return [
        Sighting(
            f"p{i}",
            f"신림동 도로 침수 {i}",
            126.93 + i * spread_deg,
            37.48,
            T0 + timedelta(minutes=i * step_min),
        )
        for i in range(n)
    ]


def test_thresholds_number_time_and_distance() -> None:
    assert [c.rule.cls for c in detect(_sightings(FLOOD.min_reports))] == ["flood"]
    assert detect(_sightings(FLOOD.min_reports - 1)) == []
    assert detect(_sightings(FLOOD.min_reports, step_min=20)) == []  # spread over 80 min
    assert detect(_sightings(FLOOD.min_reports, spread_deg=0.01)) == []  # ~0.9 km apart each
    unrelated = [
        Sighting(s.posting_id, "오늘 날씨 좋네요", s.lon, s.lat, s.at) for s in _sightings(10)
    ]
    assert detect(unrelated) == []


def test_scan_suggests_once_and_accept_opens_incident_and_drafts_warning(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    desk = DeskApi(client, container)
    clock.set(T0 + timedelta(minutes=15))
    items = [
        IncomingPosting(
            channel="x",
            source_id=f"s{i}",
            text=f"신림역 앞 도로 침수 심각 {i}",
            created_at=T0 + timedelta(minutes=i),
            lon=126.929 + i * 0.0005,
            lat=37.484,
            hashtags=("#서울호우",),
        )
        for i in range(6)
    ]
    container.intake.ingest(Cause("system:test"), items)
    desk.position = container.store.head()
    first = desk.post(f"/api/lifeline/suggestions/scan?after={desk.position}")
    again = desk.post(f"/api/lifeline/suggestions/scan?after={desk.position}")
    assert len(first["suggested"]) == 1 and again["suggested"] == []
    listed = desk.get("/api/lifeline/suggestions").json()
    proposal = listed[0]["proposal"]
    assert proposal["cls"] == "flood" and proposal["district"] == GWANAK
    assert proposal["playbook_id"] == "urban_flooding" and len(proposal["posting_ids"]) == 6
    done = desk.post(f"/api/lifeline/suggestions/{first['suggested'][0]}/accept")
    detail = desk.detail(done["incident_id"])
    assert detail["districts"] == [GWANAK] and detail["reports"]["unverified"] == 6
    warning = client.get(
        f"/api/warnings/{done['warning_id']}?after={desk.position}", headers=desk.desk
    ).json()
    assert warning["state"] == "submitted" and warning["playbook_id"] == "urban_flooding"
    assert desk.get("/api/lifeline/suggestions").json() == []
    accepted = desk.get("/api/lifeline/suggestions?state=accepted").json()
    assert accepted[0]["incident_id"] == done["incident_id"]
