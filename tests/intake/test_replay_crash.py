"""kill -9 during a replay of 10,000 items, then the same replay again: each stored once."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.bootstrap import build
from api.settings import Settings
from projections.catchup import catch_up
from projections.intake import IntakeProjection
from tests.shared_data import shared

pytestmark = pytest.mark.slow


def make_replay(path: Path, items: int = 10_000) -> int:
    """Real tweets from the shared capture, re-numbered so that each line is new.
    Returns how many are originals (not retweets)."""
    page = json.loads(shared("x-api", "twarc-csv_noflat.jsonl").read_text().splitlines()[0])
    page.pop("__twarc", None)
    tweets = page["data"]
    originals, written = 0, 0
    with path.open("w") as out:
        line = 0
        while written < items:
            line += 1
            copy = dict(page)
            copy["data"] = []
            for t in tweets:
                t2 = dict(t)
                t2["id"] = str(10**15 + line * 1000 + len(copy["data"]))
                copy["data"].append(t2)
            out.write(json.dumps(copy) + "\n")
            written += len(tweets)
            originals += sum(
                1
                for t in tweets
                if not any(r.get("type") == "retweeted" for r in t.get("referenced_tweets", []))
            )
    return originals


def _wait_for_events(settings: Settings, at_least: int, timeout: float) -> None:
    path = settings.database().sqlite_path
    assert path is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            with contextlib.closing(sqlite3.connect(path, timeout=5)) as db:
                try:
                    (head,) = db.execute(
                        "SELECT COALESCE(MAX(rowid), 0) FROM stored_events"
                    ).fetchone()
                except sqlite3.OperationalError:
                    head = 0
            if head >= at_least:
                return
        time.sleep(0.05)
    pytest.fail("the replay stored nothing in time")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_kill_9_mid_replay_then_replay_again(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "replay.jsonl"
    originals = make_replay(path)
    env = {
        **os.environ,
        "SMC_DATABASE_URL": settings.effective_database_url,
        "SMC_DATA_DIR": str(settings.data_dir),
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": settings.secret_key,
    }
    cmd = [
        sys.executable,
        "-m",
        "api.cli",
        "ingest",
        "x",
        "--replay",
        str(path),
        "--json",
        "--batch",
        "200",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for_events(settings, at_least=600, timeout=120)  # some batches are in, not all
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL, "the replay finished before the kill"
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=True)
    summary = json.loads(again.stdout)
    assert summary["read"] == 10_000
    container = build(settings)
    try:
        view = container.views.get(IntakeProjection)
        catch_up(container.store, view)
        counts = view.counts()
        assert counts["postings"] == originals
        assert counts["echoes"] == 10_000 - originals
        assert summary["new"] + summary["duplicates"] == originals
        assert summary["duplicates"] > 0, "the killed run stored some items before the kill"
    finally:
        container.close()
