"""The LIFELINE suite, against a real ``smc serve`` (SQLite) on 127.0.0.1.

* **WebSocket fan-out**: C clients (``SMC_BENCH_WS_CLIENTS``, default 1,000) connect to
  ``/ws/lifeline`` and hold a snapshot; a verified casualty update is POSTed R times; the
  latency is from sending the POST until each client has the delta with the new figure
  (target p99 <= 200 ms). ``seconds`` holds the p99; the note gives p50 and max. The clients
  run in ``SMC_BENCH_WS_PROCESSES`` worker processes (default 2, ``bench/lifeline_clients.py``)
  so that the bench's own reading of 1,000 sockets is not what is measured.
* **GeoJSON**: ``GET /api/lifeline/incidents/{id}.geojson`` for an incident with 10,000
  linked reports, requests/s over one keep-alive connection, against a bare FastAPI app (own
  uvicorn process) returning the same bytes, measured in the same run in alternating one-second
  slices, five each (target >= 60 %).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from api.bootstrap import build
from api.settings import Settings
from bench.context import BenchContext
from bench.lifeline_clients import ClientProcesses
from bench.report import Result
from domain.context import Cause
from domain.directory import Role
from domain.incident_service import FigureUpdate, ReportLink
from domain.postings import IncomingPosting
from tests.pg import free_port
from tests.servers import SmcServer, token

SUITE = "lifeline"
TITLE = "LIFELINE: WebSocket fan-out of a casualty update, GeoJSON of a 10,000-report incident"
SYS = Cause("system:bench")
PASSWORD = "bench-lifeline-password"  # noqa: S105 - bench only
SECRET = "bench-lifeline-secret-0123456789abcdef"  # noqa: S105 - bench only
REPORTS = 10_000
BARE_APP = """
import sys
from fastapi import FastAPI
from fastapi.responses import Response
body = open(sys.argv[1], "rb").read()
app = FastAPI()
@app.get("/geojson")
def geojson() -> Response:
    return Response(body, media_type="application/geo+json")
import uvicorn
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _prepare(folder: Path, reports: int) -> tuple[dict[str, str], str]:
    env = {
        "SMC_DATA_DIR": str(folder / "var"),
        "SMC_DATABASE_URL": f"sqlite:///{folder / 'var' / 'smc.sqlite'}",
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": SECRET,
        "SMC_POLL_INTERVAL": "0.05",
        "SMC_DEADLINE_CHECK_INTERVAL": "0",
    }
    settings = Settings(
        env="test", secret_key=SECRET, data_dir=folder / "var",
        database_url=env["SMC_DATABASE_URL"], deadline_check_interval=0, dispatch=False,
    )  # fmt: skip
    c = build(settings)
    try:
        c.directory.add_user(SYS, username="bench", display_name="bench", role=Role.DESK,
                             password_hash=c.passwords.hash(PASSWORD))  # fmt: skip
        title = {"ko": "벤치", "en": "Bench"}
        iid = c.lifeline.open(SYS, key="bench-incident", playbook_id="heavy_rain",
                              title=title, districts=["11620"]).id  # fmt: skip
        c.lifeline.update(SYS, iid, FigureUpdate("casualty", "bench-0", "11620", {"dead": 1},
                                                 "police", verified=True))  # fmt: skip
        t0 = datetime(2026, 7, 14, tzinfo=UTC)
        for start in range(0, reports, 1000):
            items = [
                IncomingPosting(channel="x", source_id=f"b{i}", text=f"침수 #서울호우 {i}",
                                created_at=t0 + timedelta(seconds=i),
                                lon=126.90 + (i % 100) * 0.0006, lat=37.46 + (i // 100) * 0.0004)
                for i in range(start, min(start + 1000, reports))
            ]  # fmt: skip
            c.intake.ingest(SYS, items)
            links = [ReportLink(str(p.posting_id), p.lon, p.lat, "11620", p.text)
                     for p in items]  # fmt: skip
            for j in range(0, len(links), 250):
                c.lifeline.link_reports(SYS, iid, links[j : j + 250])
        if c.catchup is not None:
            c.catchup.run_once()  # the server starts with its views caught up
    finally:
        c.close()
    return env, str(iid)


def _fan_out(
    url: str, auth: dict[str, str], iid: str, clients: int, rounds: int, processes: int
) -> list[float]:
    body = {"district": "11620", "figures": {"dead": 1}, "source": "fire", "verified": True}
    workers = ClientProcesses(url.replace("http", "ws") + "/ws/lifeline", iid, clients, processes)
    latencies: list[float] = []
    try:
        with httpx.Client(base_url=url, headers=auth, timeout=30) as http:

            def post() -> float:
                time.sleep(0.2)  # every client is waiting
                sent = time.monotonic()
                http.post(f"/api/lifeline/incidents/{iid}/casualties", json=body).raise_for_status()
                return sent

            for r in range(rounds):
                latencies.extend(workers.round(2 + r, post))
    finally:
        workers.close()
    return latencies


def _count(client: httpx.Client, url: str, seconds: float) -> tuple[int, float]:
    done, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        client.get(url).raise_for_status()
        done += 1
    return done, time.perf_counter() - start


def _rps_pair(
    client: httpx.Client, url: str, bare_url: str, seconds: float, slices: int = 5
) -> tuple[float, float, int]:
    """Requests/s of both endpoints, measured in alternating slices (SMC, bare, SMC, …), so
    that a change in the machine's load during the run weighs on both alike."""
    size = len(client.get(url).content)
    client.get(bare_url).raise_for_status()
    totals = {url: [0, 0.0], bare_url: [0, 0.0]}
    for _ in range(slices):
        for target in (url, bare_url):
            done, spent = _count(client, target, seconds / slices)
            totals[target][0] += done
            totals[target][1] += spent
    smc, bare = (totals[u][0] / totals[u][1] for u in (url, bare_url))
    return smc, bare, size


def _geojson(ctx: BenchContext, server: SmcServer, iid: str) -> list[Result]:
    url = f"{server.url}/api/lifeline/incidents/{iid}.geojson"
    body = httpx.get(url, timeout=60).content
    path = ctx.scratch("lifeline") / "same.geojson"
    path.write_bytes(body)
    port = free_port()
    bare = subprocess.Popen([sys.executable, "-c", BARE_APP, str(path), str(port)])
    try:
        bare_url = f"http://127.0.0.1:{port}/geojson"
        for _ in range(100):
            try:
                httpx.get(bare_url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(timeout=30) as client:
            smc, raw, size = _rps_pair(client, url, bare_url, 5.0)
    finally:
        bare.terminate()
        bare.wait(10)
    note = f"{size:,} bytes; bare FastAPI {raw:,.0f} req/s; SMC = {smc / raw:.0%} of bare"
    return [Result(SUITE, "GET incident .geojson (10,000 reports)", "sqlite", 1, 1 / smc,
                   note=note)]  # fmt: skip


def run(ctx: BenchContext) -> list[Result]:
    clients = int(os.environ.get("SMC_BENCH_WS_CLIENTS", "1000"))
    rounds = int(os.environ.get("SMC_BENCH_WS_ROUNDS", "5"))
    processes = int(os.environ.get("SMC_BENCH_WS_PROCESSES", "2"))
    folder = ctx.scratch("lifeline")
    env, iid = _prepare(folder, REPORTS)
    server = SmcServer(env, folder / "server.log")
    try:
        auth = token(server.url, "bench", PASSWORD)
        httpx.get(f"{server.url}/api/lifeline/incidents/{iid}?after=1", timeout=60)
        latencies = _fan_out(server.url, auth, iid, clients, rounds, processes)
        q = statistics.quantiles(latencies, n=100)
        note = (f"{clients} clients ({processes} processes) x {rounds} updates:"
                f" p50 {q[49] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms,"
                f" max {max(latencies) * 1000:.0f} ms")  # fmt: skip
        results = [Result(SUITE, f"casualty update -> {clients} WebSocket clients (p99)",
                          "sqlite", len(latencies), q[98], note=note)]  # fmt: skip
        print(f"  {note}", flush=True)
        results.extend(_geojson(ctx, server, iid))
        print(f"  {results[-1].note}", flush=True)
        return results
    finally:
        server.stop()
