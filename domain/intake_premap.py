"""A new posting's triage event made ahead, in the replay's preparing process.

The ``Triage.Decided`` event of a posting depends only on the posting's id (from its channel
and source id), triage's decisions and the cause: nothing stored, no near-duplicate match, no
emergency. So the preparing process makes and maps it (``TriageAhead``; at a placeholder time)
along with the decisions, and the writer stores those bytes with its own time put in instead
of creating and mapping the aggregate again — when the cause is the one it was made as and the
store maps events the standard way (``mapped_triages``); otherwise it makes them itself, as
before. ``tests/intake/test_prepared_replay.py`` compares the stored bytes with the
one-process replay's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.context import Cause, acting, current_cause, current_time
from domain.event_mapper import FastMapper, PreRecorded, Row, standard_mapper
from domain.triage import FieldDecision, Triage

PLACEHOLDER = datetime(2000, 1, 1, tzinfo=UTC)  # the writer's time replaces it
REPLAY_CAUSE = Cause("system:x-replay")


@dataclass(frozen=True, slots=True)
class MappedTriage:
    """A posting's ``Triage.Decided`` as stored (placeholder time), and the cause it was
    made as."""

    triage_id: UUID
    actor: str
    exercise: bool
    row: Row

    def __reduce__(self) -> tuple[Any, ...]:  # faster than the slots dataclass default
        return (MappedTriage, (self.triage_id, self.actor, self.exercise, self.row))


@dataclass(frozen=True)
class TriageAhead:
    """Makes ``MappedTriage`` (picklable; its mapper is made where it runs)."""

    cause: Cause = REPLAY_CAUSE
    _mapper: list[FastMapper] = field(default_factory=list, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_mapper": []}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def make(self, posting_id: UUID, decisions: dict[str, FieldDecision]) -> MappedTriage:
        """``Triage.decide(posting_id, decisions)``'s event, mapped as the store maps it."""
        if not self._mapper:
            self._mapper.append(standard_mapper())
        with acting(self.cause, PLACEHOLDER):
            triage = Triage.decide(posting_id, decisions)
        (event,) = triage.collect_events()
        s = self._mapper[0].to_stored_event(event)
        row = (s.originator_id, s.originator_version, s.topic, s.state)
        return MappedTriage(triage.id, self.cause.actor, self.cause.exercise, row)


class TriageRecord(PreRecorded):
    """A triage event made ahead, saved like the ``Triage`` aggregate it stands for; carries
    the decisions (dict form, as ``Triage.decisions``) for what intake does next with them."""

    __slots__ = ("decisions",)

    def __init__(self, mapped: MappedTriage, decisions: dict[str, Any], old: bytes, new: bytes):
        super().__init__(mapped.triage_id, (mapped.row,), old, new)
        self.decisions = decisions


def mapped_triages(
    mapper: object, mapped: Sequence[MappedTriage | None] | None
) -> list[MappedTriage] | None:
    """Inside the batch's command: the triage events made ahead, when every posting has one,
    each made as the running cause and the store maps the standard way; None otherwise."""
    if mapped is None or not isinstance(mapper, FastMapper) or not mapper.plain():
        return None
    cause = current_cause()
    out: list[MappedTriage] = []
    for m in mapped:
        if m is None or m.actor != cause.actor or m.exercise != cause.exercise:
            return None
        out.append(m)
    return out


def time_prefixes(mapper: FastMapper) -> tuple[bytes, bytes]:
    """How states made ahead begin, and how the running command's begin."""
    return mapper.timestamp_prefix(PLACEHOLDER), mapper.timestamp_prefix(current_time())
