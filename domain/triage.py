"""The triage of one posting: the machine's decisions, people's corrections and acceptance,
and the hand-off to a district office's grievance system. Its id derives from the posting's."""

from __future__ import annotations

from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.errors import InvalidInputError

FIELDS = ("category", "request_class", "info_type", "district", "destination")
CORRECTABLE = ("category", "request_class", "info_type", "district", "destination")


class FieldDecision(NamedTuple):
    """One decision: the value (None = unknown), how sure, who decided (rule/model version)."""

    value: str | None
    confidence: float
    version: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 4),
            "version": self.version,
            "reason": self.reason[:300],
        }


def triage_id(posting_id: UUID | str) -> UUID:
    return ids.natural_id("triage", str(posting_id))


class Triage(SmcAggregate):
    @staticmethod
    def create_id(posting_id: str) -> UUID:
        return triage_id(posting_id)

    @event("Decided")
    def __init__(self, posting_id: str, decisions: dict[str, Any], min_confidence: float) -> None:
        self.posting_id = posting_id
        self.decisions = decisions
        self.min_confidence = min_confidence
        self.current: dict[str, str | None] = {k: v.get("value") for k, v in decisions.items()}
        self.corrected: set[str] = set()
        self.accepted = False
        self.handoffs: list[dict[str, Any]] = []

    @classmethod
    def decide(cls, posting_id: UUID, decisions: dict[str, FieldDecision]) -> Triage:
        reviewed = [decisions[f].confidence for f in ("category", "request_class", "destination")]
        return cls(
            posting_id=str(posting_id),
            decisions={k: d.to_dict() for k, d in decisions.items()},
            min_confidence=round(min(reviewed), 4),
        )

    def correct(self, field: str, new: str | None, by: str) -> None:
        if field not in CORRECTABLE:
            raise InvalidInputError(f"{field!r} cannot be corrected; use one of {CORRECTABLE}")
        if self.current.get(field) != new:
            self._corrected(field=field, old=self.current.get(field), new=new, by=by)

    @event("Corrected")
    def _corrected(self, field: str, old: str | None, new: str | None, by: str) -> None:
        del old, by  # kept in the event for the record
        self.current[field] = new
        self.corrected.add(field)

    def accept(self, by: str) -> None:
        if not self.accepted:
            self._accepted(fields=[f for f in FIELDS if f not in self.corrected], by=by)

    @event("Accepted")
    def _accepted(self, fields: list[str], by: str) -> None:
        del fields, by
        self.accepted = True

    # Hand-offs before the outbox (synchronous, from the button) were recorded here; they are
    # now Delivery events (domain.handoff_outbox). The events stay so old records still load.
    def handed_off(self, destination: str, adapter: str, reference: str) -> None:
        self._handed_off(destination=destination, adapter=adapter, reference=reference)

    @event("HandedOff")
    def _handed_off(self, destination: str, adapter: str, reference: str) -> None:
        del adapter
        self.handoffs.append({"destination": destination, "ok": True, "reference": reference})

    def hand_off_failed(self, destination: str, adapter: str, error: str) -> None:
        self._hand_off_failed(destination=destination, adapter=adapter, error=error[:500])

    @event("HandOffFailed")
    def _hand_off_failed(self, destination: str, adapter: str, error: str) -> None:
        del adapter
        self.handoffs.append({"destination": destination, "ok": False, "error": error})


class TriageConfig(SmcAggregate):
    """Which taxonomy and routing-rule versions are in force; reloads are recorded here."""

    @staticmethod
    def create_id(name: str) -> UUID:
        return ids.natural_id("triage-config", name)

    @event("Opened")
    def __init__(self, name: str) -> None:
        self.name = name
        self.taxonomy_version = ""
        self.rules_version = ""

    def reload(self, taxonomy_version: str, rules_version: str, digest: str) -> None:
        self._reloaded(
            taxonomy_version=taxonomy_version, rules_version=rules_version, digest=digest
        )

    @event("Reloaded")
    def _reloaded(self, taxonomy_version: str, rules_version: str, digest: str) -> None:
        del digest
        self.taxonomy_version = taxonomy_version
        self.rules_version = rules_version
