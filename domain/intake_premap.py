"""A new posting's triage event made ahead, in the replay's preparing process.

The ``Triage.Decided`` event of a posting depends only on the posting's id (from its channel
and source id), triage's decisions and the cause: nothing stored, no near-duplicate match, no
emergency. So the preparing process makes and maps it (``TriageAhead``; at a placeholder time)
along with the decisions, and the writer stores those bytes with its own time put in instead
of creating and mapping the aggregate again — when the cause is the one it was made as and the
store maps events the standard way (``triage_records``); otherwise it makes them itself, as
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
from domain.ids import uuid_of_int
from domain.triage import FieldDecision, Triage, triage_id

PLACEHOLDER = datetime(2000, 1, 1, tzinfo=UTC)  # the writer's time replaces it
REPLAY_CAUSE = Cause("system:x-replay")


@dataclass(frozen=True, slots=True)
class MappedTriage:
    """A posting's ``Triage.Decided`` as stored (placeholder time), the cause it was made as,
    and the posting it was made for (its id as a number: compared, never stored)."""

    actor: str
    exercise: bool
    row: Row  # the triage's id first: ``triage_id(posting)``
    posting: int

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with the id as a number: a UUID's own pickling goes through
        ``__getstate__``/``__setstate__`` (slow on both sides of the replay's pipe)."""
        triage, version, topic, state = self.row
        fields = (self.actor, self.exercise, triage.int, version, topic, state, self.posting)
        return (_mapped_triage, fields)


def _mapped_triage(*fields: Any) -> MappedTriage:
    actor, exercise, triage, version, topic, state, posting = fields
    return MappedTriage(actor, exercise, (uuid_of_int(triage), version, topic, state), posting)


_SENTINEL = UUID(int=0)  # stands for the posting in a template (see ``TriageAhead``)
_TEMPLATES = 4096
Template = tuple[bytes, bytes, int, str] | None  # state before and after the posting id


@dataclass(frozen=True)
class TriageAhead:
    """Makes ``MappedTriage`` (picklable; its mapper is made where it runs).

    The engine gives many postings the same decisions, and a ``Triage.Decided`` state differs
    between such postings only in the posting's id. So the state is made once per set of
    decisions, for a stand-in id, and cut around it (a template); each posting's state is the
    template with its own id put in: the same bytes as making and mapping its aggregate
    (``tests/intake/test_triage_ahead.py``, ``test_prepared_replay.py``). A set whose state
    holds the stand-in's text elsewhere too is made the full way each time."""

    cause: Cause = REPLAY_CAUSE
    _mapper: list[FastMapper] = field(default_factory=list, compare=False, repr=False)
    _templates: dict[tuple[Any, ...], Template] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_mapper": [], "_templates": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def make(self, posting_id: UUID, decisions: dict[str, FieldDecision]) -> MappedTriage:
        """``Triage.decide(posting_id, decisions)``'s event, mapped as the store maps it."""
        key = tuple(decisions.items())
        try:
            template = self._templates[key]
        except KeyError:
            template = self._template(decisions)
            if len(self._templates) >= _TEMPLATES:
                self._templates.clear()
            self._templates[key] = template
        if template is None:
            return self.make_fully(posting_id, decisions)
        head, tail, version, topic = template
        state = head + str(posting_id).encode() + tail
        row = (triage_id(posting_id), version, topic, state)
        return MappedTriage(self.cause.actor, self.cause.exercise, row, posting_id.int)

    def make_fully(self, posting_id: UUID, decisions: dict[str, FieldDecision]) -> MappedTriage:
        """``make`` by making the aggregate and mapping its event (no template)."""
        if not self._mapper:
            self._mapper.append(standard_mapper())
        with acting(self.cause, PLACEHOLDER):
            triage = Triage.decide(posting_id, decisions)
        (event,) = triage.collect_events()
        s = self._mapper[0].to_stored_event(event)
        row = (triage.id, s.originator_version, s.topic, s.state)
        return MappedTriage(self.cause.actor, self.cause.exercise, row, posting_id.int)

    def _template(self, decisions: dict[str, FieldDecision]) -> Template:
        made = self.make_fully(_SENTINEL, decisions)
        _id, version, topic, state = made.row
        parts = state.split(str(_SENTINEL).encode())
        if len(parts) != 2:  # exactly one place for the posting's id
            return None
        return parts[0], parts[1], version, topic


class TriageRecord(PreRecorded):
    """A triage event made ahead, saved like the ``Triage`` aggregate it stands for; carries
    the decisions (dict form, as ``Triage.decisions``; read-only: the inner dicts of equal
    decisions are shared within a batch) for what intake does next with them."""

    __slots__ = ("decisions",)

    def __init__(self, mapped: MappedTriage, decisions: dict[str, Any], old: bytes, new: bytes):
        super().__init__(mapped.row[0], (mapped.row,), old, new)
        self.decisions = decisions


def triage_records(
    mapper: object,
    mapped: Sequence[MappedTriage | None] | None,
    decided: Sequence[dict[str, FieldDecision]],
    posting_ids: Sequence[UUID],
) -> list[TriageRecord] | None:
    """Inside the batch's command: its triage events made ahead, as records to save with the
    writer's time — when every posting has one, each made as the running cause, and the store
    maps the standard way; None otherwise (the caller makes them itself)."""
    if mapped is None or len(mapped) != len(posting_ids):
        return None
    if not isinstance(mapper, FastMapper) or not mapper.plain():
        return None
    cause = current_cause()
    ready: list[MappedTriage] = []
    for m in mapped:
        if m is None or m.actor != cause.actor or m.exercise != cause.exercise:
            return None
        ready.append(m)
    old, new = mapper.timestamp_prefix(PLACEHOLDER), mapper.timestamp_prefix(current_time())
    records: list[TriageRecord] = []
    forms: dict[FieldDecision, dict[str, Any]] = {}  # the engine repeats its decisions
    for m, decisions, posting_id in zip(ready, decided, posting_ids, strict=True):
        if m.posting != posting_id.int:  # its row's id is ``triage_id`` of that posting
            raise ValueError("a triage event made ahead belongs to another posting")
        as_dicts = {}  # as ``Triage.decide`` has them
        for name, decision in decisions.items():
            form = forms.get(decision)
            if form is None:
                form = forms[decision] = decision.to_dict()
            as_dicts[name] = form
        records.append(TriageRecord(m, as_dicts, old, new))
    return records
