"""The tuned SQLite factory: every store connection gets the configured page cache and WAL
checkpoint interval, bad values are refused with a message, and the store works as before."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import InfrastructureFactoryError
from pydantic import ValidationError

from api.bootstrap import store_env
from api.settings import Settings
from api.sqlite_store import TOPIC, TunedConnectionPool, pragmas
from domain.context import Cause, acting
from domain.postings import IntakeRejection
from domain.store import SmcStore

T0 = datetime(2026, 7, 14, 1, 0, tzinfo=UTC)


def pragma_values(store: SmcStore) -> tuple[int, int, str, int]:
    with store.recorder.datastore.transaction(commit=False) as cur:  # type: ignore[attr-defined]
        values = []
        for name in ("cache_size", "wal_autocheckpoint", "journal_mode", "synchronous"):
            cur.execute(f"PRAGMA {name}")
            values.append(cur.fetchone()[0])
    return values[0], values[1], values[2], values[3]


def test_settings_reach_every_connection(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'smc.sqlite'}",
        sqlite_cache_mb=16,
        sqlite_wal_autocheckpoint=5000,
    )
    store = SmcStore(env=store_env(settings))
    try:
        assert isinstance(store.recorder.datastore.pool, TunedConnectionPool)  # type: ignore[attr-defined]
        seen: list[tuple[int, int, str, int]] = []
        # a second thread takes another connection from the pool: it is tuned too
        worker = threading.Thread(target=lambda: seen.append(pragma_values(store)))
        worker.start()
        worker.join()
        seen.append(pragma_values(store))
        # cache in KiB (negative), checkpoint interval, WAL and synchronous=FULL kept
        assert seen == [(-16 * 1024, 5000, "wal", 2)] * 2
    finally:
        store.close()


def test_zero_keeps_sqlite_defaults(tmp_path: Path) -> None:
    env = {
        "PERSISTENCE_MODULE": TOPIC,
        "SQLITE_DBNAME": str(tmp_path / "plain.sqlite"),
        "SQLITE_CACHE_MB": "0",
        "SQLITE_WAL_AUTOCHECKPOINT": "0",
    }
    store = SmcStore(env=env)
    try:
        assert pragma_values(store)[:2] == (-2000, 1000)
    finally:
        store.close()


def test_events_saved_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "smc.sqlite"
    store = SmcStore(env=store_env(Settings(database_url=f"sqlite:///{path}")))
    try:
        with acting(Cause("system:test"), T0):
            saved = [IntakeRejection("x", f"f{i}", str(i), "bad", f"e{i}") for i in range(500)]
        store.save(*saved)
        assert store.head() == 500
        again = store.load(saved[123].id, IntakeRejection, "rejection")
        assert again.reason == "bad"
    finally:
        store.close()


def test_bad_values_are_refused_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        pragmas(-1, 0)
    env = {
        "PERSISTENCE_MODULE": TOPIC,
        "SQLITE_DBNAME": str(tmp_path / "bad.sqlite"),
        "SQLITE_CACHE_MB": "lots",
    }
    with pytest.raises(InfrastructureFactoryError, match="SQLITE_CACHE_MB"):
        SmcStore(env=env)
    with pytest.raises(ValidationError, match="sqlite_cache_mb"):
        Settings(sqlite_cache_mb=-5)
