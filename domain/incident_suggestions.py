"""Incident suggestions: clusters of casualty, damage or emergency postings in one place.

When at least ``min_reports`` located postings of one class fall within ``window_minutes`` of
each other and within ``radius_km`` of one of them, the desk sees "possible incident here"
with a pre-filled playbook, first stage and district. Thresholds are data (:data:`RULES`).
Suggestions, acceptances and dismissals are events; a cluster near an open or dismissed
suggestion of the same class in the same window is not suggested again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.context import Cause
from domain.errors import TransitionNotAllowedError
from domain.store import Commands, Recorded


@dataclass(frozen=True)
class Rule:
    """When postings of one class become a possible incident, and how it would be opened."""

    cls: str
    keywords: tuple[str, ...]
    playbook_id: str
    stage_id: str
    min_reports: int = 5
    window_minutes: int = 30
    radius_km: float = 1.0


FLOOD = ("침수", "물에 잠", "범람", "역류", "flood", "flooded")
FIRE = ("화재", "불이 났", "불났", "연기", "fire", "smoke")
COLLAPSE = ("붕괴", "무너", "collapse")
CASUALTY = ("부상자", "사망", "다쳤", "구조 요청", "injured", "trapped")
RULES: tuple[Rule, ...] = (
    Rule("flood", FLOOD, "urban_flooding", "warning"),
    Rule("fire", FIRE, "fire", "notice"),
    Rule("collapse", COLLAPSE, "building_collapse", "notice"),
    Rule("casualty", CASUALTY, "fire", "notice", min_reports=3),
)


@dataclass(frozen=True)
class Sighting:
    """One located posting, reduced to what clustering needs."""

    posting_id: str
    text: str
    lon: float
    lat: float
    at: datetime


@dataclass(frozen=True)
class Cluster:
    rule: Rule
    members: tuple[Sighting, ...]

    @property
    def centre(self) -> tuple[float, float]:
        n = len(self.members)
        return (sum(m.lon for m in self.members) / n, sum(m.lat for m in self.members) / n)


def classify(text: str, rules: Sequence[Rule] = RULES) -> Rule | None:
    lowered = text.lower()
    return next((r for r in rules if any(k in lowered for k in r.keywords)), None)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def _densest(rule: Rule, points: Sequence[Sighting]) -> Cluster | None:
    window = timedelta(minutes=rule.window_minutes)
    best: tuple[Sighting, ...] = ()
    for anchor in points:
        near = tuple(
            p for p in points
            if abs(p.at - anchor.at) <= window
            and distance_km((p.lon, p.lat), (anchor.lon, anchor.lat)) <= rule.radius_km
        )  # fmt: skip
        if len(near) > len(best):
            best = near
    return Cluster(rule, best) if len(best) >= rule.min_reports else None


def detect(sightings: Sequence[Sighting], rules: Sequence[Rule] = RULES) -> list[Cluster]:
    """At most one cluster per class (the densest); pure, so thresholds are easy to test."""
    by_rule: dict[str, list[Sighting]] = {}
    for s in sightings:
        rule = classify(s.text, rules)
        if rule is not None:
            by_rule.setdefault(rule.cls, []).append(s)
    found = []
    for rule in rules:
        cluster = _densest(rule, by_rule.get(rule.cls, []))
        if cluster is not None:
            found.append(cluster)
    return found


class IncidentSuggestion(SmcAggregate):
    """A possible incident the desk may accept (opening it) or dismiss."""

    @staticmethod
    def create_id(key: str) -> UUID:
        return ids.natural_id("incident-suggestion", key)

    @event("Suggested")
    def __init__(self, key: str, proposal: dict[str, Any]) -> None:
        self.key = key
        self.proposal = proposal
        self.state = "open"

    def accept(self, incident_id: str) -> None:
        self._check_open()
        self._accepted(incident_id=incident_id)

    def dismiss(self, reason: str) -> None:
        self._check_open()
        self._dismissed(reason=reason)

    def _check_open(self) -> None:
        if self.state != "open":
            raise TransitionNotAllowedError(f"the suggestion was already {self.state}")

    @event("Accepted")
    def _accepted(self, incident_id: str) -> None:
        del incident_id
        self.state = "accepted"

    @event("Dismissed")
    def _dismissed(self, reason: str) -> None:
        del reason
        self.state = "dismissed"


Locate = Callable[[float, float], str]
"""(lon, lat) -> district code ('' outside Seoul)."""


def suggestion_key(cluster: Cluster) -> str:
    """Same class, same ~1 km cell, same half hour: the same suggestion."""
    lon, lat = cluster.centre
    first = min(m.at for m in cluster.members)
    slot = int(first.timestamp()) // (cluster.rule.window_minutes * 60)
    return f"{cluster.rule.cls}:{round(lon * 100)}:{round(lat * 100)}:{slot}"


class SuggestionService:
    def __init__(self, commands: Commands, locate: Locate) -> None:
        self.commands = commands
        self.store = commands.store
        self.locate = locate

    def scan(self, cause: Cause, sightings: Sequence[Sighting]) -> list[Recorded]:
        """Record a suggestion for every new cluster; returns what was recorded."""
        out = []
        for cluster in detect(sightings):
            key = suggestion_key(cluster)
            if not self.store.exists(ids.natural_id("incident-suggestion", key)):
                out.append(self.commands.run(cause, self._recorder(key, self._proposal(cluster))))
        return out

    def _proposal(self, cluster: Cluster) -> dict[str, Any]:
        lon, lat = cluster.centre
        return {
            "cls": cluster.rule.cls,
            "playbook_id": cluster.rule.playbook_id,
            "stage_id": cluster.rule.stage_id,
            "centre": [round(lon, 6), round(lat, 6)],
            "district": self.locate(lon, lat),
            "posting_ids": [m.posting_id for m in cluster.members],
            "first_at": min(m.at for m in cluster.members).isoformat(),
            "last_at": max(m.at for m in cluster.members).isoformat(),
        }

    def _recorder(self, key: str, proposal: dict[str, Any]) -> Callable[[], Recorded]:
        def command() -> Recorded:
            suggestion = IncidentSuggestion(key, proposal)
            return Recorded(suggestion.id, self.commands.save(suggestion))

        return command

    def get(self, suggestion_id: UUID) -> IncidentSuggestion:
        return self.store.load(suggestion_id, IncidentSuggestion, "suggestion")

    def decide(self, cause: Cause, suggestion_id: UUID, change: Callable[[Any], None]) -> Recorded:
        def command() -> Recorded:
            suggestion = self.get(suggestion_id)
            change(suggestion)
            return Recorded(suggestion.id, self.commands.save(suggestion))

        return self.commands.run(cause, command)
