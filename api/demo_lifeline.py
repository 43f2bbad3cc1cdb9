"""Demo LIFELINE incident: a July-style heavy-rain flood in southern Seoul.

Recorded through the real services at earlier times (a clock set back, then moved forward),
so `make run` opens on a living page: ~300 located citizen reports under the incident's
hashtags (some verified, a few false), casualty and damage updates from police, fire
service, hospitals, district offices and citizens (with revisions that supersede earlier
figures), and a few missing-person records with moderated notes. The staged heavy-rain
warning for the same districts comes from ``api.demo_warnings``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from api.bootstrap import Container
from channels.reference_data import load_district_locator
from domain.clock import FixedClock
from domain.context import Cause
from domain.incident_service import FigureUpdate, IncidentService, ReportLink
from domain.incidents import update_id
from domain.intake_service import IntakeService
from domain.missing_persons import MissingPersonService, NoteIn, PersonIn, note_key_id
from domain.postings import IncomingPosting
from domain.shelters import ShelterIn, ShelterService, shelter_id
from domain.store import Commands

KEY = "demo-2026-07-south-seoul-flood"
HASHTAGS = ("#서울호우", "#LIFELINE")
# district: (lon, lat) centre of the flooded streets, and a Korean place for the texts
PLACES = {
    "11620": ((126.929, 37.484), "신림동 도림천"),
    "11590": ((126.951, 37.500), "사당역 사거리"),
    "11545": ((126.896, 37.462), "시흥동"),
    "11530": ((126.888, 37.495), "구로디지털단지역"),
    "11650": ((127.017, 37.485), "강남역 서초 방면"),
    "11680": ((127.028, 37.498), "강남역 사거리"),
}
TEXTS = (
    "{place} 도로가 완전히 물에 잠겼어요 {tags}",
    "{place} 반지하 침수, 주민들 대피 중입니다 {tags}",
    "{place} 맨홀 역류, 차량 통행 불가 {tags}",
    "{place} 정전됐어요. 엘리베이터 멈춤 {tags}",
    "{place} 버스 운행 중단, 우회하세요 {tags}",
    "{place} 하천 수위가 너무 높아요 {tags}",
)
# minutes after opening, kind, district, figures, source, verified, supersedes (index)
UPDATES: tuple[tuple[int, str, str, dict[str, int], str, bool, int | None], ...] = (
    (20, "casualty", "11620", {"evacuated": 120, "sheltered": 80}, "official", True, None),
    (35, "damage", "11620", {"houses_flooded": 46, "roads_closed": 3}, "official", True, None),
    (40, "casualty", "11620", {"dead": 1, "injured": 2}, "police", True, None),
    (55, "casualty", "11590", {"injured": 3, "evacuated": 40}, "fire", True, None),
    (60, "damage", "11590", {"power_outage": 1200, "roads_closed": 2}, "official", True, None),
    (70, "casualty", "11620", {"missing": 2}, "citizen", False, None),
    (80, "casualty", "11620", {"evacuated": 310, "sheltered": 190}, "official", True, 0),
    (95, "casualty", "11680", {"injured": 4}, "hospital", True, None),
    (110, "damage", "11545", {"houses_flooded": 18, "landslides": 1}, "official", True, None),
    (120, "casualty", "11620", {"dead": 2, "injured": 5}, "police", True, 2),
    (140, "casualty", "11530", {"evacuated": 55}, "official", True, None),
    (150, "damage", "11680", {"roads_closed": 6, "telecom_outage": 300}, "official", True, None),
    (170, "casualty", "11620", {"missing": 1}, "police", True, 5),
    (185, "damage", "11620", {"houses_flooded": 132, "roads_closed": 5}, "official", True, 1),
)
# key, ko, en, address, (lon, lat), district, capacity, occupancy at opening, then later
SHELTERS = (
    ("sillim-es", "신림초등학교 체육관", "Sillim Elementary School gym", "관악구 신림로 246",
     (126.9297, 37.4846), "11620", 200, 80, 190),
    ("gwanak-sports", "관악구민종합체육센터", "Gwanak Sports Center", "관악구 관악로 145",
     (126.9533, 37.4786), "11620", 350, 40, 210),
    ("sadang1-cc", "사당1동 주민센터", "Sadang 1-dong Community Center", "동작구 사당로 260",
     (126.9806, 37.4856), "11590", 60, 25, 60),
    ("siheung-es", "시흥초등학교 체육관", "Siheung Elementary School gym", "금천구 시흥대로 291",
     (126.9010, 37.4575), "11545", 150, 10, 12),
)  # fmt: skip
PERSONS = (
    ("김영자", ["Kim Young-ja"], "female", "78", "11620", "believed_missing"),
    ("이준호", ["Lee Jun-ho"], "male", "34", "11590", "believed_alive"),
    ("박서윤", ["Park Seo-yoon"], "female", "9", "11620", "found"),
    ("최동욱", ["Choi Dong-wook"], "male", "51", "11545", "information_sought"),
)


class _Demo:
    def __init__(self, container: Container, start: datetime, cause: Cause) -> None:
        self.container = container
        self.clock = FixedClock(start)
        self.start = start
        commands = Commands(container.store, self.clock)
        self.incidents = IncidentService(commands, container.lifeline.district_known)
        self.intake = IntakeService(commands)
        self.persons = MissingPersonService(commands)
        self.cause = cause
        self.position = 0

    def at(self, minutes: float) -> None:
        self.clock.set(self.start + timedelta(minutes=minutes))

    def reports(self, incident: Any, rng: random.Random, n: int = 300) -> None:
        codes = sorted(PLACES)
        items = []
        for i in range(n):
            code = codes[i % len(codes)] if i % 3 else "11620"
            (lon, lat), place = PLACES[code]
            text = rng.choice(TEXTS).format(place=place, tags=" ".join(HASHTAGS))
            items.append(
                IncomingPosting(
                    channel="x",
                    source_id=f"demo-flood-{i:04d}",
                    text=f"{text} ({i})",
                    created_at=self.start + timedelta(minutes=10 + i * 0.6),
                    lon=round(lon + rng.gauss(0, 0.006), 6),
                    lat=round(lat + rng.gauss(0, 0.004), 6),
                    hashtags=HASHTAGS,
                    media_urls=(f"https://pbs.example/demo/flood-{i}.jpg",) if i % 7 == 0 else (),
                )
            )
        self.at(190)
        self.intake.ingest(Cause("system:demo"), items)
        ids = [str(item.posting_id) for item in items]
        links = [_link(item) for item in items]
        self.incidents.link_reports(self.cause, incident.id, links)
        for pid in ids[::7]:
            self.incidents.verify_report(self.cause, incident.id, pid, "verified")
        for pid in ids[3::61]:
            self.incidents.verify_report(self.cause, incident.id, pid, "false")

    def updates(self, incident_id: Any) -> None:
        made: list[str] = []
        for i, (minute, kind, code, figures, source, verified, sup) in enumerate(UPDATES):
            self.at(minute)
            update = FigureUpdate(
                kind,
                f"demo-update-{i:02d}",
                code,
                figures,
                source,
                verified,
                made[sup] if sup is not None else None,
                location=PLACES[code][0] if kind == "damage" else None,
            )
            self.incidents.update(self.cause, incident_id, update)
            made.append(update_id(incident_id, update.key))

    def shelters(self, incident_id: Any) -> None:
        service = ShelterService(self.incidents.commands, self.incidents.district_known)
        for i, (key, ko, en, address, (lon, lat), code, cap, first, later) in enumerate(SHELTERS):
            self.at(25 + 10 * i)
            shelter = ShelterIn(key, ko, en, address, lon, lat, code, cap, first)
            service.open(self.cause, incident_id, shelter)
            self.at(150 + 5 * i)
            sid = shelter_id(str(incident_id), key)
            status = "full" if later == cap else "open"
            service.update(self.cause, incident_id, sid, occupancy=later, status=status)

    def persons_and_notes(self, incident_id: Any) -> None:
        for i, (name, alt, sex, age, code, status) in enumerate(PERSONS):
            self.at(60 + 25 * i)
            person = PersonIn(
                f"demo-person-{i}",
                name,
                tuple(alt),
                sex,
                age,
                code,
                "demo record",
                home_address="(비공개 주소)",
                author_name="가족",
            )
            rec = self.persons.register(self.cause, incident_id, person)
            self.at(130 + 10 * i)
            note = NoteIn(f"demo-note-{i}", status, f"{name} 관련 제보 ({status})", "가족")
            self.persons.add_note(Cause("citizen:demo"), rec.id, note)
            if i < 3:
                nid = note_key_id(rec.id, note.key)
                self.persons.moderate(self.cause, rec.id, nid, "approved")


def _link(item: IncomingPosting) -> ReportLink:
    assert item.lon is not None and item.lat is not None
    district = load_district_locator().locate_point(item.lon, item.lat)
    photo = item.media_urls[0] if item.media_urls else ""
    code = district.code if district else ""
    created = item.created_at.isoformat()
    return ReportLink(
        str(item.posting_id), item.lon, item.lat, code, item.text, photo, created, "hashtag"
    )


def load_lifeline_demo(container: Container) -> int:
    """Record the demo incident once (development and test only); returns events' position."""
    if container.settings.env == "production":
        return 0
    desk = container.directory.find_user("park.desk")
    if desk is None:
        return 0
    cause = Cause(f"user:{desk.id}")
    if container.store.exists(IncidentService.incident_id(KEY)):
        return 0
    demo = _Demo(container, container.clock.now() - timedelta(hours=3, minutes=30), cause)
    opened = demo.incidents.open(
        cause,
        key=KEY,
        playbook_id="heavy_rain",
        title={"ko": "서울 남부 집중호우·도림천 범람", "en": "Heavy rain flood, southern Seoul"},
        districts=sorted(PLACES),
        hashtags=HASHTAGS,
    )
    demo.updates(opened.id)
    demo.shelters(opened.id)
    demo.persons_and_notes(opened.id)
    demo.reports(demo.incidents.get(opened.id), random.Random(2013))  # noqa: S311 - demo data
    return container.store.head()
