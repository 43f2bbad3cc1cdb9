"""The ledger suite: a department inbox with 50,000 open items (target: first page <= 50 ms at
the median) and ``/public`` search over 1,000,000 postings (target: <= 100 ms at the median),
through a real ``smc serve`` (uvicorn, the real app, the real templates) on 127.0.0.1, on SQLite
and on PostgreSQL.

``SMC_BENCH_LEDGER_N`` open items (default 50,000) and ``SMC_BENCH_PUBLIC_N`` postings (default
1,000,000); ``SMC_BENCH_LEDGER_REQUESTS`` requests per scenario (default 50) over one keep-alive
connection after 3 warm-up requests. Each row's ``seconds`` is the median; the note gives the
p95 and two baselines measured in the same run: a bare FastAPI app (own uvicorn process)
returning the very same bytes, and the view query alone, in-process, without HTTP or template.
How the views are filled, and why directly: ``bench/ledger_fill.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from api.bootstrap import build, views_config
from api.demo import DEMO_PASSWORD, load_demo
from api.settings import Settings
from bench.context import BenchContext
from bench.ledger_fill import DISTRICT, TARGET, fill_ledger, fill_public
from bench.report import Result
from projections.ledger import LedgerProjection, utc
from projections.public import PublicProjection
from projections.viewset import open_projection
from tests.pg import free_port
from tests.servers import SmcServer, token

SUITE = "ledger"
TITLE = "Desk inbox with 50,000 open items; /public search over 1,000,000 postings"
SECRET = "bench-ledger-secret-0123456789abcdef"  # noqa: S105 - bench only
INBOX_TARGET, SEARCH_TARGET = 0.050, 0.100
BARE_APP = """
import sys
from pathlib import Path
from fastapi import FastAPI
from fastapi.responses import Response
folder = Path(sys.argv[1])
app = FastAPI()
@app.get("/same/{name}")
def same(name: str) -> Response:
    if not (folder / name).is_file():
        return Response(status_code=404)
    return Response((folder / name).read_bytes(), media_type="text/html; charset=utf-8")
import uvicorn
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""

Query = Callable[[LedgerProjection, PublicProjection, str], Any]
U = quote(TARGET)
# (name, path, target, the same page's view query in-process)
SCENARIOS: list[tuple[str, str, float, Query]] = [
    ("inbox page 1 (HTML)", f"/desk/inbox?unit={U}", INBOX_TARGET,
     lambda v, _p, now: (v.inbox(TARGET), v.counts(TARGET, now))),
    ("inbox page 1 (JSON /api/cases)", f"/api/cases?unit={U}", INBOX_TARGET,
     lambda v, _p, now: (v.inbox(TARGET), v.counts(TARGET, now))),
    ("inbox, class filter", f"/desk/inbox?unit={U}&request_class=review", INBOX_TARGET,
     lambda v, _p, now: (v.inbox(TARGET, request_class="review"), v.counts(TARGET, now))),
    ("inbox, overdue filter", f"/desk/inbox?unit={U}&overdue=true", INBOX_TARGET,
     lambda v, _p, now: (v.inbox(TARGET, overdue_at=now), v.counts(TARGET, now))),
    ("inbox, channel filter", f"/desk/inbox?unit={U}&channel=web", INBOX_TARGET,
     lambda v, _p, now: (v.inbox(TARGET, channel="web"), v.counts(TARGET, now))),
    ("inbox, district office", f"/desk/inbox?unit={quote(DISTRICT)}", INBOX_TARGET,
     lambda v, _p, now: (v.inbox(DISTRICT), v.counts(DISTRICT, now))),
    ("public list, newest", "/public", SEARCH_TARGET, lambda _v, p, _n: p.search("")),
    ("public search, common word 가로등", f"/public?q={quote('가로등')}", SEARCH_TARGET,
     lambda _v, p, _n: p.search("가로등")),
    ("public search, common 2-char word 주차", f"/public?q={quote('주차')}", SEARCH_TARGET,
     lambda _v, p, _n: p.search("주차")),
    ("public search, rare word 싱크홀", f"/public?q={quote('싱크홀')}", SEARCH_TARGET,
     lambda _v, p, _n: p.search("싱크홀")),
    ("public search, rare 2-char word 누수", f"/public?q={quote('누수')}", SEARCH_TARGET,
     lambda _v, p, _n: p.search("누수")),
    ("public search, 가로등 + status filter", f"/public?q={quote('가로등')}&state=closed",
     SEARCH_TARGET, lambda _v, p, _n: p.search("가로등", state="closed")),
    ("public search JSON, 가로등", f"/api/public/postings?q={quote('가로등')}", SEARCH_TARGET,
     lambda _v, p, _n: p.search("가로등")),
]  # fmt: skip


def settings_for(url: str, folder: Path) -> Settings:
    return Settings(env="test", secret_key=SECRET, data_dir=folder, database_url=url,
                    deadline_check_interval=0, dispatch=False)  # fmt: skip


def prepare(settings: Settings, ledger_n: int, public_n: int) -> float:
    """Demo directory and users through the real path, then the bulk rows; fill seconds."""
    c = build(settings, in_process_worker=True)
    try:
        load_demo(c)
        c.start()
        c.views.wait(c.store.head(), timeout=300)
        for part in (c.catchup, c.worker):
            if part is not None:
                part.stop()
        started = time.perf_counter()
        now = datetime.now(UTC)
        fill_ledger(c.views.get(LedgerProjection), ledger_n, now)
        fill_public(c.views.get(PublicProjection), public_n, now)
        return time.perf_counter() - started
    finally:
        c.close()


def server_env(settings: Settings) -> dict[str, str]:
    return {"SMC_DATA_DIR": str(settings.data_dir), "SMC_DATABASE_URL": settings.database_url,
            "SMC_ENV": "test", "SMC_SECRET_KEY": SECRET, "SMC_DEADLINE_CHECK_INTERVAL": "0",
            "SMC_DISPATCH": "false"}  # fmt: skip


def latencies(client: httpx.Client, url: str, n: int) -> tuple[list[float], bytes]:
    body = b""
    for _ in range(3):
        r = client.get(url)
        r.raise_for_status()
        body = r.content
    out = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(url).raise_for_status()
        out.append(time.perf_counter() - started)
    return out, body


def timed_calls(fn: Callable[[], Any], n: int) -> list[float]:
    fn()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[18] if len(xs) > 1 else xs[0]


class Bare:
    """A bare FastAPI app in its own uvicorn process serving saved response bodies."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-c", BARE_APP, str(folder), str(self.port)])
        self.url = f"http://127.0.0.1:{self.port}/same"
        for _ in range(100):
            try:
                httpx.get(f"{self.url}/none", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def measure(backend: str, settings: Settings, folder: Path, n: int) -> list[Result]:
    server = SmcServer(server_env(settings), folder / "server.log")
    bare = Bare(folder)
    config = views_config(settings)
    ledger = open_projection(LedgerProjection, config)
    public = open_projection(PublicProjection, config)
    results = []
    try:
        auth = token(server.url, "lee.lead", DEMO_PASSWORD)
        now = utc(datetime.now(UTC)) or ""
        with (
            httpx.Client(base_url=server.url, headers=auth, timeout=60) as smc,
            httpx.Client(timeout=60) as plain,
        ):
            for i, (name, path, target, query) in enumerate(SCENARIOS):
                times, body = latencies(smc, path, n)
                (folder / f"s{i}").write_bytes(body)
                base, _ = latencies(plain, f"{bare.url}/s{i}", n)
                sql = timed_calls(partial(query, ledger, public, now), n)
                results.append(_result(backend, name, times, base, sql, target, len(body)))
    finally:
        ledger.view.close()
        public.view.close()
        bare.stop()
        server.stop()
    return results


def _result(backend: str, name: str, times: list[float], base: list[float], sql: list[float],
            target: float, size: int) -> Result:  # fmt: skip
    med, b, q = statistics.median(times), statistics.median(base), statistics.median(sql)
    verdict = "meets" if med <= target else "MISSES"
    note = (f"median {med * 1000:.1f} ms, p95 {p95(times) * 1000:.1f} ms ({verdict} <= "
            f"{target * 1000:.0f} ms); bare FastAPI same {size:,} bytes {b * 1000:.1f} ms"
            f" ({med / b:.1f}x); view query alone {q * 1000:.1f} ms")  # fmt: skip
    print(f"  {backend} {name}: {note}", flush=True)
    return Result(SUITE, name, backend, 1, med, note=note)


def run(ctx: BenchContext) -> list[Result]:
    ledger_n = int(os.environ.get("SMC_BENCH_LEDGER_N", "50000"))
    public_n = int(os.environ.get("SMC_BENCH_PUBLIC_N", "1000000"))
    n = int(os.environ.get("SMC_BENCH_LEDGER_REQUESTS", "50"))
    print(f"  {ledger_n:,} open items in {TARGET}, {public_n:,} public postings", flush=True)
    folder = ctx.scratch("ledger-sqlite")
    settings = settings_for(f"sqlite:///{folder / 'var' / 'smc.sqlite'}", folder / "var")
    print(f"  sqlite fill: {prepare(settings, ledger_n, public_n):.1f} s", flush=True)
    results = measure("sqlite", settings, folder, n)
    if ctx.postgres_skip_reason():
        return results
    url, _env = ctx.postgres_database("ledger")
    folder = ctx.scratch("ledger-pg")
    settings = settings_for(url, folder / "var")
    print(f"  postgres fill: {prepare(settings, ledger_n, public_n):.1f} s", flush=True)
    return results + measure("postgres", settings, folder, n)
