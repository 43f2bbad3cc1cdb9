"""One triage engine per test session (the data files and polygons load once)."""

from __future__ import annotations

import pytest

from channels.triage_config import build_engine
from domain.triage_engine import TriageEngine


@pytest.fixture(scope="session")
def engine() -> TriageEngine:
    return build_engine(None)
