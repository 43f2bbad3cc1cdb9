"""Application service for incidents: open, casualty/damage updates, linked reports, close.

An incident's status decides whether everything it records is an exercise: an Exercise
incident's events always carry ``exercise=True``, whoever sends them, so its figures can never
reach the real view.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain import ids
from domain.context import Cause
from domain.errors import InvalidInputError, TransitionNotAllowedError
from domain.incidents import (
    KINDS,
    STATUSES,
    Incident,
    IncidentReport,
    ReportBatch,
    ReportCheck,
    check_id,
    check_state,
    report_id,
    update_id,
)
from domain.store import Commands, Recorded

DistrictCheck = Callable[[str], bool]
MAX_TEXT = 500
BATCH = 500


@dataclass(frozen=True)
class FigureUpdate:
    """One statement of figures by one source about one district."""

    kind: str  # "casualty" | "damage"
    key: str  # idempotency key chosen by the caller
    district: str
    figures: Mapping[str, Any]
    source: str
    verified: bool = False
    supersedes: str | None = None
    note: str = ""
    location: tuple[float, float] | None = None  # (lon, lat), damage only


@dataclass(frozen=True)
class ReportLink:
    posting_id: str
    lon: float | None = None
    lat: float | None = None
    district: str = ""
    excerpt: str = ""
    photo_url: str = ""
    created_at: str = ""
    how: str = "manual"  # manual | hashtag | area


def _text(value: str, what: str, limit: int = MAX_TEXT, *, required: bool = False) -> str:
    value = value.strip()
    if len(value) > limit or (required and not value):
        raise InvalidInputError(f"{what} must be {'1' if required else '0'} to {limit} characters")
    return value


def _location(location: tuple[float, float] | None) -> list[float]:
    if location is None:
        return []
    lon, lat = location
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInputError(f"({lon}, {lat}) is not a longitude/latitude pair")
    return [round(lon, 6), round(lat, 6)]


class IncidentService:
    def __init__(self, commands: Commands, district_known: DistrictCheck) -> None:
        self.commands = commands
        self.store = commands.store
        self.district_known = district_known

    def _load(self, incident_id: UUID) -> Incident:
        return self.store.load(incident_id, Incident, "incident")

    def _run(self, cause: Cause, incident_id: UUID, change: Callable[[Incident], None]) -> Recorded:
        def command() -> Recorded:
            incident = self._load(incident_id)
            change(incident)
            return Recorded(incident.id, self.commands.save(incident))

        return self.commands.run(self._cause(cause, incident_id), command)

    def _check_districts(self, codes: Sequence[str]) -> list[str]:
        unknown = [c for c in codes if not self.district_known(c)]
        if unknown:
            raise InvalidInputError(f"unknown district codes: {', '.join(unknown)}")
        return sorted(set(codes))

    def open(
        self,
        cause: Cause,
        *,
        key: str,
        playbook_id: str,
        title: Mapping[str, str],
        districts: Sequence[str],
        status: str = "Actual",
        hashtags: Sequence[str] = (),
    ) -> Recorded:
        if status not in STATUSES:
            raise InvalidInputError(f"status must be one of {', '.join(STATUSES)}")
        titles = {
            lang: _text(title.get(lang, ""), f"title.{lang}", 200, required=True)
            for lang in ("ko", "en")
        }
        area = {"districts": self._check_districts(districts)}
        tags = sorted({"#" + t.strip().lstrip("#") for t in hashtags if t.strip().lstrip("#")})
        playbook = _text(playbook_id, "playbook", 64, required=True)

        def command() -> Recorded:
            incident = Incident(key, playbook, titles, area, status, tags)
            if self.store.exists(incident.id):  # the same key again: idempotent
                return Recorded(incident.id, self.store.head())
            return Recorded(incident.id, self.commands.save(incident))

        return self.commands.run(Cause(cause.actor, exercise=status == "Exercise"), command)

    def update(self, cause: Cause, incident_id: UUID, u: FigureUpdate) -> Recorded:
        if u.kind not in KINDS:
            raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}")
        self._check_districts([u.district])
        location = _location(u.location)
        note = _text(u.note, "note")

        def change(incident: Incident) -> None:
            incident.update(
                u.kind,
                update_id(incident.id, _text(u.key, "key", 64, required=True)),
                u.district,
                u.figures,
                source=u.source,
                verified=u.verified,
                supersedes=u.supersedes,
                note=note,
                location=location,
            )

        return self._run(cause, incident_id, change)

    def link_reports(
        self, cause: Cause, incident_id: UUID, links: Sequence[ReportLink]
    ) -> Recorded:
        """Link citizen reports in one event per 500 (the view ignores repeated links)."""
        reports = [{"posting_id": link.posting_id, **_details(link)} for link in links]

        def command() -> Recorded:
            self._open_incident(incident_id)
            batches = []
            for start in range(0, len(reports), BATCH):
                part = reports[start : start + BATCH]
                key = _batch_key(part)
                if not self.store.exists(
                    ids.natural_id("incident-report-batch", str(incident_id), key)
                ):
                    batches.append(ReportBatch(str(incident_id), key, part))
            return Recorded(incident_id, self.commands.save(*batches))

        return self.commands.run(self._cause(cause, incident_id), command)

    def verify_report(
        self, cause: Cause, incident_id: UUID, posting_id: str, state: str
    ) -> Recorded:
        check_state(state)
        iid = str(incident_id)

        def command() -> Recorded:
            self._open_incident(incident_id)
            old = report_id(iid, posting_id)
            if self.store.exists(old):  # linked by the first design
                report = self.store.load(old, IncidentReport, "linked report")
                report.verify(state, cause.actor)
                return Recorded(old, self.commands.save(report))
            cid = check_id(iid, posting_id)
            if self.store.exists(cid):
                check = self.store.load(cid, ReportCheck, "report check")
                check.change(state, cause.actor)
            else:
                check = ReportCheck(iid, posting_id, state, cause.actor)
            return Recorded(cid, self.commands.save(check))

        return self.commands.run(self._cause(cause, incident_id), command)

    def _open_incident(self, incident_id: UUID) -> Incident:
        incident = self._load(incident_id)
        if incident.closed:
            raise TransitionNotAllowedError("the incident is closed: its record is frozen")
        return incident

    def _cause(self, cause: Cause, incident_id: UUID) -> Cause:
        return Cause(cause.actor, exercise=self._load(incident_id).status == "Exercise")

    def close(self, cause: Cause, incident_id: UUID, reason: str) -> Recorded:
        text = _text(reason, "reason") or "closed"

        def change(incident: Incident) -> None:
            incident.close(text)

        return self._run(cause, incident_id, change)

    def get(self, incident_id: UUID) -> Incident:
        return self._load(incident_id)

    @staticmethod
    def incident_id(key: str) -> UUID:
        return ids.natural_id("incident", key)


def _batch_key(reports: Sequence[dict[str, Any]]) -> str:
    joined = "\n".join(sorted(str(r["posting_id"]) for r in reports))
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def _details(link: ReportLink) -> dict[str, Any]:
    if link.how not in ("manual", "hashtag", "area"):
        raise InvalidInputError("how must be manual, hashtag or area")
    point = _location((link.lon, link.lat)) if link.lon is not None and link.lat is not None else []
    return {
        "location": point,
        "district": link.district,
        "excerpt": _text(link.excerpt, "excerpt", 280),
        "photo_url": _text(link.photo_url, "photo link", 500),
        "created_at": link.created_at,
        "how": link.how,
    }
