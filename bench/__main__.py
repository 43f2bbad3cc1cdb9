"""``python -m bench [suite ...]``: run suites, print a table, append a section to the docs.

A suite is a module in ``bench/`` with ``SUITE`` (its name), ``TITLE`` and
``run(ctx: BenchContext) -> list[Result]``; register it in :data:`SUITES` below.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

from bench.context import BenchContext
from bench.report import Machine, Result, append, section, table

# name -> module; later suites (intake, triage, inbox, lifeline) are added here.
SUITES: dict[str, str] = {
    "core": "bench.core",
    "intake": "bench.intake",
    "triage": "bench.triage",
    "warnings": "bench.warnings",
    "lifeline": "bench.lifeline",
    "ledger": "bench.ledger",
}

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def load(name: str) -> ModuleType:
    return importlib.import_module(SUITES[name])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("suites", nargs="*", help=f"suites to run (default: all of {list(SUITES)})")
    parser.add_argument(
        "--no-docs", action="store_true", help="print only; do not append to docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    names: list[str] = args.suites or list(SUITES)
    unknown = [s for s in names if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; known: {', '.join(SUITES)}")
    n = int(os.environ.get("SMC_BENCH_N", "20000"))
    if n < 1:
        parser.error("SMC_BENCH_N must be a positive number of events")

    machine = Machine.probe(n)
    ctx = BenchContext(n, machine)
    results: list[Result] = []
    try:
        for name in names:
            module = load(name)
            print(f"[{name}] {module.TITLE} (N = {n:,})", flush=True)
            results.extend(module.run(ctx))
    finally:
        ctx.close()

    print()
    print(table(results))
    text = section(machine, names, results)
    if not args.no_docs:
        append(DOCS, text)
        print(f"\nappended to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
