"""The core suite: append postings-sized events through SmcStore, catch a view up over them."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from bench.context import BenchContext
from bench.report import RAW_POSTGRES, RAW_SQLITE, Result
from domain.base import SmcAggregate
from domain.clock import FixedClock
from domain.context import Cause
from domain.store import Commands, SmcStore
from projections.base import SmcProjection, handles
from projections.catchup import catch_up
from projections.views import PostgresView, ViewTx
from projections.viewset import ViewsConfig, open_projection
from projections.worker import PagingProjectionRunner

CAUSE = Cause("system:bench")
NAMESPACE = UUID("5c0b7e7a-2a43-5f4e-9f0e-0d6b3c1a2b01")
BATCH = 100
RAW_RUNS = 3
RAW_NOTE = f"baseline: median of {RAW_RUNS} runs, each into a fresh table"
DISTRICTS = (
    ("11680", "강남구"),
    ("11440", "마포구"),
    ("11110", "종로구"),
    ("11500", "강서구"),
    ("11710", "송파구"),
)
TEXTS = (
    "{d} 역삼동 사거리 가로등이 일주일째 깜빡이다가 어젯밤부터 꺼졌습니다."
    " 빨리 고쳐 주세요. 제보 {i}",
    "{d} 한강공원 산책로 배수구가 막혀 비만 오면 물이 고입니다. 유모차가 지나가기 어렵습니다. #{i}",
)


class BenchPosting(SmcAggregate):
    """A citizen's posting, postings-sized: one event with eleven fields (bench only)."""

    @event("Received")
    def __init__(
        self,
        citizen_id: UUID,
        channel: str,
        source_id: str,
        author: str,
        text: str,
        district: str,
        language: str,
        tags: list[str],
        latitude: float,
        longitude: float,
        followers: int,
    ) -> None:
        self.citizen_id = citizen_id
        self.channel = channel
        self.source_id = source_id
        self.author = author
        self.text = text
        self.district = district
        self.language = language
        self.tags = tags
        self.latitude = latitude
        self.longitude = longitude
        self.followers = followers


def new_posting(i: int) -> BenchPosting:
    code, name = DISTRICTS[i % len(DISTRICTS)]
    return BenchPosting(
        citizen_id=uuid5(NAMESPACE, f"citizen/{i % 5000}"),
        channel="x",
        source_id=f"{1_800_000_000_000_000_000 + i}",
        author=f"@seoul_citizen_{i % 5000}",
        text=TEXTS[i % len(TEXTS)].format(d=name, i=i),
        district=code,
        language="ko",
        tags=["민원", "안전", f"{name}"],
        latitude=37.4 + (i % 1000) / 5000,
        longitude=126.8 + (i % 1000) / 2500,
        followers=i % 10_000,
    )


class BenchCounts(SmcProjection):
    """Postings per district: one upsert per event (bench only)."""

    name = "bench_counts"
    tables = ("bench_counts",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS bench_counts (district TEXT PRIMARY KEY,"
        " postings BIGINT NOT NULL, position BIGINT NOT NULL)",
    )

    @handles("BenchPosting.Received")
    def _received(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO bench_counts VALUES (?, 1, ?) ON CONFLICT (district) DO UPDATE SET"
            " postings = bench_counts.postings + 1, position = excluded.position",
            [e.district, position],
        )

    def total(self) -> int:
        rows = self.query("SELECT COALESCE(SUM(postings), 0) AS n FROM bench_counts")
        return int(rows[0]["n"])


@dataclass
class StoredRow:
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def stored_rows(store: SmcStore, n: int) -> list[StoredRow]:
    """The same events the application writes, mapped to stored rows by the store's mapper."""
    clock = FixedClock(datetime(2026, 7, 14, 1, 0, tzinfo=UTC))
    commands = Commands(store, clock)
    rows = []
    for i in range(n):
        posting = commands.run(CAUSE, partial(new_posting, i))
        (ev,) = posting.collect_events()
        s = store.mapper.to_stored_event(ev)
        assert isinstance(s.originator_id, UUID)
        rows.append(StoredRow(s.originator_id, s.originator_version, s.topic, s.state))
    return rows


# -- scenarios ---------------------------------------------------------------------------------
SUITE = "core"
TITLE = "append postings-sized events through SmcStore, catch a view up over them"

Timed = Callable[[], int]


def _timed(fn: Timed) -> tuple[int, float]:
    started = time.perf_counter()
    count = fn()
    return count, time.perf_counter() - started


def _commands(store: SmcStore) -> Commands:
    return Commands(store, FixedClock(datetime(2026, 7, 14, 1, 0, tzinfo=UTC)))


def _save(commands: Commands, numbers: range) -> int:
    return commands.save(*(new_posting(i) for i in numbers))


def append_single(store: SmcStore, n: int) -> int:
    commands = _commands(store)
    for i in range(n):
        commands.run(CAUSE, partial(_save, commands, range(i, i + 1)))
    return n


def append_batched(store: SmcStore, n: int, batch: int = BATCH) -> int:
    commands = _commands(store)
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        commands.run(CAUSE, partial(_save, commands, range(start, stop)))
    return n


def _check_head(store: SmcStore, n: int, what: str) -> None:
    head = store.head()
    if head != n:
        msg = f"{what}: store head is {head}, expected {n}"
        raise AssertionError(msg)


def _check_view(projection: BenchCounts, n: int, head: int, what: str) -> None:
    total, position = projection.total(), projection.view.position()
    if (total, position) != (n, head):
        msg = f"{what}: view counted {total} at position {position}, expected {n} at {head}"
        raise AssertionError(msg)


def raw_sqlite(path: Path, rows: list[StoredRow]) -> tuple[int, float]:
    """Baseline: plain sqlite3, the library's own table, one transaction, executemany."""
    store = SmcStore(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})
    table = store.recorder.events_table_name  # type: ignore[attr-defined]
    store.close()
    params = [(r.originator_id.hex, r.originator_version, r.topic, r.state) for r in rows]
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")

        def insert() -> int:
            db.execute("BEGIN")
            db.executemany(f"INSERT INTO {table} VALUES (?,?,?,?)", params)
            db.execute("COMMIT")
            return len(params)

        return _timed(insert)
    finally:
        db.close()


def raw_postgres(url: str, env: dict[str, str], rows: list[StoredRow]) -> tuple[int, float]:
    """Baseline: plain psycopg, the library's own table, one transaction, executemany."""
    import psycopg

    store = SmcStore(env=env)
    table = store.recorder.events_table_name  # type: ignore[attr-defined]
    store.close()
    params = [(r.originator_id, r.originator_version, r.topic, r.state) for r in rows]
    sql = (
        f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
        " VALUES (%s, %s, %s, %s)"
    )
    with psycopg.connect(url, autocommit=True) as conn:

        def insert() -> int:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(sql, params)
            return len(params)

        return _timed(insert)


def _median(runs: list[tuple[int, float]]) -> tuple[int, float]:
    """The run with the median time (baselines are short, so one sample is noisy)."""
    return sorted(runs, key=lambda r: r[1])[len(runs) // 2]


def _sqlite_env(path: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}


def _row(scenario: str, backend: str, counted: tuple[int, float], note: str = "") -> Result:
    events, seconds = counted
    result = Result(SUITE, scenario, backend, events, seconds, note=note)
    print(f"  {scenario}: {result.rate:,.0f} events/s ({seconds:.2f} s)", flush=True)
    return result


def run(ctx: BenchContext) -> list[Result]:
    n = ctx.n
    results: list[Result] = []

    # What building and mapping costs without storage, and the rows every baseline inserts.
    mapper_store = SmcStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    rows: list[StoredRow] = []

    def build() -> int:
        rows.extend(stored_rows(mapper_store, n))
        return len(rows)

    results.append(_row("events built and mapped to JSON, no storage", "none", _timed(build)))
    avg = sum(len(r.state) for r in rows) / len(rows)
    ctx.machine.notes.append(f"core: stored event state averages {avg:.0f} bytes of JSON")

    # SQLite.
    base = _median(
        [raw_sqlite(ctx.scratch(f"raw-sqlite-{k}") / "raw.sqlite", rows) for k in range(RAW_RUNS)]
    )
    row = _row("raw sqlite3 executemany, one transaction", "sqlite", base, RAW_NOTE)
    results.append(replace(row, key=RAW_SQLITE))
    single_dir = ctx.scratch("sqlite-single")
    store = SmcStore(env=_sqlite_env(single_dir / "smc.sqlite"))
    try:
        results.append(
            _row(
                "SQLite: append, 1 aggregate per save",
                "sqlite",
                _timed(lambda: append_single(store, n)),
            )
        )
        _check_head(store, n, "SQLite single")
        projection = open_projection(
            BenchCounts, ViewsConfig("sqlite", sqlite_dir=single_dir / "views")
        )
        try:
            counted = _timed(lambda: _catch_up(store, projection))
            results.append(_row("SQLite: catch_up view, pages of 500", "sqlite", counted))
            _check_view(projection, n, store.head(), "SQLite catch-up")
        finally:
            projection.view.close()
    finally:
        store.close()
    store = SmcStore(env=_sqlite_env(ctx.scratch("sqlite-batch") / "smc.sqlite"))
    try:
        counted = _timed(lambda: append_batched(store, n))
        results.append(_row(f"SQLite: append, {BATCH} aggregates per save", "sqlite", counted))
        _check_head(store, n, "SQLite batch")
    finally:
        store.close()

    # PostgreSQL.
    skip = ctx.postgres_skip_reason()
    if skip:
        return results
    base = _median([raw_postgres(*ctx.postgres_database("raw"), rows) for _ in range(RAW_RUNS)])
    row = _row("raw psycopg executemany, one transaction", "postgres", base, RAW_NOTE)
    results.append(replace(row, key=RAW_POSTGRES))
    _url, env = ctx.postgres_database("single")
    store = SmcStore(env=env)
    try:
        counted = _timed(lambda: append_single(store, n))
        results.append(_row("PostgreSQL: append, 1 aggregate per save", "postgres", counted))
        _check_head(store, n, "PostgreSQL single")
        head = store.head()
        projection = open_projection(BenchCounts, ViewsConfig("postgres", postgres_env=env))
        try:
            counted = _timed(lambda: _catch_up(store, projection))
            results.append(_row("PostgreSQL: catch_up view, pages of 500", "postgres", counted))
            _check_view(projection, n, head, "PostgreSQL catch-up")
            projection.reset()
        finally:
            projection.view.close()
        counted = run_projection_runner(env, head)
        results.append(
            _row(
                "PostgreSQL: ProjectionRunner (smc worker path)",
                "postgres",
                counted,
                "one transaction per pull of the subscription (at most 500 events)",
            )
        )
        projection = open_projection(BenchCounts, ViewsConfig("postgres", postgres_env=env))
        try:
            _check_view(projection, n, head, "PostgreSQL ProjectionRunner")
        finally:
            projection.view.close()
    finally:
        store.close()
    _url, env = ctx.postgres_database("batch")
    store = SmcStore(env=env)
    try:
        counted = _timed(lambda: append_batched(store, n))
        results.append(
            _row(f"PostgreSQL: append, {BATCH} aggregates per save", "postgres", counted)
        )
        _check_head(store, n, "PostgreSQL batch")
    finally:
        store.close()
    return results


def _catch_up(store: SmcStore, projection: BenchCounts) -> int:
    before = projection.view.position()
    return catch_up(store, projection) - before


def run_projection_runner(
    env: dict[str, str], head: int, timeout: float = 120.0
) -> tuple[int, float]:
    """The ``smc worker`` runner (eventsourcing's ProjectionRunner applying each pull as one
    page) over the store, from 0 until the view reached ``head`` (start-up included:
    constructing the store, the view and the LISTEN subscription)."""
    started = time.perf_counter()
    with PagingProjectionRunner(
        application_class=SmcStore,
        projection_class=BenchCounts,
        view_class=PostgresView,
        env=env,
    ) as runner:
        runner.wait(head, timeout=timeout)
        return head, time.perf_counter() - started
