"""Fixtures of the ledger tests: a local SMTP server and an SMC that mails to it; a fake X API
and a desk SMC whose replies go to it (the dispatcher is driven by the test)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container, build
from domain.clock import FixedClock
from tests.conftest import make_settings
from tests.fakes.fake_x import FakeX
from tests.ledger.mailing import Inbox, mailing_smc, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    yield from smtp_server()


@pytest.fixture
def mailing(
    database_url: str, tmp_path: Path, clock: FixedClock, smtp: tuple[int, Inbox]
) -> Iterator[tuple[Container, TestClient]]:
    yield from mailing_smc(database_url, tmp_path, clock, smtp[0])


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX() as fx:
        yield fx


@pytest.fixture
def desk(
    database_url: str, tmp_path: Path, clock: FixedClock, fake_x: FakeX
) -> Iterator[Container]:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"x:seoul_smc": {"bearer_token": "tok-smc"}}), "utf-8")
    settings = make_settings(
        database_url,
        tmp_path,
        warning_accounts_file=path,
        x_api_base_url=fake_x.base_url,
        dispatch=False,
        delivery_lease_seconds=0,
    )
    container = build(settings, clock, in_process_worker=True)
    container.start()
    try:
        yield container
    finally:
        container.close()
