"""The event store's SQLite infrastructure: eventsourcing 9.5.6's, with each connection given a
larger page cache and a less frequent WAL checkpoint.

With SQLite's defaults (a 2 MB page cache, a checkpoint whenever the WAL passes 1,000 pages)
a group commit of a few thousand events spills pages out of the cache while it inserts (the
unique index on aggregate id and version is written at random places), and every commit also
copies the WAL back into the database and syncs it, so the pages every transaction touches
(the tail of the table, the index's inner pages) are written to the database file again and
again. The cache and the checkpoint interval are settings (``SMC_SQLITE_CACHE_MB``,
``SMC_SQLITE_WAL_AUTOCHECKPOINT``; 0 keeps SQLite's default). Durability is unchanged: WAL,
``synchronous=FULL`` (the library's), each commit synced; a checkpoint only moves committed
pages from the WAL into the database. The measured effect is in docs/benchmarks.md.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InfrastructureFactoryError
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

TOPIC = f"{__name__}:TunedSQLiteFactory"
CACHE_MB = "SQLITE_CACHE_MB"
WAL_AUTOCHECKPOINT = "SQLITE_WAL_AUTOCHECKPOINT"


class TunedConnectionPool(SQLiteConnectionPool):
    """Runs the given ``PRAGMA`` statements on every connection it opens."""

    def __init__(self, pragmas: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pragmas = pragmas

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        for pragma in self.pragmas:
            connection._sqlite_conn.execute(f"PRAGMA {pragma}")
        return connection


def pragmas(cache_mb: int, wal_autocheckpoint: int) -> tuple[str, ...]:
    """The statements for a cache of ``cache_mb`` MiB and a checkpoint every
    ``wal_autocheckpoint`` WAL pages (0: SQLite's default for either)."""
    if cache_mb < 0 or wal_autocheckpoint < 0:
        msg = "the SQLite cache size and checkpoint interval cannot be negative"
        raise ValueError(msg)
    out: list[str] = []
    if cache_mb:
        out.append(f"cache_size=-{cache_mb * 1024}")  # negative: in KiB
    if wal_autocheckpoint:
        out.append(f"wal_autocheckpoint={wal_autocheckpoint}")
    return tuple(out)


class TunedSQLiteFactory(SQLiteFactory):
    """``SQLiteFactory`` whose datastore opens tuned connections (see the module)."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        try:
            wanted = pragmas(
                int(self.env.get(CACHE_MB) or 0), int(self.env.get(WAL_AUTOCHECKPOINT) or 0)
            )
        except ValueError as exc:
            msg = f"bad SQLite tuning ({CACHE_MB}, {WAL_AUTOCHECKPOINT}): {exc}"
            raise InfrastructureFactoryError(msg) from None
        old = self.datastore.pool
        self.datastore.pool = TunedConnectionPool(
            wanted,
            db_name=old.db_name,
            lock_timeout=old.lock_timeout,
            pool_size=old.pool_size,
            max_overflow=old.max_overflow,
            pool_timeout=old.pool_timeout,
            max_age=old.max_age,
            pre_ping=old.pre_ping,
        )
        old.close()
