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
from domain.context import Cause
from domain.deadline_policy import REQUEST_CLASSES
from domain.errors import InvalidInputError, NotFoundError
from domain.intake_service import Triaged
from domain.postings import IncomingPosting, Posting
from domain.store import Commands, Recorded
from domain.taxonomy import INFO_TYPES
from domain.triage import CORRECTABLE, FieldDecision, Triage, TriageConfig, triage_id
from domain.triage_engine import Posted, TriageEngine, unknown_decisions

_DESTINATION = re.compile(r"^(dept:[A-Z0-9_-]{1,16}|gu:\d{5})$")


class HandOffError(Exception):
    """A district's grievance system did not take the report; the message says why."""


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
        self._lock = threading.Lock()
        # what else changes when a person corrects or accepts (saved in the same transaction)
        self.follow_ups: list[Callable[[Triage, str], Sequence[SmcAggregate]]] = []

    # -- the intake hook -------------------------------------------------------------------
    def triage(self, posting: Posting, item: IncomingPosting) -> SmcAggregate | None:
        return Triage.decide(posting.id, self.decide(Posted.of(item)))

    def triage_many(self, pairs: Sequence[tuple[Posting, IncomingPosting]]) -> list[Triaged]:
        """``triage`` for a batch: the engine decides all of it in one call."""
        decided = self.decide_many([Posted.of(item) for _posting, item in pairs])
        return [Triage.decide(p.id, d) for (p, _item), d in zip(pairs, decided, strict=True)]

    def decide_many(self, posteds: Sequence[Posted]) -> list[dict[str, FieldDecision]]:
        """``decide`` for a batch; if the batch fails, each posting is decided on its own,
        so one bad posting's failure is recorded against it alone."""
        try:
            return self.engine.decide_many(posteds)
        except Exception:  # decided one by one below, each failure recorded against its posting
            return [self.decide(p) for p in posteds]

    def decide(self, posted: Posted) -> dict[str, FieldDecision]:
        """The engine's decisions; an unexpected failure is recorded, never raised."""
        try:
            return self.engine.decide(posted)
        except Exception as exc:  # a bad posting must not stop intake
            return unknown_decisions(f"triage failed: {type(exc).__name__}: {exc}"[:300])

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

    # -- district hand-off -----------------------------------------------------------------
    def hand_off(self, cause: Cause, posting_id: UUID) -> Recorded:
        """Send a district matter to the district's grievance system; record the outcome."""
        triage = self._load(posting_id)
        destination = triage.current.get("destination") or ""
        if not destination.startswith("gu:"):
            raise InvalidInputError(f"destination {destination or 'unknown'} is not a district")
        port = self.handoffs.get(destination[3:]) or self.handoffs.get("*")
        if port is None:
            raise NotFoundError(f"no hand-off adapter is configured for {destination}")
        posting = self.store.load(posting_id, Posting, "posting")
        request = HandOffRequest(
            reference=str(posting_id),
            district_code=destination[3:],
            category=triage.current.get("category"),
            request_class=triage.current.get("request_class"),
            text=posting.text,
            lon=posting.details.get("lon"),
            lat=posting.details.get("lat"),
            address=posting.details.get("address"),
        )
        try:
            outcome: tuple[bool, str] = (True, port.deliver(request))
        except HandOffError as exc:
            outcome = (False, str(exc) or type(exc).__name__)

        def command() -> Recorded:
            fresh = self._load(posting_id)
            if outcome[0]:
                fresh.handed_off(destination, port.name, outcome[1])
            else:
                fresh.hand_off_failed(destination, port.name, outcome[1])
            return Recorded(fresh.id, self.commands.save(fresh))

        return self.commands.run(cause, command)
