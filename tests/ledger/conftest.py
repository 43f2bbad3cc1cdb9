"""Fixtures of the ledger's mail tests: a local SMTP server and an SMC that mails to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.clock import FixedClock
from tests.ledger.mailing import Inbox, mailing_smc, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    yield from smtp_server()


@pytest.fixture
def mailing(
    database_url: str, tmp_path: Path, clock: FixedClock, smtp: tuple[int, Inbox]
) -> Iterator[tuple[Container, TestClient]]:
    yield from mailing_smc(database_url, tmp_path, clock, smtp[0])
