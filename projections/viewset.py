"""All read models of one process, opened on the configured backend, with read-your-writes."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.utils import Environment

from projections.base import SmcProjection
from projections.views import PostgresView, SqliteView, View

P = TypeVar("P", bound=SmcProjection)


@dataclass(frozen=True)
class ViewsConfig:
    """Where views live: a folder of SQLite files, or the PostgreSQL event-store env."""

    backend: str  # "sqlite" | "postgres"
    sqlite_dir: Path | None = None
    postgres_env: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    lag: int
    error: str | None


WAL_ATTEMPTS = 20


def prepare_wal_file(path: Path) -> None:
    """Put a view's file in WAL mode before the library opens it. The library switches a new
    file to WAL while connecting, outside its error handling and its writer lock's clean-up:
    two processes opening the same new file at once made one fail with "database is locked"
    and left its pool's writer lock taken. Here the switch is retried until it holds."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            conn = sqlite3.connect(path, timeout=5)
            try:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
            finally:
                conn.close()
            if mode and str(mode[0]).lower() == "wal":
                return
        except sqlite3.OperationalError:
            if attempt == WAL_ATTEMPTS - 1:
                raise
        time.sleep(0.05 * (attempt + 1))
    raise sqlite3.OperationalError(f"{path}: could not switch to WAL journal mode")


def open_projection(cls: type[P], config: ViewsConfig) -> P:
    if config.backend == "sqlite":
        assert config.sqlite_dir is not None
        config.sqlite_dir.mkdir(parents=True, exist_ok=True)
        path = config.sqlite_dir / f"{cls.name}.sqlite"
        prepare_wal_file(path)
        datastore = SQLiteDatastore(db_name=str(path))
        return cls(SqliteView(datastore))
    # the view creates its tables itself (ensure_schema, which survives a start-up race)
    env = Environment(cls.name, {**(config.postgres_env or {}), "CREATE_TABLE": "no"})
    factory: InfrastructureFactory[View] = InfrastructureFactory.construct(env=env)
    return cls(factory.tracking_recorder(PostgresView))


class ViewSet:
    def __init__(self, projections: Iterable[SmcProjection], wait_timeout: float = 2.0) -> None:
        self._by_name = {p.name: p for p in projections}
        self.wait_timeout = wait_timeout

    @classmethod
    def open(
        cls, classes: Sequence[type[SmcProjection]], config: ViewsConfig, wait_timeout: float = 2.0
    ) -> ViewSet:
        return cls((open_projection(c, config) for c in classes), wait_timeout)

    def __getitem__(self, name: str) -> SmcProjection:
        return self._by_name[name]

    def get(self, cls: type[P]) -> P:
        projection = self._by_name[cls.name]
        assert isinstance(projection, cls)
        return projection

    def all(self) -> list[SmcProjection]:
        return list(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)

    def wait(
        self, position: int, names: Sequence[str] | None = None, timeout: float | None = None
    ) -> bool:
        """Block (bounded: ``timeout``, default the configured read wait) until the named views
        (default: all) reached ``position``."""
        timeout = self.wait_timeout if timeout is None else timeout
        targets = [self._by_name[n] for n in names] if names else self.all()
        deadline = time.monotonic() + timeout
        delay = 0.002
        while True:
            if all(p.view.position() >= position for p in targets):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def status(self, head: int, errors: Mapping[str, str] | None = None) -> list[ProjectionStatus]:
        out = []
        for name, p in self._by_name.items():
            pos = p.view.position()
            out.append(ProjectionStatus(name, pos, max(head - pos, 0), (errors or {}).get(name)))
        return out

    def close(self) -> None:
        for p in self._by_name.values():
            p.view.close()
