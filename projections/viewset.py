"""All read models of one process, opened on the configured backend, with read-your-writes."""

from __future__ import annotations

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


def open_projection(cls: type[P], config: ViewsConfig) -> P:
    if config.backend == "sqlite":
        assert config.sqlite_dir is not None
        config.sqlite_dir.mkdir(parents=True, exist_ok=True)
        datastore = SQLiteDatastore(db_name=str(config.sqlite_dir / f"{cls.name}.sqlite"))
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
