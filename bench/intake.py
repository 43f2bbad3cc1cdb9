"""The intake suite: X items from a generated replay file through ``channels.x.replay.replay_file``
(parse, normalise, dedup, near-duplicate clustering, triage when wired, store; 2,000 items per
transaction), against raw ``executemany`` of the very rows that run stored, in the same run.

``SMC_BENCH_INTAKE_N`` items (default 100,000); SQLite, then PostgreSQL when available. A third,
diagnostic row (SQLite) runs the same replay with the near-duplicate lookup switched off, to show
what the rest of the path costs.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.bootstrap import Container, build
from api.settings import Settings
from api.sqlite_store import pragmas
from bench.context import BenchContext
from bench.report import Result
from channels.x.replay import replay_file
from domain.neardup import Fingerprint, Match, NearDuplicateIndex
from domain.store import SmcStore

SUITE = "intake"
TITLE = "X replay file -> intake (full path) vs raw executemany of the same rows"
PAGE = 100
BATCH = 2000  # items per transaction, as `smc ingest x --replay` does by default
SECRET = "bench-secret-key-0123456789abcdef-not-for-production"  # noqa: S105 - bench only
DISTRICTS = ("강남구", "마포구", "종로구", "송파구", "은평구", "관악구", "노원구", "중구")
PLACES = ("역 3번 출구", "사거리", "버스정류장", "초등학교 앞", "한강공원", "시장 골목", "지하차도")
PROBLEMS = (
    "가로등이 꺼져 있어요",
    "도로에 포트홀이 생겼습니다",
    "불법 주차 차량 때문에 지나갈 수가 없어요",
    "쓰레기가 며칠째 쌓여 있습니다",
    "맨홀 뚜껑이 들려 있어 위험합니다",
    "신호등이 고장 났어요",
    "빗물받이가 막혀 물이 고였습니다",
)


def tweet(rng: random.Random, i: int, n: int) -> dict[str, Any]:
    text = (
        f"{rng.choice(DISTRICTS)} {rng.choice(PLACES)} {rng.choice(PROBLEMS)}"
        f" 제보 {i} #서울시 @seoul_smc"
    )
    item: dict[str, Any] = {
        "id": str(10**18 + i),
        "text": text,
        "author_id": str(1000 + rng.randrange(5000)),
        "created_at": f"2026-07-14T{i * 24 // n:02d}:{i % 60:02d}:{i // 60 % 60:02d}.000Z",
        "lang": "ko",
        "entities": {"hashtags": [{"start": 0, "end": 4, "tag": "서울시"}]},
    }
    if i > 10 and rng.random() < 0.1:  # a retweet of an earlier item: an echo, not a posting
        original = 10**18 + rng.randrange(i)
        item["text"] = f"RT @u: {text}"
        item["referenced_tweets"] = [{"type": "retweeted", "id": str(original)}]
    return item


def write_replay(path: Path, n: int, seed: int = 311) -> None:
    """Search-response pages of ``PAGE`` tweets, exactly as the X API v2 sends them."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, n, PAGE):
            data = [tweet(rng, i, n) for i in range(start, min(start + PAGE, n))]
            users = sorted({t["author_id"] for t in data})
            page = {
                "data": data,
                "includes": {"users": [{"id": u, "username": f"u{u}", "name": u} for u in users]},
                "meta": {"result_count": len(data), "newest_id": data[-1]["id"]},
            }
            out.write(json.dumps(page, ensure_ascii=False) + "\n")


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


class NoLookup(NearDuplicateIndex):
    """Diagnostic only: never finds a near-duplicate and remembers nothing (intake asks for a
    text's fingerprint first; without one it neither looks up nor remembers)."""

    def fingerprint(self, text: str) -> Fingerprint | None:
        del text
        return None

    def find(self, text: str) -> Match | None:
        del text
        return None

    def add(self, posting_id: str, text: str, case_id: str | None) -> None:
        del posting_id, text, case_id


def full_path(settings: Settings, path: Path, n: int, *, lookup: bool = True) -> tuple[float, int]:
    """Seconds for the whole replay, and how many postings it stored."""
    container: Container = build(settings)
    if not lookup:  # no text is long enough for a fingerprint, in either process
        container.intake.index = NoLookup(min_chars=2**62)
    try:
        result, seconds = timed(
            lambda: replay_file(
                path,
                container.intake,
                author_key_secret=settings.author_key,
                batch_size=BATCH,
                preparer=container.intake_preparer(),
            )
        )
    finally:
        container.close()
    if result.read != n or result.rejected:
        msg = f"replay read {result.read} of {n} items, rejected {result.rejected}"
        raise AssertionError(msg)
    return seconds, int(result.new)


def settings_for(url: str, folder: Path) -> Settings:
    return Settings(
        env="test", secret_key=SECRET, data_dir=folder, database_url=url, run_projections=False
    )


def _table(env: dict[str, str]) -> str:
    store = SmcStore(env=env)
    table: str = store.recorder.events_table_name  # type: ignore[attr-defined]
    store.close()
    return table


def raw_sqlite(stored: Path, fresh: Path, tuning: tuple[str, ...] = ()) -> float:
    """Plain sqlite3: the rows the replay stored, into a fresh copy of the table, one commit
    (``tuning``: the store's own ``PRAGMA`` settings, so both run with the same cache)."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(fresh)}
    table = _table(env)
    with sqlite3.connect(stored) as source:
        rows = source.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {table}"
        ).fetchall()
    db = sqlite3.connect(fresh, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        for pragma in tuning:
            db.execute(f"PRAGMA {pragma}")

        def insert() -> None:
            db.execute("BEGIN")
            db.executemany(f"INSERT INTO {table} VALUES (?,?,?,?)", rows)
            db.execute("COMMIT")

        return timed(insert)[1]
    finally:
        db.close()


def raw_postgres(stored_url: str, fresh: tuple[str, dict[str, str]]) -> float:
    import psycopg

    url, env = fresh
    table = _table(env)
    columns = "originator_id, originator_version, topic, state"
    with psycopg.connect(stored_url) as source:
        rows = source.execute(f"SELECT {columns} FROM {table}").fetchall()
    with psycopg.connect(url, autocommit=True) as conn:

        def insert() -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)", rows)

        return timed(insert)[1]


def _pair(backend: str, n: int, seconds: float, new: int, raw: float) -> list[Result]:
    ratio = raw / seconds
    note = f"{new:,} postings; {ratio:.3f} × raw executemany of the same rows (this run)"
    print(f"  {backend}: {n / seconds:,.0f} items/s full path, {n / raw:,.0f} raw ({note})")
    return [
        Result(SUITE, "X replay -> intake, full path", backend, n, seconds, note=note),
        Result(SUITE, "raw executemany, same rows", backend, n, raw, note="one transaction"),
    ]


def run(ctx: BenchContext) -> list[Result]:
    n = int(os.environ.get("SMC_BENCH_INTAKE_N", "100000"))
    path = ctx.scratch("intake") / "replay.jsonl"
    write_replay(path, n)
    folder = ctx.scratch("intake-sqlite")
    settings = settings_for(f"sqlite:///{folder / 'smc.sqlite'}", folder)
    seconds, new = full_path(settings, path, n)
    tuning = pragmas(settings.sqlite_cache_mb, settings.sqlite_wal_autocheckpoint)
    raw = raw_sqlite(folder / "smc.sqlite", folder / "raw.db", tuning)
    results = _pair("sqlite", n, seconds, new, raw)
    off = ctx.scratch("intake-sqlite-nolookup")
    seconds, new = full_path(
        settings_for(f"sqlite:///{off / 'smc.sqlite'}", off), path, n, lookup=False
    )
    note = "diagnostic: near-duplicate lookup switched off"
    print(f"  sqlite without near-duplicate lookup: {n / seconds:,.0f} items/s")
    results.append(
        Result(SUITE, "X replay -> intake, no near-dup lookup", "sqlite", n, seconds, note=note)
    )
    if ctx.postgres_skip_reason():
        return results
    url, _env = ctx.postgres_database("intake")
    seconds, new = full_path(settings_for(url, ctx.scratch("intake-pg")), path, n)
    raw = raw_postgres(url, ctx.postgres_database("intake_raw"))
    return results + _pair("postgres", n, seconds, new, raw)
