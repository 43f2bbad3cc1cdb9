"""Must-show: kill -9 a real ``smc serve`` in the middle of fanning out to 44 accounts.

The server posts through a local fake X API; we SIGKILL it once some accounts have their post,
start it again, and check: no account ever got a message twice; the attempts cut off (one per
target being posted to at that moment) are flagged ``uncertain`` and never re-posted
automatically; after the desk requeues the uncertain ones that had not gone out, every account
has exactly one post per message. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.bootstrap import build
from api.settings import Settings
from api.warning_ports import DISPATCH_WORKERS
from domain.context import Cause
from tests.fakes.fake_x import FakeX
from tests.helpers import PASSWORD, seed_warning_desk
from tests.servers import SmcServer, token

pytestmark = pytest.mark.slow
ACCOUNTS = 44
SECRET = "kill9-fanout-secret-0123456789abcdef"
SYS = Cause("system:test")
SHORT = {"headline": "호우경보", "description": "많은 비", "instruction": "지하 공간 출입 금지"}
SHORT_EN = {
    "headline": "Heavy rain",
    "description": "Heavy rain",
    "instruction": "Stay above ground",
}


class SlowX(FakeX):
    """Each post takes a moment, so that a kill lands in the middle of the fan-out."""

    def create_tweet(self, body: Any, authorization: str) -> tuple[int, Any]:
        time.sleep(0.03)
        return super().create_tweet(body, authorization)


@pytest.fixture
def fake_x() -> Iterator[SlowX]:
    fx = SlowX()
    with fx:
        yield fx


def _env(tmp_path: Path, fake_x: FakeX, database_url: str) -> dict[str, str]:
    accounts = {f"x:gu{i:02d}": {"bearer_token": f"tok-gu{i:02d}"} for i in range(ACCOUNTS)}
    creds = tmp_path / "accounts.json"
    creds.write_text(json.dumps(accounts), "utf-8")
    return {
        "SMC_DATA_DIR": str(tmp_path / "var"),
        "SMC_DATABASE_URL": database_url,
        "SMC_RUN_PROJECTIONS": "1",  # PostgreSQL: the server runs the views itself
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": SECRET,
        "SMC_POLL_INTERVAL": "0.05",
        "SMC_X_API_BASE_URL": fake_x.base_url,
        "SMC_WARNING_ACCOUNTS_FILE": str(creds),
        "SMC_DISPATCH_INTERVAL": "0.1",
        "SMC_DELIVERY_LEASE_SECONDS": "1",
    }


def _seed(env: dict[str, str]) -> None:
    """44 warning accounts and two users, written before the server starts."""
    settings = Settings(
        env="test",
        secret_key=SECRET,
        data_dir=Path(env["SMC_DATA_DIR"]),
        database_url=env["SMC_DATABASE_URL"],
        dispatch=False,
    )
    c = build(settings)
    try:
        seed_warning_desk(c, ACCOUNTS, "desk1", "appr1")
    finally:
        c.close()


def _issue(url: str) -> str:
    desk, appr = token(url, "desk1", PASSWORD), token(url, "appr1", PASSWORD)
    body = {
        "playbook_id": "heavy_rain",
        "stage_id": "advisory",
        "area": {"kind": "city"},
        "texts": {"ko": SHORT, "en": SHORT_EN},
    }
    wid = httpx.post(f"{url}/api/warnings", json=body, headers=desk).json()["id"]
    httpx.post(f"{url}/api/warnings/{wid}/submit", headers=desk).raise_for_status()
    httpx.post(f"{url}/api/warnings/{wid}/approve", headers=appr).raise_for_status()
    return str(wid)


def _settled(url: str, wid: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Wait until no delivery is requested, attempting or waiting for a retry."""
    headers = token(url, "appr1", PASSWORD)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows: list[dict[str, Any]] = httpx.get(f"{url}/api/warnings/{wid}", headers=headers).json()[
            "deliveries"
        ]
        if rows and all(r["state"] in ("delivered", "uncertain", "gave_up") for r in rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"deliveries did not settle: {Counter(r['state'] for r in rows)}")


def _posts(fake_x: FakeX) -> Counter[tuple[str, str]]:
    """(account, CAP identifier) -> number of posts."""
    out: Counter[tuple[str, str]] = Counter()
    for p in list(fake_x.posts):
        ident = p.text.rsplit("/cap/", 1)[1].removesuffix(".xml")
        out[("x:" + p.account.removeprefix("bearer:tok-"), ident)] += 1
    return out


def test_kill9_mid_fanout_never_posts_twice(
    tmp_path: Path, fake_x: SlowX, database_url: str
) -> None:
    env = _env(tmp_path, fake_x, database_url)
    _seed(env)
    server = SmcServer(env, tmp_path / "first.log")
    try:
        wid = _issue(server.url)
        deadline = time.monotonic() + 20
        while len(fake_x.posts) < 12 and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        server.kill9()  # SIGKILL in the middle of the fan-out
    before = len(fake_x.posts)
    assert 0 < before < ACCOUNTS, f"the kill did not land mid-fan-out ({before} posts)"

    server = SmcServer(env, tmp_path / "second.log")
    try:
        rows = _settled(server.url, wid)
        posts = _posts(fake_x)
        assert max(posts.values()) == 1  # never twice, whatever happened
        uncertain = [r for r in rows if r["state"] == "uncertain"]
        print(f"killed after {before} posts; uncertain: {len(uncertain)}")
        assert len(uncertain) <= DISPATCH_WORKERS  # at most the attempts in flight at the kill
        assert all("interrupted" in r["reason"] for r in uncertain)
        x_rows = [r for r in rows if r["target"].startswith("x:")]
        assert len(x_rows) == ACCOUNTS
        headers = token(server.url, "appr1", PASSWORD)
        for r in uncertain:  # the desk checks the account; requeue only if nothing went out
            if (r["target"], r["identifier"]) not in posts:
                url = f"{server.url}/api/deliveries/{r['id']}/requeue"
                httpx.post(url, headers=headers).raise_for_status()
        rows = _settled(server.url, wid)
        posts = _posts(fake_x)
        wanted = {(r["target"], r["identifier"]) for r in x_rows}
        assert set(posts) == wanted and set(posts.values()) == {1}
        for r in rows:  # delivered, or flagged uncertain although its post went out
            assert r["state"] == "delivered" or (r["target"], r["identifier"]) in posts, r
    finally:
        server.stop()
