"""Triage events made ahead by the preparing process: stored as made (with the writer's time
put in) when the cause is the one they were made as; made again by the writer otherwise."""

from __future__ import annotations

from uuid import UUID

import pytest

from api.bootstrap import Container
from domain.context import Cause
from domain.event_mapper import FastMapper
from domain.ids import posting_id as posting_id_of
from domain.intake_premap import PLACEHOLDER, REPLAY_CAUSE, TriageAhead
from domain.triage import FieldDecision, triage_id
from domain.triage_engine import unknown_decisions
from tests.intake.test_prepared_replay import shared_postings


def decided_states(container: Container) -> dict[object, bytes]:
    notes = container.store.recorder.select_notifications(start=1, limit=100_000)
    return {n.originator_id: n.state for n in notes if n.topic == "smc:Triage.Decided"}


def test_triage_events_made_ahead_are_stored_with_the_writers_time(
    container: Container,
) -> None:
    postings = shared_postings()
    prepared = container.intake_preparer().prepare(postings)
    made = [p.triage for p in prepared if p.triage is not None]
    assert len(made) == sum(not p.is_retweet for p in postings) > 10
    container.intake.ingest(REPLAY_CAUSE, postings, prepared=prepared)
    stored = decided_states(container)
    mapper = container.store.mapper
    assert isinstance(mapper, FastMapper)
    old = mapper.timestamp_prefix(PLACEHOLDER)
    new = mapper.timestamp_prefix(container.commands.clock.now())
    assert old != new
    for m in made:
        state = m.row[3]
        assert state.startswith(old)
        assert stored[m.row[0]] == new + state[len(old) :]  # the bytes made ahead, new time


def test_a_triage_made_as_another_cause_is_made_by_the_writer(container: Container) -> None:
    postings = shared_postings()
    prepared = container.intake_preparer().prepare(postings)  # made as the replay's cause
    container.intake.ingest(Cause("system:feed-poller"), postings, prepared=prepared)
    stored = decided_states(container)
    assert stored and all(b'"actor":"system:feed-poller"' in s for s in stored.values())


def test_prepared_entries_out_of_order_are_refused_and_nothing_is_stored(
    container: Container,
) -> None:
    postings = [p for p in shared_postings() if not p.is_retweet][:5]
    prepared = container.intake_preparer().prepare(postings)
    assert all(p.triage is not None for p in prepared)
    swapped = [prepared[1], prepared[0], *prepared[2:]]  # a bug upstream: triage for another
    head = container.store.head()
    with pytest.raises(ValueError, match="belongs to another posting"):
        container.intake.ingest(REPLAY_CAUSE, postings, prepared=swapped)
    assert container.store.head() == head
    container.intake.ingest(REPLAY_CAUSE, postings, prepared=prepared)  # as it should be
    assert len(decided_states(container)) == 5


def test_templates_give_the_bytes_of_making_each_event() -> None:
    ahead = TriageAhead()
    plain = unknown_decisions("nothing known")
    odd = {**plain, "category": FieldDecision("bus", 0.5, "v", f"see {UUID(int=0)}")}
    nan = {**plain, "category": FieldDecision("bus", float("nan"), "v", "not a number")}
    for decisions in (plain, odd, nan, plain, odd):
        for n in range(3):
            posting_id = posting_id_of("x", f"{n}-{len(ahead._templates)}")
            made, full = ahead.make(posting_id, decisions), ahead.make_fully(posting_id, decisions)
            assert made.row[1:] == full.row[1:]
            assert made.row[0] == full.row[0] == triage_id(posting_id)
            assert made.posting == posting_id.int
    assert ahead._templates[tuple(plain.items())] is not None
    assert ahead._templates[tuple(odd.items())] is None  # the stand-in's text twice: no template
