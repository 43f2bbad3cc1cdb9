"""The browser tests of LIFELINE reuse the Debian-Chromium setup of tests/browser."""

from __future__ import annotations

from tests.browser.conftest import artifacts, browser_type_launch_args, smc_server

__all__ = ["artifacts", "browser_type_launch_args", "smc_server"]
