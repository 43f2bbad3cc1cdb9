"""Start real ``smc`` processes for crash and scale-out tests (loopback only)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.pg import free_port


class SmcProcess:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args],
            env={**os.environ, **env},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def kill9(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._log_file.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log_file.close()


class SmcServer(SmcProcess):
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        super().__init__(["serve", "--port", str(self.port)], env, log)
        self.url = f"http://127.0.0.1:{self.port}"
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"server exited: {self.log.read_text(errors='replace')[-2000:]}"
                raise RuntimeError(msg)
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        msg = f"server not ready: {self.log.read_text(errors='replace')[-2000:]}"
        raise TimeoutError(msg)


def run_cli(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def token(url: str, username: str, password: str) -> dict[str, str]:
    r = httpx.post(f"{url}/api/auth/token", json={"username": username, "password": password})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


ADMIN_PASSWORD = "a-long-password"


def process_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """Environment for real ``smc`` processes on one store, with an admin ``root`` added."""
    env = {
        "SMC_DATABASE_URL": database_url,
        "SMC_DATA_DIR": str(data_dir),
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": "process-test-secret-0123456789ab",
        "SMC_POLL_INTERVAL": "0.05",
    }
    run_cli(["user", "add", "root", "--role", "admin"], env, f"{ADMIN_PASSWORD}\n" * 2)
    return env
