"""Fixtures: the same suite runs on embedded SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Container, build
from api.settings import Settings
from domain.clock import FixedClock
from tests import pg

# Reads with ?after= wait for the views; a loaded 2-core CI machine running PostgreSQL
# workers can be slow, and a test must not fail for being slow (speed lives in bench/).
os.environ.setdefault("SMC_READ_WAIT_TIMEOUT", "60")

TEST_SECRET = "test-secret-key-not-for-production-0123456789"
_db_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    if pg.pg_bin() is None:
        msg = "PostgreSQL binaries not installed: the PostgreSQL half of the suite is skipped"
        if os.environ.get("SMC_REQUIRE_POSTGRES"):
            pytest.fail(msg)
        pytest.skip(msg)
    cluster = pg.start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'smc.sqlite'}"
    cluster: pg.Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"t{os.getpid()}_{next(_db_counter)}")


def make_settings(database_url: str, tmp_path: Path, **over: Any) -> Settings:
    """The settings every test SMC starts from (data under ``tmp_path/var``), with ``over``
    on top; validated like any other settings."""
    base: dict[str, Any] = {
        "env": "test",
        "secret_key": TEST_SECRET,
        "data_dir": tmp_path / "var",
        "database_url": database_url,
        "poll_interval": 0.05,
    }
    return Settings(**{**base, **over})


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 7, 14, 1, 0, tzinfo=UTC))


@pytest.fixture
def container(settings: Settings, clock: FixedClock) -> Iterator[Container]:
    c = build(settings, clock, in_process_worker=True)
    c.start()
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    app = create_app(container.settings, container_factory=lambda: container)
    with TestClient(app) as tc:
        yield tc
