"""The event store application and the command runner every application service uses."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast, overload
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    IntegrityError,
    Mapper,
    Notification,
    Recording,
    StoredEvent,
)

from domain.base import SmcAggregate
from domain.clock import Clock
from domain.context import Cause, acting
from domain.errors import ConcurrencyConflictError, NotFoundError
from domain.event_mapper import FastMapper, PreRecorded

A = TypeVar("A", bound=SmcAggregate)
T = TypeVar("T")

SavedListener = Callable[[int], None]


class SmcStore(Application[UUID]):
    """One append-only store for every aggregate of the city: one notification log."""

    name = "smc"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env=env)
        self._listeners: list[SavedListener] = []
        self._lock = threading.Lock()

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, or the same mapping with less work per event (same bytes)."""
        return FastMapper.replacing(super().construct_mapper())

    def add_saved_listener(self, listener: SavedListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        if kwargs or not all(isinstance(o, (SmcAggregate, PreRecorded)) for o in objs):
            recordings = super().save(*objs, **kwargs)
        else:
            recordings = self._save_aggregates(objs)
        self._saved(recordings)
        return recordings

    def _save_aggregates(self, aggregates: tuple[SmcAggregate | PreRecorded, ...]) -> Any:
        """``Application.save`` for our own aggregates (and events mapped ahead), without the
        library's per-object ``isinstance`` checks against runtime protocols (about 5 % of a
        500-item intake batch). Same steps as eventsourcing 9.5.6: collect, record, snapshot,
        notify."""
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        events: list[Any] = processing.events  # also MappedEvent: the mapper passes them on
        for aggregate in aggregates:
            events.extend(aggregate.collect_events())
            if not isinstance(aggregate, PreRecorded):  # not an aggregate to snapshot
                processing.aggregates[aggregate.id] = aggregate
        recordings = self._record_lazily(processing)
        self._take_snapshots(processing)
        self._notify(cast(list[Recording[UUID]], recordings))
        self.notify(processing.events)  # deprecated hook, kept as the library calls it
        return recordings

    def _record_lazily(self, processing: ProcessingEvent[UUID]) -> Recordings:
        """``Application._record`` (``EventStore.put``), with the recordings made only when
        someone looks at them: intake looks at the last one."""
        stored = list(map(self.mapper.to_stored_event, processing.events))
        ids = self.recorder.insert_events(stored)
        if self.repository.cache and not self.repository.fastforward:
            for aggregate_id, aggregate in processing.aggregates.items():
                self.repository.cache.put(aggregate_id, aggregate)
        return Recordings(processing.events, stored, ids or ())

    def _saved(self, recordings: Any) -> None:
        if recordings:
            position = recordings[-1].notification.id
            for listener in list(self._listeners):
                listener(position)

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def load(self, aggregate_id: UUID, kind: type[A], what: str) -> A:
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"{what} not found", id=str(aggregate_id)) from None
        if not isinstance(aggregate, kind):
            raise NotFoundError(f"{what} not found", id=str(aggregate_id))
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository


class Recordings(Sequence[Recording[UUID]]):
    """What ``EventStore.put`` returns (a ``Recording`` per event, with its ``Notification``),
    each made when it is first looked at."""

    __slots__ = ("_events", "_ids", "_made", "_stored")

    def __init__(
        self, events: Sequence[Any], stored: Sequence[StoredEvent], ids: Sequence[int]
    ) -> None:
        if len(ids) != len(stored):  # as ``EventStore.put``: no ids, no recordings
            events, stored, ids = (), (), ()
        self._events, self._stored, self._ids = events, stored, ids
        self._made: dict[int, Recording[UUID]] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __eq__(self, other: object) -> bool:  # as the library's list compares
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # a list is not hashable either

    def __repr__(self) -> str:
        return repr(list(self))

    @overload
    def __getitem__(self, index: int) -> Recording[UUID]: ...

    @overload
    def __getitem__(self, index: slice) -> list[Recording[UUID]]: ...

    def __getitem__(self, index: int | slice) -> Recording[UUID] | list[Recording[UUID]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]  # negative indices; IndexError when out of range
        made = self._made.get(i)
        if made is None:
            s = self._stored[i]
            notification = Notification(
                originator_id=s.originator_id,
                originator_version=s.originator_version,
                topic=s.topic,
                state=s.state,
                id=self._ids[i],
            )
            made = self._made[i] = Recording(self._events[i], notification)
        return made


@dataclass(frozen=True)
class Recorded:
    """What a command returns: the aggregate it changed and the log position it reached."""

    id: UUID
    position: int


class Commands:
    """Runs a command as a cause, at the clock's time, retrying on concurrent changes."""

    def __init__(self, store: SmcStore, clock: Clock, retries: int = 3) -> None:
        self.store = store
        self.clock = clock
        self.retries = retries

    def run(self, cause: Cause, command: Callable[[], T]) -> T:
        for _attempt in range(self.retries + 1):
            try:
                with acting(cause, self.clock.now()):
                    return command()
            except IntegrityError:
                continue
        msg = "someone else changed this at the same moment; reload and try again"
        raise ConcurrencyConflictError(msg)

    def save(self, *aggregates: SmcAggregate | PreRecorded) -> int:
        """Save and return the position reached (the current head when nothing changed)."""
        recordings = self.store.save(*aggregates)
        if recordings:
            return int(recordings[-1].notification.id)
        return self.store.head()
