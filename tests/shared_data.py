"""Where the real data nobody here wrote lives: ``../shared/data`` beside the clone.

Override with ``SMC_SHARED_DATA``. Tests that need it are skipped with a reason when it is
missing, except in CI (``CI`` set), where a missing copy is an error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    env = os.environ.get("SMC_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
    for c in candidates:
        if c.is_dir():
            return c
    return None


def shared(*parts: str) -> Path:
    """Path to a file under shared/data, or skip (fail in CI) when it is not there."""
    base = shared_data_dir()
    if base is None or not base.joinpath(*parts).exists():
        msg = f"shared data {'/'.join(parts)} not found (set SMC_SHARED_DATA)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return base.joinpath(*parts)
