"""Real processes: kill -9 while writing loses nothing; two API processes share PostgreSQL."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from api.bootstrap import build
from api.settings import Settings
from projections.catchup import catch_up
from projections.registry import PROJECTIONS
from tests.servers import ADMIN_PASSWORD, SmcProcess, SmcServer, process_env, token

pytestmark = pytest.mark.slow
PASSWORD = ADMIN_PASSWORD


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return process_env(database_url, tmp_path / "var")


def _writer(
    url: str, auth: dict[str, str], prefix: str, accepted: list[str], stop: threading.Event
) -> None:
    with httpx.Client(base_url=url, headers=auth, timeout=5) as http:
        i = 0
        while not stop.is_set():
            code = f"{prefix}{i}"
            try:
                r = http.post(
                    "/api/departments", json={"code": code, "name_ko": code, "name_en": code}
                )
            except httpx.HTTPError:
                return
            if r.status_code == 201:
                accepted.append(code)
            i += 1


def _views_equal_rebuild(settings: Settings) -> None:
    container = build(settings, in_process_worker=False)
    try:
        head = container.store.head()
        for cls in PROJECTIONS:
            projection = container.views[cls.name]
            catch_up(container.store, projection, until=head)
            before = projection.dump()
            projection.reset()
            catch_up(container.store, projection, until=head)
            assert projection.dump() == before, cls.name
    finally:
        container.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_kill_9_while_writing_loses_no_accepted_write(env: dict[str, str], tmp_path: Path) -> None:
    server = SmcServer(env, tmp_path / "server1.log")
    auth = token(server.url, "root", PASSWORD)
    accepted: list[str] = []
    stop = threading.Event()
    writers = [
        threading.Thread(target=_writer, args=(server.url, auth, f"W{n}-", accepted, stop))
        for n in range(3)
    ]
    for w in writers:
        w.start()
    time.sleep(1.5)
    server.kill9()
    stop.set()
    for w in writers:
        w.join(10)
    assert len(accepted) > 20
    again = SmcServer(env, tmp_path / "server2.log")
    try:
        head = httpx.get(f"{again.url}/healthz").json()["head"]
        listed = httpx.get(f"{again.url}/api/departments?after={head}").json()
        codes = {d["code"] for d in listed}
        assert set(accepted) <= codes
    finally:
        again.stop()
    _views_equal_rebuild(
        Settings(
            env="test",
            secret_key=env["SMC_SECRET_KEY"],
            database_url=env["SMC_DATABASE_URL"],
            data_dir=Path(env["SMC_DATA_DIR"]),
        )
    )


@pytest.mark.parametrize("backend", ["postgres"])
def test_two_api_processes_and_a_worker_share_one_store(
    env: dict[str, str], tmp_path: Path
) -> None:
    worker = SmcProcess(["worker"], env, tmp_path / "worker.log")
    a = SmcServer(env, tmp_path / "a.log")
    b = SmcServer(env, tmp_path / "b.log")
    try:
        auth = token(a.url, "root", PASSWORD)
        ra = httpx.post(
            f"{a.url}/api/departments",
            headers=auth,
            json={"code": "VIAA", "name_ko": "에이", "name_en": "A"},
        )
        rb = httpx.post(
            f"{b.url}/api/departments",
            headers=auth,
            json={"code": "VIAB", "name_ko": "비", "name_en": "B"},
        )
        assert ra.status_code == 201 and rb.status_code == 201
        position = max(ra.json()["position"], rb.json()["position"])
        for server in (a, b):
            codes = {
                d["code"]
                for d in httpx.get(f"{server.url}/api/departments?after={position}").json()
            }
            assert {"VIAA", "VIAB"} <= codes, server.url
            health = httpx.get(f"{server.url}/healthz").json()
            assert health["backend"] == "postgres" and health["head"] >= position
    finally:
        for p in (a, b, worker):
            p.stop()
