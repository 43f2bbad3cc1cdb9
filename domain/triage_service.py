"""Triage as an application service: decide on intake (the ``Triager`` hook), accept and
correct decisions, reload the city's rules, and hand district matters to the district."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from domain.base import SmcAggregate
from domain.context import Cause, current_cause
from domain.deadline_policy import REQUEST_CLASSES
from domain.deliveries import Delivery
from domain.errors import InvalidInputError, NotFoundError
from domain.handoff_outbox import ask_again, handoff_delivery_id, new_handoff
from domain.intake_premap import MappedTriage, TriageRecord, triage_records
from domain.intake_prepare import Decisions, decide_all, decide_one
from domain.intake_service import Triaged
from domain.postings import IncomingPosting, Posting
from domain.store import Commands, Recorded
from domain.taxonomy import INFO_TYPES
from domain.triage import CORRECTABLE, Triage, TriageConfig, triage_id
from domain.triage_engine import Posted, TriageEngine

_DESTINATION = re.compile(r"^(dept:[A-Z0-9_-]{1,16}|gu:\d{5})$")


class HandOffError(Exception):
    """A district's grievance system did not take the report; the message says why.
    ``permanent``: asking again will not help (the report is refused, not the line down)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class HandOffRequest:
    """What a district office receives: the posting, where it is, and our reference."""

    reference: str
    district_code: str
    category: str | None
    request_class: str | None
    text: str
    lon: float | None
    lat: float | None
    address: str | None


class HandOffPort(Protocol):
    """A district grievance system (Open311, e-mail, …); returns its reference.
    Ports are configured per district code (``"*"``: any district without its own)."""

    name: str

    def deliver(self, request: HandOffRequest) -> str: ...


class TriageService:
    def __init__(
        self,
        commands: Commands,
        engine: TriageEngine,
        handoffs: Mapping[str, HandOffPort] | None = None,
    ) -> None:
        self.commands = commands
        self.store = commands.store
        self.engine = engine
        self.handoffs = dict(handoffs or {})
        self.auto_threshold: float | None = None
        """District destinations at least this sure are handed off at intake (None: never)."""
        self._lock = threading.Lock()
        # what else changes when a person corrects or accepts (saved in the same transaction)
        self.follow_ups: list[Callable[[Triage, str], Sequence[SmcAggregate]]] = [self.confirmed]

    # -- the intake hook -------------------------------------------------------------------
    def triage(self, posting: Posting, item: IncomingPosting) -> Triaged:
        return self._auto(Triage.decide(posting.id, self.decide(Posted.of(item))), posting)

    def triage_many(
        self,
        pairs: Sequence[tuple[Posting, IncomingPosting]],
        decided: Sequence[Decisions] | None = None,
        mapped: Sequence[MappedTriage | None] | None = None,
    ) -> list[Triaged]:
        """``triage`` for a batch: the engine decides all of it in one call (or ``decided``
        holds its decisions already, one per pair, worked out by a ``Preparer``, and
        ``mapped`` the triage events it made from them, stored as they are when they fit)."""
        if decided is None:
            decided = self.decide_many([Posted.of(item) for _posting, item in pairs])
        ids = [p.id for p, _item in pairs]
        records = triage_records(self.store.mapper, mapped, decided, ids)
        if records is None:
            return [
                self._auto(Triage.decide(p.id, d), p)
                for (p, _item), d in zip(pairs, decided, strict=True)
            ]
        return [self._auto(r, p) for (p, _item), r in zip(pairs, records, strict=True)]

    def decide_many(self, posteds: Sequence[Posted]) -> list[Decisions]:
        """``decide`` for a batch; if the batch fails, each posting is decided on its own."""
        return decide_all(self.engine, posteds)

    def decide(self, posted: Posted) -> Decisions:
        """The engine's decisions; an unexpected failure is recorded, never raised."""
        return decide_one(self.engine, posted)

    # -- people ----------------------------------------------------------------------------
    def correct(
        self, cause: Cause, posting_id: UUID, changes: Mapping[str, str | None], by: str
    ) -> Recorded:
        """Apply corrections (one event per changed field) and accept the rest."""
        unknown = sorted(set(changes) - set(CORRECTABLE))
        if unknown:
            raise InvalidInputError(f"cannot correct {unknown}; fields: {list(CORRECTABLE)}")
        for field, value in changes.items():
            self._check(field, value)

        def command() -> Recorded:
            triage = self._load(posting_id)
            for field, value in changes.items():
                triage.correct(field, value or None, by)
            triage.accept(by)
            also = [a for follow_up in self.follow_ups for a in follow_up(triage, by)]
            return Recorded(triage.id, self.commands.save(triage, *also))

        return self.commands.run(cause, command)

    def accept(self, cause: Cause, posting_id: UUID, by: str) -> Recorded:
        return self.correct(cause, posting_id, {}, by)

    def choices(self) -> dict[str, list[str]]:
        """The values a person may choose per field (destinations: see ``valid_destination``)."""
        return {
            "category": self.engine.taxonomy.codes(),
            "request_class": list(REQUEST_CLASSES),
            "info_type": list(INFO_TYPES),
            "district": [d.code for d in self.engine.locator.districts()],
        }

    def _check(self, field: str, value: str | None) -> None:
        if not value:
            return
        if field == "destination":
            district = value.removeprefix("gu:")
            ok = bool(_DESTINATION.match(value)) and (
                not value.startswith("gu:") or district in self.choices()["district"]
            )
        else:
            ok = value in self.choices()[field]
        if not ok:
            raise InvalidInputError(f"{value!r} is not a valid {field}")

    def _load(self, posting_id: UUID) -> Triage:
        return self.store.load(triage_id(posting_id), Triage, "triage")

    def get(self, posting_id: UUID) -> Triage:
        return self._load(posting_id)

    # -- the city's rules ------------------------------------------------------------------
    def reload(self, cause: Cause, engine: TriageEngine, digest: str) -> Recorded:
        """Swap in new, already validated rules and record which versions are in force."""

        def command() -> Recorded:
            cid = TriageConfig.create_id("main")
            try:
                config = self.store.load(cid, TriageConfig, "triage config")
            except NotFoundError:
                config = TriageConfig("main")
            config.reload(engine.taxonomy.version, engine.rules.version, digest)
            position = self.commands.save(config)
            self.engine = engine
            return Recorded(config.id, position)

        with self._lock:
            return self.commands.run(cause, command)

    # -- district hand-off (through the Delivery outbox, see domain.handoff_outbox) -------
    def port_for(self, destination: str | None) -> HandOffPort | None:
        if not destination or not destination.startswith("gu:"):
            return None
        return self.handoffs.get(destination[3:]) or self.handoffs.get("*")

    def _auto(self, triage: Triage | TriageRecord, posting: Posting) -> Triaged:
        """At intake: the triage, and its hand-off when the machine is sure enough of a
        district destination that has an adapter (never for a near-duplicate or a drill)."""
        if self.auto_threshold is None:
            return triage
        decision = triage.decisions.get("destination") or {}
        destination = decision.get("value")
        sure = float(decision.get("confidence") or 0.0) >= self.auto_threshold
        port = self.port_for(destination) if sure else None
        if port is None or posting.case_id is not None or current_cause().exercise:
            return triage
        return [triage, new_handoff(posting.id, str(destination), port.name, exercise=False)]

    def confirmed(self, triage: Triage, by: str) -> list[SmcAggregate]:
        """A follow-up of ``correct``: a person confirmed (or corrected to) a district
        destination with an adapter; hand it off unless that was requested already."""
        del by
        destination = triage.current.get("destination")
        port = self.port_for(destination)
        if self.auto_threshold is None or port is None or current_cause().exercise:
            return []
        assert destination is not None
        if self._drill(triage):
            return []  # a drill posting never goes to a district by itself
        if self.store.exists(handoff_delivery_id(triage.posting_id, destination)):
            return []
        return [new_handoff(triage.posting_id, destination, port.name, exercise=False)]

    def _drill(self, triage: Triage) -> bool:
        """Whether the posting was decided inside an exercise (its first event says so)."""
        first = next(iter(self.store.repository.event_store.get(triage.id, limit=1)), None)
        return bool(getattr(first, "exercise", False))

    def hand_off(self, cause: Cause, posting_id: UUID) -> Recorded:
        """A person asks for the hand-off: requested now, or requeued when it gave up or its
        outcome is unknown (refused when it went out or is being retried)."""
        destination = self._load(posting_id).current.get("destination") or ""
        if not destination.startswith("gu:"):
            raise InvalidInputError(f"destination {destination or 'unknown'} is not a district")
        port = self.port_for(destination)
        if port is None:
            raise NotFoundError(f"no hand-off adapter is configured for {destination}")
        did = handoff_delivery_id(posting_id, destination)

        def command() -> Recorded:
            if self.store.exists(did):
                delivery = self.store.load(did, Delivery, "hand-off")
                ask_again(delivery)
            else:
                delivery = new_handoff(posting_id, destination, port.name, cause.exercise)
            return Recorded(did, self.commands.save(delivery))

        return self.commands.run(cause, command)

    def request_for(self, posting_id: UUID, destination: str) -> HandOffRequest:
        """What the district receives (read when it is sent)."""
        triage = self._load(posting_id)
        current = triage.current.get("destination")
        if current != destination:
            msg = f"the destination changed to {current or 'unknown'} before the hand-off"
            raise HandOffError(msg, permanent=True)
        posting = self.store.load(posting_id, Posting, "posting")
        return HandOffRequest(
            reference=str(posting_id),
            district_code=destination[3:],
            category=triage.current.get("category"),
            request_class=triage.current.get("request_class"),
            text=posting.text,
            lon=posting.details.get("lon"),
            lat=posting.details.get("lat"),
            address=posting.details.get("address"),
        )
