"""Shelters of an incident: where evacuated people are sheltered, and how full each one is.

The desk records a shelter (name in Korean and English, address, point, district, capacity)
for an incident, then updates its occupancy and status (``open``, ``full``, ``closed``) over
time. The incident decides the ``exercise`` flag (an Exercise incident's shelters never reach
the real view) and a closed incident freezes its shelters too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.context import Cause
from domain.errors import InvalidInputError, NotFoundError, TransitionNotAllowedError
from domain.incidents import Incident
from domain.store import Commands, Recorded

SHELTER_STATUSES = ("open", "full", "closed")
MAX_CAPACITY = 100_000
# a sane range for Seoul's (and Korea's) shelters: longitude 124–132 E, latitude 33–39 N
LON_RANGE = (124.0, 132.0)
LAT_RANGE = (33.0, 39.0)


def shelter_id(incident_id: str, key: str) -> UUID:
    return ids.natural_id("shelter", incident_id, key)


def check_point(lon: float, lat: float) -> list[float]:
    finite = math.isfinite(lon) and math.isfinite(lat)
    if not (finite and LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
        msg = (
            f"({lon}, {lat}) is not a shelter location: longitude must be {LON_RANGE[0]}–"
            f"{LON_RANGE[1]} and latitude {LAT_RANGE[0]}–{LAT_RANGE[1]} (WGS 84)"
        )
        raise InvalidInputError(msg)
    return [round(lon, 6), round(lat, 6)]


def check_counts(capacity: int, occupancy: int, status: str) -> None:
    if status not in SHELTER_STATUSES:
        raise InvalidInputError(f"status must be one of {', '.join(SHELTER_STATUSES)}")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInputError(f"capacity must be a whole number from 1 to {MAX_CAPACITY}")
    if not 0 <= occupancy <= capacity:
        raise InvalidInputError(
            f"occupancy must be from 0 to the capacity ({capacity}); raise the capacity first"
        )


def _text(value: str, what: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if len(value) > limit or (required and not value):
        raise InvalidInputError(f"{what} must be {'1' if required else '0'} to {limit} characters")
    return value


class Shelter(SmcAggregate):
    """One shelter recorded for one incident."""

    @staticmethod
    def create_id(incident_id: str, key: str) -> UUID:
        return shelter_id(incident_id, key)

    @event("Opened")
    def __init__(
        self,
        incident_id: str,
        key: str,
        name: dict[str, str],
        address: str,
        location: list[float],
        district: str,
        capacity: int,
        occupancy: int,
        status: str,
    ) -> None:
        self.incident_id = incident_id
        self.key = key
        self.capacity = capacity
        self.occupancy = occupancy
        self.status = status
        del name, address, location, district

    def update(self, capacity: int | None, occupancy: int | None, status: str | None) -> bool:
        """Record the new figures; False when nothing changed (a repeated update)."""
        new = (
            self.capacity if capacity is None else capacity,
            self.occupancy if occupancy is None else occupancy,
            self.status if status is None else status,
        )
        check_counts(*new)
        if new == (self.capacity, self.occupancy, self.status):
            return False
        self._updated(self.incident_id, *new)
        return True

    @event("Updated")
    def _updated(self, incident_id: str, capacity: int, occupancy: int, status: str) -> None:
        del incident_id
        self.capacity, self.occupancy, self.status = capacity, occupancy, status


@dataclass(frozen=True)
class ShelterIn:
    key: str
    name_ko: str
    name_en: str
    address: str
    lon: float
    lat: float
    district: str
    capacity: int
    occupancy: int = 0
    status: str = "open"


class ShelterService:
    def __init__(self, commands: Commands, district_known: Callable[[str], bool]) -> None:
        self.commands = commands
        self.store = commands.store
        self.district_known = district_known

    def _cause(self, cause: Cause, incident_id: UUID) -> Cause:
        incident = self.store.load(incident_id, Incident, "incident")
        if incident.closed:
            raise TransitionNotAllowedError("the incident is closed: its shelters are frozen")
        return Cause(cause.actor, exercise=incident.status == "Exercise")

    def open(self, cause: Cause, incident_id: UUID, s: ShelterIn) -> Recorded:
        if not self.district_known(s.district):
            raise InvalidInputError(f"unknown district code: {s.district}")
        check_counts(s.capacity, s.occupancy, s.status)
        details: dict[str, Any] = {
            "name": {
                "ko": _text(s.name_ko, "name_ko", 200),
                "en": _text(s.name_en, "name_en", 200),
            },
            "address": _text(s.address, "address", 300),
            "location": check_point(s.lon, s.lat),
            "district": s.district,
        }
        key = _text(s.key, "key", 64)

        def command() -> Recorded:
            sid = shelter_id(str(incident_id), key)
            if self.store.exists(sid):  # the same key again: idempotent
                return Recorded(sid, self.store.head())
            shelter = Shelter(
                str(incident_id), key, **details,
                capacity=s.capacity, occupancy=s.occupancy, status=s.status,
            )  # fmt: skip
            return Recorded(shelter.id, self.commands.save(shelter))

        return self.commands.run(self._cause(cause, incident_id), command)

    def update(
        self,
        cause: Cause,
        incident_id: UUID,
        sid: UUID,
        *,
        capacity: int | None = None,
        occupancy: int | None = None,
        status: str | None = None,
    ) -> Recorded:
        if capacity is None and occupancy is None and status is None:
            raise InvalidInputError("a shelter update needs capacity, occupancy or status")

        def command() -> Recorded:
            shelter = self.store.load(sid, Shelter, "shelter")
            if shelter.incident_id != str(incident_id):
                raise NotFoundError("shelter not found in this incident", id=str(sid))
            if not shelter.update(capacity, occupancy, status):
                return Recorded(sid, self.store.head())
            return Recorded(sid, self.commands.save(shelter))

        return self.commands.run(self._cause(cause, incident_id), command)
