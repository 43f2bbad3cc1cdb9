"""Triage in batch: 100,000 postings through every decision (category, request class,
information type, district, destination), with and without a learned model, in one process
and in two; the one-at-a-time path that intake uses; and the kiwipiepy analyser's cost."""

from __future__ import annotations

import csv
import multiprocessing
import os
import random
import time
from collections.abc import Sequence

from bench.context import BenchContext
from bench.report import Result
from channels.models import train
from channels.triage_config import build_engine
from domain.triage import FieldDecision
from domain.triage_engine import Posted, TriageEngine
from tests.shared_data import shared_data_dir

SUITE = "triage"
TITLE = "Triage of postings in batch (target >= 20,000 postings/s)"
N = int(os.environ.get("SMC_BENCH_TRIAGE_N", "100000"))

KO = [
    "{p} 근처 버스 정류장이 침수됐어요 #서울호우",
    "{p}에서 불법주차 때문에 지나갈 수가 없어요",
    "{p} 골목 쓰레기 무단투기 신고합니다",
    "지하철 2호선 {p} 운행 중단 언제 재개되나요?",
    "{p} 도로에 포트홀이 생겼어요 위험해요",
    "오늘 {p} 날씨 좋네요 ㅎㅎ",
    "{p} 재개발 철거 일정이 궁금합니다",
    "택시 승차거부 당했어요 {p}에서",
]
PLACES = [
    "강남역",
    "망원동",
    "신림동",
    "홍대입구역",
    "잠실",
    "여의도",
    "종로",
    "노원역",
    "광화문",
    "성수동",
]
PLACES += ["집 앞", "회사", "학교 앞", "우리 동네"]


def english_texts() -> list[str]:
    base = shared_data_dir()
    path = base / "tweets" / "crisislext26_shared70.csv" if base else None
    if path is None or not path.exists():
        return ["Bus stop flooded near Gangnam station, avoid the area", "Thanks for the help!"]
    with path.open(newline="", encoding="utf-8") as fh:
        return [row["tweet_text"] for row in csv.DictReader(fh)]


def corpus(n: int, english: Sequence[str]) -> list[Posted]:
    """Half real English crisis tweets, half Korean city postings; 5% carry a point. Every
    text is made unique (a number is appended) so that no cache sees a repeated text."""
    rnd = random.Random(20261125)
    out: list[Posted] = []
    for i in range(n):
        if i % 2:
            text = f"{rnd.choice(english)} {i}"
        else:
            text = f"{rnd.choice(KO).format(p=rnd.choice(PLACES))} {i}"
        point = (126.85 + rnd.random() * 0.3, 37.45 + rnd.random() * 0.2) if i % 20 == 0 else None
        out.append(Posted(text, lon=point[0] if point else None, lat=point[1] if point else None))
    return out


def info_model(english: Sequence[str]) -> TriageEngine:
    base = shared_data_dir()
    path = base / "tweets" / "crisislext26_shared70.csv" if base else None
    texts, labels = list(english[:2]), ["Other Useful Information", "Not related"]
    if path is not None and path.exists():
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        texts = [r["tweet_text"] for r in rows[:5_000]]  # enough for timing
        labels = [r["information_type"] for r in rows[:5_000]]
    engine = build_engine(None)
    engine.models = {"info_type": train("info_type", texts, labels)}
    return engine


_ENGINE: TriageEngine | None = None


def _work(chunk: list[Posted]) -> list[dict[str, FieldDecision]]:
    assert _ENGINE is not None
    return _ENGINE.decide_many(chunk)


def timed_batch(engine: TriageEngine, posts: list[Posted], workers: int = 1) -> float:
    global _ENGINE
    started = time.perf_counter()
    if workers == 1:
        engine.decide_many(posts)
    else:
        _ENGINE = engine
        size = 5_000
        chunks = [posts[i : i + size] for i in range(0, len(posts), size)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_work, chunks)
    return time.perf_counter() - started


def run(ctx: BenchContext) -> list[Result]:
    english = english_texts()
    posts = corpus(N, english)
    rules = build_engine(None)
    learned = info_model(english)
    results = [
        Result(SUITE, "batch, rules only, 1 process", "none", N, timed_batch(rules, posts)),
        Result(SUITE, "batch, rules only, 2 processes", "none", N,
               timed_batch(rules, posts, workers=2)),
        Result(SUITE, "batch, rules + info-type model, 1 process", "none", N,
               timed_batch(learned, posts)),
        Result(SUITE, "batch, rules + info-type model, 2 processes", "none", N,
               timed_batch(learned, posts, workers=2)),
    ]  # fmt: skip
    single = posts[:20_000]
    started = time.perf_counter()
    for p in single:
        learned.decide(p)
    results.append(
        Result(SUITE, "one at a time (the intake hook)", "none", len(single),
               time.perf_counter() - started)
    )  # fmt: skip
    results.extend(kiwi(posts[:4_000:2]))
    results.extend(intake(ctx, posts[:20_000], learned))
    for r in results:
        print(f"  {r.scenario}: {r.rate:,.0f} postings/s")
    return results


def kiwi(posts: list[Posted]) -> list[Result]:
    from channels.analysis import Analysis

    analysis = Analysis()
    if not analysis.uses_kiwi:
        return []
    texts = [p.text for p in posts]
    analysis.keywords(texts[:10])  # load the model outside the timing
    started = time.perf_counter()
    analysis.keywords(texts)
    seconds = time.perf_counter() - started
    return [Result(SUITE, "kiwipiepy nouns/stems only (Korean)", "none", len(texts), seconds)]


def intake(ctx: BenchContext, posts: list[Posted], engine: TriageEngine) -> list[Result]:
    """The intake path on SQLite (batches of 500, one transaction each), triage off and on."""
    from datetime import UTC, datetime

    from domain.clock import SystemClock
    from domain.context import Cause
    from domain.intake_service import IntakeService
    from domain.postings import IncomingPosting
    from domain.store import Commands, SmcStore
    from domain.triage_service import TriageService

    now = datetime.now(UTC)
    out: list[Result] = []
    for label, with_triage in (("off", False), ("on", True)):
        path = ctx.scratch(f"intake-{label}") / "smc.sqlite"
        store = SmcStore(
            env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
        )
        commands = Commands(store, SystemClock())
        triager = TriageService(commands, engine) if with_triage else None
        service = IntakeService(commands, triager=triager)
        items = [
            IncomingPosting(channel="x", source_id=str(i), text=p.text, created_at=now,
                            lon=p.lon, lat=p.lat)
            for i, p in enumerate(posts)
        ]  # fmt: skip
        started = time.perf_counter()
        for i in range(0, len(items), 500):
            service.ingest(Cause("system:bench"), items[i : i + 500])
        seconds = time.perf_counter() - started
        store.close()
        out.append(Result(SUITE, f"intake, SQLite, triage {label}", "sqlite", len(items), seconds))
    return out
