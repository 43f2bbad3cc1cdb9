"""Projection base: handlers per event class, pages applied atomically with tracking.

The same projection class runs in both backends: driven by our catch-up loop over SQLite, or
by eventsourcing's ``ProjectionRunner`` over PostgreSQL (which calls :meth:`process_event`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections.views import Row, View, ViewTx

Handler = Callable[[Any, Any, ViewTx, int], None]
F = TypeVar("F", bound=Callable[..., None])


ANY_EVENT = "*"
META_DDL = (
    "CREATE TABLE IF NOT EXISTS smc_view_meta (name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL)"
)


def handles(*topics: str) -> Callable[[F], F]:
    """Mark a method ``(self, event, tx, position)`` as the handler of these event topics,
    named without the ``smc:`` prefix (``"Department.Registered"``), or ``"*"`` for all."""

    def mark(method: F) -> F:
        method.__smc_handles__ = topics  # type: ignore[attr-defined]
        return method

    return mark


class SmcProjection(Projection[View]):
    """Subclasses set ``name``, ``tables``, ``ddl`` and decorate handlers with @handles."""

    tables: ClassVar[tuple[str, ...]] = ()
    ddl: ClassVar[tuple[str, ...]] = ()
    _handlers: ClassVar[dict[str, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[str, Handler] = {}
        for base in reversed(cls.__mro__):
            for attr in vars(base).values():
                for topic in getattr(attr, "__smc_handles__", ()):
                    handlers[topic] = attr
        cls._handlers = handlers

    def __init__(self, view: View) -> None:
        super().__init__(view)
        view.ensure_schema((META_DDL,))
        self._migrate()
        view.ensure_schema(self.schema())

    def _migrate(self) -> None:
        """A view whose DDL changed since it was built is dropped, so that it is rebuilt from
        the events (views are disposable; the events are the record)."""
        fingerprint = hashlib.sha256("\n".join(self.schema()).encode()).hexdigest()[:16]
        with self.view.write() as tx:
            row = tx.one("SELECT fingerprint FROM smc_view_meta WHERE name = ?", [self.name])
            if row is not None and row["fingerprint"] == fingerprint:
                return
            if row is not None:
                self.view.reset(tx, self.tables, ())
            tx.execute(
                "INSERT INTO smc_view_meta VALUES (?, ?) ON CONFLICT (name)"
                " DO UPDATE SET fingerprint = excluded.fingerprint",
                [self.name, fingerprint],
            )

    def schema(self) -> tuple[str, ...]:
        """The DDL for this view's backend (override when the backends differ)."""
        return self.ddl

    def dumped_tables(self) -> tuple[str, ...]:
        """Tables compared by rebuild tests (derived search indexes may be left out)."""
        return self.tables

    @classmethod
    def _handler_for(cls, event: Any) -> Handler | None:
        topic = str(getattr(type(event), "TOPIC", "")).removeprefix("smc:")
        return cls._handlers.get(topic) or cls._handlers.get(ANY_EVENT)

    @classmethod
    def handled_topics(cls) -> set[str]:
        return set(cls._handlers) - {ANY_EVENT}

    # -- writing ---------------------------------------------------------------------------
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.process_page([(domain_event, tracking.notification_id)])

    def process_page(self, items: Sequence[tuple[Any, int]]) -> int:
        """Apply events with their positions in one transaction; already-seen ones are skipped."""
        with self.view.write() as tx:
            current = self.view.position_in(tx)
            fresh = [(e, p) for e, p in items if p > current]
            if not fresh:
                return current
            for event, position in fresh:
                handler = self._handler_for(event)
                if handler is not None:
                    handler(self, event, tx, position)
            self.view.record_position(tx, fresh[-1][1])
            return fresh[-1][1]

    def reset(self) -> None:
        """Drop the projection's rows and position (the first step of a rebuild)."""
        with self.view.write() as tx:
            self.view.reset(tx, self.tables, self.schema())

    # -- reading ---------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.view.read() as tx:
            return tx.all(sql, params)

    def dump(self) -> dict[str, list[Row]]:
        """Every row of every table, in a stable order (for rebuild-equals-incremental tests)."""
        out: dict[str, list[Row]] = {}
        with self.view.read() as tx:
            for table in self.dumped_tables():
                rows = tx.all(f"SELECT * FROM {table}")  # noqa: S608
                out[table] = sorted(rows, key=lambda r: repr(sorted(r.items())))
        return out
