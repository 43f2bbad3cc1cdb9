"""Debian Chromium for pytest-playwright, and one real ``smc serve`` with demo data.

Playwright's own browser download is not used (see the toolchain notes): the session-scoped
``browser_type_launch_args`` fixture points Playwright at ``/usr/bin/chromium``. Without it
the tests are skipped with the reason, unless ``SMC_REQUIRE_BROWSER`` is set (CI), which turns
the skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import SmcServer, run_cli

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BROWSER_SECRET = "browser-test-secret-0123456789abcdef"


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        msg = f"Chromium not found at {CHROMIUM} (apt-get install chromium): browser tests skipped"
        if os.environ.get("SMC_REQUIRE_BROWSER"):
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots go here (``test-artifacts/`` is gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def smc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmcServer]:
    """A real server on 127.0.0.1 over a fresh SQLite data dir with the demo data loaded."""
    _require_chromium()  # do not start a server for tests that will be skipped
    data = tmp_path_factory.mktemp("browser-smc")
    env = {
        "SMC_DATA_DIR": str(data / "var"),
        "SMC_DATABASE_URL": f"sqlite:///{data / 'var' / 'smc.sqlite'}",
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": BROWSER_SECRET,
        "SMC_POLL_INTERVAL": "0.05",
    }
    run_cli(["demo"], env)
    server = SmcServer(env, data / "server.log")
    try:
        yield server
    finally:
        server.stop()
