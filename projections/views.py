"""The one view interface, with a SQLite and a PostgreSQL backend.

A view is an eventsourcing tracking recorder that also owns the projection's tables. Its
rows and its tracking position are written in one transaction, so a view is always exactly
"the events up to position N". SQL is written once, with ``?`` placeholders, in the subset
both databases speak (TEXT, BIGINT, DOUBLE PRECISION, ``ON CONFLICT ... DO UPDATE``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from eventsourcing.persistence import PersistenceError, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

UPSTREAM = "smc"  # the event store application's name

Row = dict[str, Any]


class ViewTx:
    """A cursor in one view transaction, speaking ``?`` placeholders on both backends."""

    def __init__(self, cursor: Any, *, pyformat: bool) -> None:
        self.cursor = cursor
        self.pyformat = pyformat

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s") if self.pyformat else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(self._sql(sql), [tuple(r) for r in rows])

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.execute(sql, params)
        return [dict(r) for r in self.cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        self.execute(sql, params)
        row = self.cursor.fetchone()
        return None if row is None else dict(row)


class View(TrackingRecorder, ABC):
    """What projections and read paths use; nothing backend-specific leaks past it."""

    backend: str

    @abstractmethod
    def ensure_schema(self, ddl: Sequence[str]) -> None: ...
    @abstractmethod
    def write(self) -> AbstractContextManager[ViewTx]: ...
    @abstractmethod
    def read(self) -> AbstractContextManager[ViewTx]: ...
    @abstractmethod
    def position(self) -> int: ...
    @abstractmethod
    def position_in(self, tx: ViewTx) -> int: ...
    @abstractmethod
    def record_position(self, tx: ViewTx, position: int) -> None: ...
    @abstractmethod
    def reset(self, tx: ViewTx, tables: Sequence[str], ddl: Sequence[str]) -> None: ...
    @abstractmethod
    def close(self) -> None: ...


SCHEMA_ATTEMPTS = 5


def retrying(create: Callable[[], None]) -> None:
    """Run idempotent DDL; processes starting together race on the catalogue (PostgreSQL:
    "tuple concurrently updated", a duplicate type; both: the library's migration row), and
    the loser simply runs it again."""
    for attempt in range(SCHEMA_ATTEMPTS):
        try:
            create()
            return
        except PersistenceError:
            if attempt == SCHEMA_ATTEMPTS - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


class SqliteView(SQLiteTrackingRecorder, View):
    backend = "sqlite"

    def ensure_schema(self, ddl: Sequence[str]) -> None:
        def create() -> None:
            self.create_table()
            with self.write() as tx:
                for statement in ddl:
                    tx.execute(statement)

        retrying(create)

    @contextmanager
    def write(self) -> Iterator[ViewTx]:
        with self.datastore.transaction(commit=True) as c:
            # Take the write lock first: a deferred transaction that reads and then writes
            # cannot wait for another process's writer and would fail at once.
            c.execute("UPDATE tracking SET notification_id = notification_id WHERE 0")
            yield ViewTx(c.sqlite_cursor, pyformat=False)

    @contextmanager
    def read(self) -> Iterator[ViewTx]:
        with self.datastore.transaction(commit=False) as c:
            yield ViewTx(c.sqlite_cursor, pyformat=False)

    def position(self) -> int:
        return self.max_tracking_id(UPSTREAM) or 0

    def position_in(self, tx: ViewTx) -> int:
        row = tx.one("SELECT notification_id FROM tracking WHERE application_name = ?", [UPSTREAM])
        return int(row["notification_id"]) if row else 0

    def record_position(self, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO tracking VALUES (?, ?) ON CONFLICT (application_name) "
            "DO UPDATE SET notification_id = excluded.notification_id",
            [UPSTREAM, position],
        )

    def reset(self, tx: ViewTx, tables: Sequence[str], ddl: Sequence[str]) -> None:
        for table in tables:
            tx.execute(f"DROP TABLE IF EXISTS {table}")
        tx.execute("DELETE FROM tracking WHERE application_name = ?", [UPSTREAM])
        for statement in ddl:
            tx.execute(statement)

    def close(self) -> None:
        self.datastore.close()


class PostgresView(PostgresTrackingRecorder, View):
    backend = "postgres"

    def ensure_schema(self, ddl: Sequence[str]) -> None:
        def create() -> None:
            self.create_table()
            with self.write() as tx:
                tx.execute("SELECT pg_advisory_xact_lock(hashtext('smc-view-schema'))")
                for statement in ddl:
                    tx.execute(statement)

        retrying(create)

    @contextmanager
    def write(self) -> Iterator[ViewTx]:
        with self.datastore.transaction(commit=True) as c:
            yield ViewTx(c, pyformat=True)

    @contextmanager
    def read(self) -> Iterator[ViewTx]:
        with self.datastore.transaction(commit=False) as c:
            yield ViewTx(c, pyformat=True)

    def position(self) -> int:
        return self.max_tracking_id(UPSTREAM) or 0

    def position_in(self, tx: ViewTx) -> int:
        row = tx.one(
            f"SELECT notification_id FROM {self.tracking_table_name} "  # noqa: S608
            "WHERE application_name = ? FOR UPDATE",
            [UPSTREAM],
        )
        return int(row["notification_id"]) if row else 0

    def record_position(self, tx: ViewTx, position: int) -> None:
        self._insert_tracking(tx.cursor, Tracking(UPSTREAM, position))

    def reset(self, tx: ViewTx, tables: Sequence[str], ddl: Sequence[str]) -> None:
        for table in tables:
            tx.execute(f"DROP TABLE IF EXISTS {table}")
        tx.execute(
            f"DELETE FROM {self.tracking_table_name} WHERE application_name = ?",  # noqa: S608
            [UPSTREAM],
        )
        for statement in ddl:
            tx.execute(statement)

    def close(self) -> None:
        self.datastore.close()
