"""Results, the machine they ran on, a printed table, and the section for docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

RAW_SQLITE = "raw-sqlite"
RAW_POSTGRES = "raw-postgres"

INTRO = """\
# Benchmarks

`make bench` (or `.venv/bin/python -m bench [suite ...]`) runs the suites in `bench/` against
SMC's real code (`SmcStore`, `Commands`, `SmcProjection`, `catch_up`, eventsourcing's
`ProjectionRunner`) and appends one dated section to this file. `SMC_BENCH_N` sets the number of
events (default 20,000); PostgreSQL runs in a throwaway cluster on 127.0.0.1 (`tests/pg.py`) and
is skipped, with the reason printed here, when its binaries are missing.

How to read a section:

- **events/s** is the absolute speed on that machine on that day; it moves with the hardware,
  the disk and whatever else the machine was doing, so do not compare it across sections.
- **× raw sqlite3** divides events/s by a baseline **measured in the same run**: plain `sqlite3`
  `executemany` of the very same rows (same JSON payloads, from the store's own mapper) in one
  transaction into eventsourcing's own `stored_events` table (median of three runs, each into a
  fresh table, because one run takes a fraction of a second). It is close to the
  physical limit of the machine for these rows, so 0.02 means "2% of what the disk and SQLite
  can do when nothing else is in the way". Ratios are what to compare between sections.
- **× raw driver** divides by the raw baseline of the row's own backend (raw `sqlite3` for
  SQLite rows, raw psycopg `executemany` in one transaction for PostgreSQL rows).
- Write rows include building each aggregate inside `domain.context.acting(...)` through
  `Commands.run`, mapping it to JSON and the commit; "1 per save" is one fsync'd transaction
  per posting, "100 per save" saves 100 postings in one transaction.
- Catch-up rows read the notification log written by the "1 per save" row, decode every event
  and apply it to a view (`bench_counts`: one upsert per event), committing the rows and the
  tracking position per page of 500 (`projections.catchup.catch_up`) or per pull of the
  subscription (`projections.worker.PagingProjectionRunner`, eventsourcing's `ProjectionRunner`
  as `smc worker` runs it on PostgreSQL; the library alone commits once per event).
- The throwaway PostgreSQL cluster runs with `fsync=off` (it is the test cluster), so its
  commits are cheaper than a production server's; the SQLite file keeps the library's defaults
  (WAL, `synchronous=FULL`).
"""


@dataclass(frozen=True)
class Result:
    suite: str
    scenario: str
    backend: str  # "sqlite" | "postgres" | "none"
    events: int
    seconds: float
    key: str = ""  # baselines carry RAW_SQLITE / RAW_POSTGRES
    note: str = ""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class Machine:
    when: datetime
    uname: str
    cpu: str
    cores: int
    memory: str
    python: str
    sqlite: str
    postgres: str
    libraries: str
    n: int
    load_before: str = ""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def probe(cls, n: int) -> Machine:
        try:
            uname = subprocess.run(
                ["uname", "-a"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            uname = " ".join(platform.uname())
        return cls(
            when=datetime.now(UTC),
            uname=uname,
            cpu=_cpu_model(),
            cores=os.cpu_count() or 0,
            memory=_memory(),
            python=sys.version.split()[0],
            sqlite=sqlite3.sqlite_version,
            postgres="not run",
            libraries=", ".join(
                f"{name} {version(name)}" for name in ("eventsourcing", "psycopg", "psycopg-pool")
            ),
            n=n,
            load_before=load_average(),
        )


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every figure."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _baselines(results: Sequence[Result]) -> dict[str, float]:
    return {r.key: r.rate for r in results if r.key}


def _ratio(rate: float, base: float | None) -> str:
    if not base:
        return "–"
    return f"{rate / base:.3f}"


def table(results: Sequence[Result]) -> str:
    """A Markdown table (readable in a terminal too) with both ratios."""
    bases = _baselines(results)
    own = {"sqlite": RAW_SQLITE, "postgres": RAW_POSTGRES}
    lines = [
        "| suite | scenario | events | seconds | events/s | × raw sqlite3 | × raw driver | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.suite} | {r.scenario} | {r.events:,} | {r.seconds:.2f} | {r.rate:,.0f}"
            f" | {_ratio(r.rate, bases.get(RAW_SQLITE))}"
            f" | {_ratio(r.rate, bases.get(own.get(r.backend, '')))} | {r.note} |"
        )
    return "\n".join(lines)


def section(machine: Machine, suites: Sequence[str], results: Sequence[Result]) -> str:
    stamp = machine.when.strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"## {stamp} · {', '.join(suites)} · SMC_BENCH_N = {machine.n:,}",
        "",
        "(Suites with their own size, e.g. intake's 100,000 items, show it in the table.)",
        "",
        f"- Machine: `{machine.uname}`",
        f"- CPU: {machine.cpu}, {machine.cores} cores; memory {machine.memory}",
        f"- Python {machine.python}, SQLite {machine.sqlite}, PostgreSQL {machine.postgres};"
        f" {machine.libraries}",
        f"- Load average (1/5/15 min) before the run {machine.load_before},"
        f" after it {load_average()}",
    ]
    out += [f"- {note}" for note in machine.notes]
    out += ["", table(results), ""]
    return "\n".join(out)


def append(path: Path, text: str) -> None:
    if not path.exists() or not path.read_text("utf-8").strip():
        path.write_text(INTRO, "utf-8")
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + text)
