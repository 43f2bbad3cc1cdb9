"""The smc command: demo, users, projections, clear one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SMC = [sys.executable, "-m", "api.cli"]


def smc(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SMC, *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "SMC_DATABASE_URL": database_url,
        "SMC_DATA_DIR": str(tmp_path / "var"),
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": "cli-test-secret-0123456789abcdef",
    }


def test_demo_refuses_a_non_empty_store_unless_forced(env: dict[str, str]) -> None:
    first = smc("demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "added" in first.stdout
    again = smc("demo", env=env)
    assert again.returncode == 2
    assert "already holds events" in again.stderr and "--force" in again.stderr
    forced = smc("demo", "--force", env=env)
    assert forced.returncode == 0 and "0 added" in forced.stdout
    assert smc("demo", "--if-empty", env=env).returncode == 0


def test_user_add_prompts_for_password_and_projections_catch_up(env: dict[str, str]) -> None:
    added = smc(
        "user", "add", "hong", "--role", "desk", env=env, stdin="a-long-password\na-long-password\n"
    )
    assert added.returncode == 0, added.stderr
    assert "added user hong (desk)" in added.stdout
    status = json.loads(smc("projections", "status", "--json", env=env).stdout)
    assert status["head"] == 1
    rebuilt = smc("projections", "rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    status = json.loads(smc("projections", "status", "--json", env=env).stdout)
    assert all(p["position"] == 1 and p["lag"] == 0 for p in status["projections"])
    one = smc("projections", "rebuild", "directory", env=env)
    assert one.returncode == 0
    unknown = smc("projections", "rebuild", "nope", env=env)
    assert unknown.returncode == 2 and "known: directory" in unknown.stderr


def test_bad_role_or_short_password_is_a_clear_error(env: dict[str, str]) -> None:
    bad_role = smc("user", "add", "x", "--role", "king", env=env, stdin="p\np\n")
    assert bad_role.returncode == 2 and "king" in bad_role.stderr
    short = smc("user", "add", "x", "--role", "desk", env=env, stdin="short\nshort\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://u@h/db", "unknown scheme"),
        ("postgresql://u:p@127.0.0.1:1/smc", "cannot reach PostgreSQL at 127.0.0.1:1/smc"),
        ("postgresql://127.0.0.1/", "needs a user, host and database"),
        ("sqlite:///", "names no file"),
    ],
)
def test_bad_database_url_gives_one_line_that_says_what_to_fix(
    env: dict[str, str], url: str, expected: str
) -> None:
    result = smc("projections", "status", env={**env, "SMC_DATABASE_URL": url})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize("backend", ["sqlite"])
def test_placeholder_secret_refused_outside_development(env: dict[str, str]) -> None:
    result = smc("demo", env={**env, "SMC_ENV": "production", "SMC_SECRET_KEY": "change-me"})
    assert result.returncode == 2
    assert "SMC_SECRET_KEY is a placeholder" in result.stderr


@pytest.mark.parametrize("backend", ["sqlite"])
def test_worker_refuses_sqlite(env: dict[str, str]) -> None:
    result = smc("worker", env=env)
    assert result.returncode == 2 and "for PostgreSQL" in result.stderr


@pytest.mark.parametrize("backend", ["sqlite"])
def test_help_everywhere(env: dict[str, str]) -> None:
    for args in (
        ["--help"],
        ["user", "add", "--help"],
        ["projections", "rebuild", "--help"],
        ["serve", "--help"],
        ["worker", "--help"],
        ["demo", "--help"],
    ):
        result = smc(*args, env=env)
        assert result.returncode == 0 and "Usage" in result.stdout, args
