"""The fast creation path (domain.creation), the fast mapper (domain.event_mapper) and the fast
uuid5 (domain.ids) give exactly what eventsourcing's own paths give: the same events (class,
fields in the same order, values), the same aggregates, the same stored bytes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import CanInitAggregate, _created_event_classes
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

import domain.base
import domain.creation
from domain import ids
from domain.base import SmcAggregate, registered_topics
from domain.context import Cause, MissingCauseError, acting
from domain.event_mapper import FastMapper
from domain.ledger import Case
from domain.postings import Echo, IncomingPosting, IntakeCursor, IntakeRejection, Posting, WatchList
from domain.store import SmcStore
from domain.triage import FieldDecision, Triage
from tests.core.test_transcoding import import_domain

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stored_events_v1.json"
T0 = datetime(2026, 7, 14, 9, 30, tzinfo=UTC)
CAUSE = Cause("system:x-intake", exercise=True)
Make = Callable[[], list[SmcAggregate]]


@pytest.fixture(scope="module")
def store() -> Iterator[SmcStore]:
    s = SmcStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield s
    s.close()


@pytest.fixture(scope="module")
def library_mapper(store: SmcStore) -> Mapper[UUID]:
    return Mapper(transcoder=store.mapper.transcoder)


def library_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the fast paths off: every creation goes the library's way."""
    monkeypatch.setattr(domain.base, "plan_for", lambda *_: None)
    monkeypatch.setattr(domain.creation, "call_plan", lambda _: None)


def both_ways(make: Make, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """What ``make`` returns (or raises) on the fast path, then on the library's."""
    results: list[Any] = []
    for fast in (True, False):
        if not fast:
            library_path(monkeypatch)
        with acting(CAUSE, T0):
            try:
                results.append(make())
            except Exception as error:  # compared below
                results.append(error)
    monkeypatch.undo()
    return results[0], results[1]


def assert_same(fast: Any, slow: Any, mappers: tuple[Mapper[UUID], ...]) -> None:
    if isinstance(slow, Exception):
        assert type(fast) is type(slow)
        assert str(fast) == str(slow)
        return
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        assert type(a) is type(b)
        state_a = {k: v for k, v in vars(a).items() if k != "_pending_events"}
        state_b = {k: v for k, v in vars(b).items() if k != "_pending_events"}
        assert list(state_a) == list(state_b)
        assert state_a == state_b
        events_a, events_b = a.collect_events(), b.collect_events()
        assert [type(e) for e in events_a] == [type(e) for e in events_b]
        for ea, eb in zip(events_a, events_b, strict=True):
            assert list(vars(ea).items()) == list(vars(eb).items())  # same fields, same order
            for mapper in mappers:
                assert mapper.to_stored_event(ea) == mapper.to_stored_event(eb)


ITEM = IncomingPosting(
    channel="x",
    source_id="1000000000000000042",
    text="강남구 역 3번 출구 가로등이 꺼져 있어요 #서울시",
    created_at=T0 - timedelta(minutes=3),
    account="seoul",
    author_key="1042",
    lang="ko",
    lon=127.0276,
    lat=37.4979,
    place_bbox=(127.0, 37.4, 127.1, 37.5),
    hashtags=("#서울시",),
    contact={"email": "citizen@example.org"},
)
DECISIONS = {
    f: FieldDecision(f"{f}-value", 0.87654321, "rules-3", "가로등 keyword")
    for f in ("category", "request_class", "info_type", "district", "destination")
}
ROUTED = (("streetlight", T0 + timedelta(days=3), False), ("district:11680", "triage rules-3"))
INTAKE: dict[str, Make] = {
    "posting": lambda: [Posting.receive(ITEM), Posting.receive(ITEM, "case-1", 0.91)],
    "triage": lambda: [Triage.decide(ITEM.posting_id, DECISIONS)],
    "case": lambda: [Case(str(ITEM.posting_id), "x", ITEM.created_at)],
    "case-routed": lambda: [Case.open_routed(str(ITEM.posting_id), "x", ITEM.created_at, *ROUTED)],
    "case-unassigned": lambda: [
        Case.open_routed(str(ITEM.posting_id), "x", ITEM.created_at, ROUTED[0], (None, "x"))
    ],
    "echo": lambda: [
        Echo("x", "77", "42", None),
        Echo(channel="x", source_id="78", original_source_id=None, author_key="a"),
    ],
    "rejection": lambda: [IntakeRejection("x", "fp", None, "too long", "가나다")],
    "cursor": lambda: [_advanced(IntakeCursor("x", "search"))],
    "watchlist": lambda: [WatchList("main")],
    # not covered by a plan: the library's own path, with its own errors
    "explicit id": lambda: [_with_explicit_id()],
    "missing argument": lambda: [Echo("x", "77", "42")],  # type: ignore[call-arg]
    "unknown argument": lambda: [WatchList("main", colour="red")],  # type: ignore[call-arg]
    "twice": lambda: [WatchList("main", name="main")],  # type: ignore[misc]
    "too many": lambda: [WatchList("main", "other")],  # type: ignore[call-arg]
    "bad id part": lambda: [Echo("x", "", None, None)],
}


def _with_explicit_id() -> Echo:
    recorded = Echo.Recorded  # type: ignore[attr-defined]
    return Echo._create(
        recorded,
        id=UUID(int=7),
        channel="x",
        source_id="1",
        original_source_id=None,
        author_key=None,
    )


def _advanced(cursor: IntakeCursor) -> IntakeCursor:
    cursor.advance("1000000000000000099")
    return cursor


@pytest.mark.parametrize("kind", sorted(INTAKE))
def test_intake_aggregates_are_created_as_the_library_creates_them(
    kind: str, monkeypatch: pytest.MonkeyPatch, store: SmcStore, library_mapper: Mapper[UUID]
) -> None:
    fast, slow = both_ways(INTAKE[kind], monkeypatch)
    assert_same(fast, slow, (store.mapper, library_mapper))
    if kind in {"missing argument", "unknown argument", "twice", "too many", "bad id part"}:
        assert isinstance(slow, TypeError | ValueError)


def test_the_fast_path_is_the_one_taken() -> None:
    for aggregate, event_class in (
        (Posting, Posting.Received),  # type: ignore[attr-defined]
        (Triage, Triage.Decided),  # type: ignore[attr-defined]
        (Case, Case.Opened),  # type: ignore[attr-defined]
        (Case, Case.OpenedRouted),
    ):
        assert domain.creation.plan_for(aggregate, event_class) is not None
        assert domain.creation.call_plan(aggregate) is not None or aggregate is Case


def test_a_created_event_outside_a_command_still_fails_loudly() -> None:
    with pytest.raises(MissingCauseError, match="outside a command"):
        Posting.receive(ITEM)
    with pytest.raises(MissingCauseError, match="outside a command"):
        Case.open_routed("p", "x", T0, *ROUTED)


def created_kinds() -> list[tuple[type[SmcAggregate], type[Any], dict[str, Any]]]:
    """Every aggregate class with each of its "created" event classes, and the arguments of
    that event as its stored fixture holds them (decoded by the store's mapper)."""
    import_domain()
    mapper = SmcStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    stored = {r["topic"]: r for r in json.loads(FIXTURES.read_text("utf-8"))}
    kinds = []
    for topic, cls in sorted(registered_topics().items()):
        if not (isinstance(cls, type) and issubclass(cls, SmcAggregate)):
            continue
        for name in dir(cls):
            event_class = getattr(cls, name)
            if not (isinstance(event_class, type) and issubclass(event_class, CanInitAggregate)):
                continue
            record = stored.get(getattr(event_class, "TOPIC", ""))
            if record is None or name == "Created":
                continue
            event = mapper.to_domain_event(_stored(record))
            fixed = {"originator_id", "originator_version", "timestamp", "originator_topic"}
            kwargs = {
                k: v for k, v in vars(event).items() if k not in fixed | {"actor", "exercise"}
            }
            kinds.append((cls, event_class, kwargs))
        assert topic.startswith("smc:")
    return kinds


def _stored(record: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(record["originator_id"]),
        originator_version=record["originator_version"],
        topic=record["topic"],
        state=record["state"].encode("utf-8"),
    )


CREATED = created_kinds()


@pytest.mark.parametrize(
    ("aggregate", "event_class", "kwargs"), CREATED, ids=[c[1].TOPIC for c in CREATED]
)
def test_every_aggregate_is_created_as_the_library_creates_it(
    aggregate: type[SmcAggregate],
    event_class: type[Any],
    kwargs: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    store: SmcStore,
    library_mapper: Mapper[UUID],
) -> None:
    mappers = (store.mapper, library_mapper)
    fast, slow = both_ways(lambda: [aggregate._create(event_class, **kwargs)], monkeypatch)
    assert_same(fast, slow, mappers)
    if _created_event_classes[aggregate] == [event_class]:  # what aggregate(...) creates
        fast, slow = both_ways(lambda: [aggregate(**kwargs)], monkeypatch)
        assert_same(fast, slow, mappers)
        assert domain.creation.call_plan(aggregate) is not None
        fast, slow = both_ways(lambda: [aggregate(*kwargs.values())], monkeypatch)
        assert_same(fast, slow, mappers)
    plan = domain.creation.plan_for(aggregate, event_class)
    assert plan is not None, f"{event_class.TOPIC} takes the slow path"


def test_created_kinds_cover_the_intake_aggregates() -> None:
    covered = {get_topic(c[1]) for c in CREATED}
    for topic in ("smc:Posting.Received", "smc:Triage.Decided", "smc:Case.OpenedRouted"):
        assert topic in covered


def test_every_stored_fixture_maps_to_the_same_bytes(
    store: SmcStore, library_mapper: Mapper[UUID]
) -> None:
    assert isinstance(store.mapper, FastMapper)
    records = json.loads(FIXTURES.read_text("utf-8"))
    for record in records:
        event = library_mapper.to_domain_event(_stored(record))
        ours, theirs = store.mapper.to_stored_event(event), library_mapper.to_stored_event(event)
        assert ours == theirs, record["topic"]
        assert ours.state == record["state"].encode("utf-8"), record["topic"]


def test_the_mapper_keeps_nothing_stale_between_timestamps(
    store: SmcStore, library_mapper: Mapper[UUID]
) -> None:
    events: list[Any] = []
    for minutes in (0, 0, 1, 0):
        with acting(CAUSE, T0 + timedelta(minutes=minutes)):
            events.extend(WatchList(f"list-{len(events)}").collect_events())
    for event in events:
        assert store.mapper.to_stored_event(event) == library_mapper.to_stored_event(event)


def test_the_plain_library_mapper_is_kept_for_other_settings() -> None:
    transcoder = JSONTranscoder()
    transcoder.encoder.ensure_ascii = True
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    assert FastMapper.replacing(mapper) is mapper


@pytest.mark.parametrize(
    "name", ["", "posting/x/1", "case/6f1d3c1e-6c2b-5a57-9a43-5e0ac1d2c0de", "가나다/é/😀" * 9]
)
def test_uuid5_is_the_standard_one(name: str) -> None:
    ours, theirs = ids.uuid5(name), uuid.uuid5(ids.SMC_NAMESPACE, name)
    assert ours == theirs
    assert (ours.int, ours.version, ours.variant, str(ours)) == (
        theirs.int,
        theirs.version,
        theirs.variant,
        str(theirs),
    )
    assert ours.is_safe is theirs.is_safe
    assert hash(ours) == hash(theirs)
