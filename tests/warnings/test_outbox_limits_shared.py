"""Per-account rate limits hold across dispatcher processes: the window is the account's
``PostingQuota`` in the shared store, whose slot is taken in the same save as the claim. Two
dispatchers (each with its own limiter, as two processes) on one store never post more than
the limit in a window, together; the rest wait ``rate_limited`` and go out when it allows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from api.bootstrap import Container
from api.dispatcher import Dispatcher
from domain import posting_quota
from domain.clock import FixedClock
from domain.context import Cause, acting
from domain.deliveries import DeliveryService
from domain.posting_quota import PostingQuota, QuotaFullError
from projections.deliveries import DeliveriesProjection
from tests.fakes.fake_x import FakeX
from tests.warnings.outbox_setup import dispatcher
from tests.warnings.test_outbox_limits import fake_x, heads, issue_short, limited

__all__ = ["fake_x"]  # the fixture, used by name
HOUR = timedelta(hours=1)


def test_a_full_quota_refuses_a_slot_until_the_window_allows() -> None:
    t0 = datetime(2026, 11, 26, 9, tzinfo=UTC)
    with acting(Cause("system:test"), t0):
        q = PostingQuota("x:a", 0, [(t0 - 50 * HOUR / 60).isoformat()])
        q.take(t0, "d1", 0, 2, HOUR)
        with pytest.raises(QuotaFullError) as full:
            q.take(t0 + timedelta(minutes=5), "d2", 0, 2, HOUR)
        assert full.value.until == t0 + 10 * HOUR / 60  # the earlier post leaves the window
        q.take(t0 + 10 * HOUR / 60, "d2", 0, 2, HOUR)
    assert len(q.slots) == 3


def pair(c: Container) -> tuple[Dispatcher, Dispatcher]:
    """Two dispatchers, each with its own limiter and worker id (two processes); a lease long
    enough that one never takes the other's attempt in flight for an interrupted one."""
    made = dispatcher(c), dispatcher(c)
    for d in made:
        d.lease = timedelta(seconds=60)
    return made


def both(c_run: list[Dispatcher]) -> None:
    """Run the dispatchers' passes at the same time (two processes)."""
    threads = [threading.Thread(target=d.run_once) for d in c_run]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)


@pytest.mark.parametrize("roll", [500, 2])
def test_two_dispatchers_together_never_exceed_an_accounts_limit(
    database_url: str,
    tmp_path: Path,
    clock: FixedClock,
    fake_x: FakeX,
    roll: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Also with a quota that rolls over to a new generation every two slots."""
    monkeypatch.setattr(posting_quota, "ROLL", roll)
    with limited(database_url, tmp_path, clock, fake_x, posts=3) as c:
        first, second = pair(c)
        both([first, second])  # both have started (and read the empty window) before any post
        for n in range(1, 9):
            issue_short(c, n)
        c.views.wait(c.store.head(), ["deliveries"], timeout=60)
        both([first, second])
        first.run_once()
        second.run_once()
        assert len(heads(fake_x, "tok-gu00")) == 3  # three, not three per dispatcher
        assert len(heads(fake_x, "tok-gu01")) == 8  # its own limit is far away
        c.views.wait(c.store.head(), ["deliveries"], timeout=60)
        view = c.views.get(DeliveriesProjection)
        assert view.counts()["rate_limited"] == 5

        clock.advance(HOUR)
        for _ in range(2):
            both([first, second])
        assert len(heads(fake_x, "tok-gu00")) == 6
        clock.advance(HOUR)
        for _ in range(2):
            both([first, second])
        c.views.wait(c.store.head(), ["deliveries"], timeout=60)
        posted = heads(fake_x, "tok-gu00")
        # each window takes the oldest waiting ones; two processes posting at the same moment
        # may land them in either order within a window (one process keeps strict order)
        windows = [sorted(posted[:3]), sorted(posted[3:6]), sorted(posted[6:])]
        assert windows == [[f"호우 경보 {n}" for n in w] for w in ((1, 2, 3), (4, 5, 6), (7, 8))]
        assert set(view.counts()) == {"delivered"}
        quota = DeliveryService(c.commands).quota("x:gu00")  # a new process finds the newest
        assert quota is not None and len(quota.slots) == 8
        assert quota.generation == (0 if roll == 500 else 3)


def test_a_second_dispatcher_started_earlier_sees_the_first_ones_posts(
    database_url: str, tmp_path: Path, clock: FixedClock, fake_x: FakeX
) -> None:
    with limited(database_url, tmp_path, clock, fake_x, posts=2) as c:
        first, second = pair(c)
        first.run_once()
        second.run_once()  # seeded with an empty window: it must not rely on that
        issue_short(c, 1)
        issue_short(c, 2)
        issue_short(c, 3)
        c.views.wait(c.store.head(), ["deliveries"], timeout=60)
        first.run_once()
        c.views.wait(c.store.head(), ["deliveries"], timeout=60)
        second.run_once()
        assert heads(fake_x, "tok-gu00") == ["호우 경보 1", "호우 경보 2"]
        clock.advance(HOUR / 2)
        second.run_once()
        assert len(heads(fake_x, "tok-gu00")) == 2
        clock.advance(HOUR / 2)
        second.run_once()
        assert heads(fake_x, "tok-gu00") == ["호우 경보 1", "호우 경보 2", "호우 경보 3"]


def test_posts_recorded_before_the_quota_existed_still_count(
    database_url: str, tmp_path: Path, clock: FixedClock, fake_x: FakeX
) -> None:
    """An upgrade in the middle of a window: the quota opens with the outbox view's posts."""
    with limited(database_url, tmp_path, clock, fake_x, posts=2) as c:
        wids = [issue_short(c, n) for n in (1, 2, 3)]
        c.views.wait(c.store.head(), ["deliveries"], timeout=60)
        for wid in wids[:2]:  # posted the old way: no quota slot
            row = next(
                r
                for r in c.views.get(DeliveriesProjection).for_warning(str(wid))
                if r["target"] == "x:gu00"
            )
            did = UUID(str(row["id"]))
            assert c.deliveries.claim(did, 0, "old-version") is not None
            c.deliveries.posted(did, 0, f"remote-{wid}", last=True)
        assert c.deliveries.quota("x:gu00") is None
        d = dispatcher(c)
        d.run_once()
        assert heads(fake_x, "tok-gu00") == []  # the third waits: two posts are in the window
        quota = c.deliveries.quota("x:gu00")
        assert quota is None or len(quota.slots) == 2
        clock.advance(HOUR)
        d.run_once()
        assert heads(fake_x, "tok-gu00") == ["호우 경보 3"]
        quota = c.deliveries.quota("x:gu00")
        assert quota is not None and len(quota.slots) == 3
