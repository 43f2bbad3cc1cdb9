"""Incidents for LIFELINE: casualty and damage figures with their sources, linked reports.

Every figure is a *statement* (an update) by one source about one district. A later update may
supersede an earlier one of the same kind (a correction or a revision); a superseded update no
longer counts, so a district's figure is the sum of its live updates and is never counted twice.
Closing an incident freezes its figures; the record stays readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.errors import InvalidInputError, TransitionNotAllowedError

STATUSES = ("Actual", "Exercise")
SOURCES = ("official", "hospital", "police", "fire", "citizen")
OFFICIAL_SOURCES = frozenset(SOURCES) - {"citizen"}
CASUALTY_FIELDS = ("dead", "injured", "missing", "evacuated", "sheltered")
DAMAGE_FIELDS = (
    "houses_flooded",
    "houses_damaged",
    "roads_closed",
    "power_outage",
    "water_outage",
    "telecom_outage",
    "landslides",
)
KINDS = {"casualty": CASUALTY_FIELDS, "damage": DAMAGE_FIELDS}
VERIFICATION = ("unverified", "verified", "false")
MAX_FIGURE = 10_000_000


def check_figures(kind: str, figures: Mapping[str, Any]) -> dict[str, int]:
    """Known fields only, whole numbers from 0, at least one."""
    allowed = KINDS[kind]
    unknown = sorted(set(figures) - set(allowed))
    if unknown:
        raise InvalidInputError(f"unknown {kind} fields: {', '.join(unknown)}")
    out: dict[str, int] = {}
    for name in allowed:
        value = figures.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_FIGURE:
            raise InvalidInputError(f"{name} must be a whole number from 0 to {MAX_FIGURE}")
        out[name] = value
    if not out:
        raise InvalidInputError(f"a {kind} update needs at least one of {', '.join(allowed)}")
    return out


def update_id(incident_id: UUID, key: str) -> str:
    return str(ids.natural_id("incident-update", str(incident_id), key))


class Incident(SmcAggregate):
    """One disaster the desk follows on LIFELINE, from opening to its frozen record."""

    @staticmethod
    def create_id(key: str) -> UUID:
        return ids.natural_id("incident", key)

    @event("Opened")
    def __init__(
        self,
        key: str,
        playbook_id: str,
        title: dict[str, str],
        area: dict[str, Any],
        status: str,
        hashtags: list[str],
    ) -> None:
        self.key = key
        self.playbook_id = playbook_id
        self.title = title
        self.area = area
        self.status = status
        self.hashtags = hashtags
        self.closed = False
        self.updates: dict[str, dict[str, Any]] = {}

    # -- commands: check, then record -------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise TransitionNotAllowedError("the incident is closed: its figures are frozen")

    def _check_supersedes(self, kind: str, new_id: str, supersedes: str | None) -> None:
        if new_id in self.updates:
            raise TransitionNotAllowedError("this update was already recorded", id=new_id)
        if supersedes is None:
            return
        old = self.updates.get(supersedes)
        if old is None or old["kind"] != kind:
            raise InvalidInputError(f"no earlier {kind} update {supersedes} in this incident")
        if old["superseded_by"]:
            msg = f"update {supersedes} was already superseded by {old['superseded_by']}"
            raise TransitionNotAllowedError(msg)

    def update(
        self,
        kind: str,
        new_id: str,
        district: str,
        figures: Mapping[str, Any],
        *,
        source: str,
        verified: bool,
        supersedes: str | None,
        note: str,
        location: list[float],
    ) -> None:
        self._check_open()
        if source not in SOURCES:
            raise InvalidInputError(f"source must be one of {', '.join(SOURCES)}")
        checked = check_figures(kind, figures)
        self._check_supersedes(kind, new_id, supersedes)
        if kind == "casualty":
            self._casualty_updated(new_id, district, checked, source, verified, supersedes, note)
        else:
            self._damage_updated(
                new_id, district, checked, source, verified, supersedes, note, location
            )

    def close(self, reason: str) -> None:
        self._check_open()
        self._closed(reason=reason)

    # -- events: assign only -----------------------------------------------------------------
    def _remember(self, kind: str, update_id: str, supersedes: str | None) -> None:
        self.updates[update_id] = {"kind": kind, "superseded_by": ""}
        if supersedes is not None:
            self.updates[supersedes]["superseded_by"] = update_id

    @event("CasualtyUpdated")
    def _casualty_updated(
        self,
        update_id: str,
        district: str,
        figures: dict[str, Any],
        source: str,
        verified: bool,
        supersedes: str | None,
        note: str,
    ) -> None:
        del district, figures, source, verified, note  # kept in the event, read by projections
        self._remember("casualty", update_id, supersedes)

    @event("DamageUpdated")
    def _damage_updated(
        self,
        update_id: str,
        district: str,
        figures: dict[str, Any],
        source: str,
        verified: bool,
        supersedes: str | None,
        note: str,
        location: list[float],
    ) -> None:
        del district, figures, source, verified, note, location
        self._remember("damage", update_id, supersedes)

    # Reports linked on the incident itself made it heavier with every report; they are
    # IncidentReport aggregates now. These two events stay readable for stored history.
    @event("ReportLinked")
    def _report_linked(self, posting_id: str, details: dict[str, Any]) -> None:
        del posting_id, details

    @event("ReportVerified")
    def _report_verified(self, posting_id: str, state: str, verified_by: str) -> None:
        del posting_id, state, verified_by

    @event("Closed")
    def _closed(self, reason: str) -> None:
        del reason
        self.closed = True


class IncidentReport(SmcAggregate):
    """One linked report per aggregate (the first design; new links are :class:`ReportBatch`
    events and verifications :class:`ReportCheck`). Kept so stored history stays readable."""

    @staticmethod
    def create_id(incident_id: str, posting_id: str) -> UUID:
        return report_id(incident_id, posting_id)

    @event("Linked")
    def __init__(self, incident_id: str, posting_id: str, details: dict[str, Any]) -> None:
        self.incident_id = incident_id
        self.posting_id = posting_id
        self.state = "unverified"
        del details

    def verify(self, state: str, verified_by: str) -> None:
        if state not in VERIFICATION:
            raise InvalidInputError(f"state must be one of {', '.join(VERIFICATION)}")
        if state != self.state:
            self._verified(self.incident_id, self.posting_id, state, verified_by)

    @event("Verified")
    def _verified(self, incident_id: str, posting_id: str, state: str, verified_by: str) -> None:
        del incident_id, posting_id, verified_by
        self.state = state


def report_id(incident_id: str, posting_id: str) -> UUID:
    return ids.natural_id("incident-report", incident_id, posting_id)


class ReportBatch(SmcAggregate):
    """Citizen reports linked to an incident in one go (one event for up to 500 reports)."""

    @staticmethod
    def create_id(incident_id: str, batch_key: str) -> UUID:
        return ids.natural_id("incident-report-batch", incident_id, batch_key)

    @event("Linked")
    def __init__(self, incident_id: str, batch_key: str, reports: list[dict[str, Any]]) -> None:
        self.incident_id = incident_id
        self.batch_key = batch_key
        self.size = len(reports)


class ReportCheck(SmcAggregate):
    """The verification state of one linked report, and who set it."""

    @staticmethod
    def create_id(incident_id: str, posting_id: str) -> UUID:
        return check_id(incident_id, posting_id)

    @event("Verified")
    def __init__(self, incident_id: str, posting_id: str, state: str, verified_by: str) -> None:
        check_state(state)
        self.incident_id = incident_id
        self.posting_id = posting_id
        self.state = state
        del verified_by

    def change(self, state: str, verified_by: str) -> None:
        check_state(state)
        if state != self.state:
            self._changed(self.incident_id, self.posting_id, state, verified_by)

    @event("Changed")
    def _changed(self, incident_id: str, posting_id: str, state: str, verified_by: str) -> None:
        del incident_id, posting_id, verified_by
        self.state = state


def check_state(state: str) -> None:
    if state not in VERIFICATION:
        raise InvalidInputError(f"state must be one of {', '.join(VERIFICATION)}")


def check_id(incident_id: str, posting_id: str) -> UUID:
    return ids.natural_id("report-check", incident_id, posting_id)
