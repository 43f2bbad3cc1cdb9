"""Per-account rate limits: a post over the limit waits (recorded ``rate_limited`` until T,
shown on the desk), goes out when the window allows, in order, warnings before replies; a
restarted dispatcher remembers the window from the recorded posts and never posts twice."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Container
from api.outbox_limits import Limit, OutboxLimiter
from api.pages_inbox import kst
from domain.clock import FixedClock
from domain.context import Cause, acting
from domain.deliveries import Delivery
from domain.warning_content import AreaSpec
from projections.deliveries import DeliveriesProjection
from tests.fakes.fake_x import FakeX
from tests.helpers import bearer
from tests.warnings.outbox_setup import actor, outbox_container, run

HOUR = timedelta(hours=1)


def test_the_limiter_counts_a_sliding_window_and_the_queue_ahead() -> None:
    t0 = datetime(2026, 11, 26, 9, tzinfo=UTC)
    limiter = OutboxLimiter(lambda t: Limit(2, HOUR) if t == "x:a" else None)
    assert limiter.free_at("x:a", t0) == t0
    limiter.record("x:a", t0)
    limiter.record("x:a", t0 + timedelta(minutes=10))
    assert limiter.free_at("x:a", t0 + timedelta(minutes=20)) == t0 + HOUR
    assert limiter.free_at("x:a", t0 + timedelta(minutes=20), ahead=1) == t0 + HOUR + 10 * (
        HOUR / 60
    )
    assert limiter.free_at("x:a", t0 + HOUR) == t0 + HOUR  # the first one left the window
    assert limiter.free_at("feed", t0) == t0  # no limit
    with pytest.raises(ValueError, match="window"):
        Limit.of({"posts": 5, "window_seconds": 0})


def test_a_wait_between_thread_parts_uses_up_no_attempt() -> None:
    t0 = datetime(2026, 11, 26, 9, tzinfo=UTC)
    with acting(Cause("system:test"), t0):
        d = Delivery("id.1", "x:a", "w", {"status": "Actual"})
        d.wait_for_rate_limit("2026-11-26T10:00:00+00:00", "limit")
        d.wait_for_rate_limit("2026-11-26T10:00:00+00:00", "limit")  # the same: no event
        d.attempt(0, "w1", t0.isoformat())
        d.part_posted(0, "r0")
        d.wait_for_rate_limit("2026-11-26T11:00:00+00:00", "limit")
        d.attempt(1, "w1", t0.isoformat())
        d.part_posted(1, "r1")
        d.deliver()
    kinds = [type(e).__name__ for e in d.collect_events()]
    assert kinds.count("RateLimited") == 2 and d.attempts == 1
    assert d.state == "delivered" and d.remote_ids == ["r0", "r1"]


def short_texts(n: int) -> dict[str, Any]:
    return {
        lang: {
            "headline": f"호우 경보 {n}" if lang == "ko" else f"Heavy rain {n}",
            "description": "테스트" if lang == "ko" else "test",
            "instruction": "대피하세요" if lang == "ko" else "Evacuate",
        }
        for lang in ("ko", "en")
    }


def issue_short(c: Container, n: int) -> UUID:
    """A warning whose post fits in one part (so each message is one post)."""
    w = c.warnings
    draft = w.draft(
        actor(c, "desk1"),
        key=f"short-{n}",
        playbook_id="heavy_rain",
        stage_id="advisory",
        status="Actual",
        area=AreaSpec("districts", ("11110",)),
        texts=short_texts(n),
    )
    w.submit(actor(c, "desk1"), draft.id)
    w.approve(actor(c, "appr1"), draft.id, "approver")
    return draft.id


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX() as fx:
        yield fx


def limited(
    database_url: str, tmp_path: Path, clock: FixedClock, fx: FakeX, posts: int
) -> AbstractContextManager[Container]:
    creds = {
        "x:gu00": {
            "bearer_token": "tok-gu00",
            "rate_limit": {"posts": posts, "window_seconds": 3600},
        },
        "x:gu01": {"bearer_token": "tok-gu01"},  # X's default: 300 posts / 3 h
    }
    accounts = [("x", "gu00"), ("x", "gu01")]
    return outbox_container(
        database_url, tmp_path, clock, accounts, creds, x_api_base_url=fx.base_url
    )


def heads(fx: FakeX, account: str) -> list[str]:
    return [p.text.split("\n", 1)[0] for p in fx.posts if p.account == f"bearer:{account}"]


def test_a_post_over_the_limit_waits_and_goes_out_when_the_window_allows(
    database_url: str, tmp_path: Path, clock: FixedClock, fake_x: FakeX
) -> None:
    with limited(database_url, tmp_path, clock, fake_x, posts=2) as c:
        wids = [issue_short(c, n) for n in (1, 2, 3)]
        run(c)
        assert heads(fake_x, "tok-gu00") == ["호우 경보 1", "호우 경보 2"]
        assert len(heads(fake_x, "tok-gu01")) == 3  # its own (default) limit is far away
        view = c.views.get(DeliveriesProjection)
        waiting = next(r for r in view.for_warning(str(wids[2])) if r["target"] == "x:gu00")
        assert waiting["state"] == "rate_limited"
        until = (clock.now() + HOUR).isoformat(timespec="seconds")
        assert waiting["retry_at"] == until and "2 posts / 1 h" in waiting["reason"]

        run(c)  # a restarted dispatcher: the window is seeded from the recorded posts
        assert len(heads(fake_x, "tok-gu00")) == 2
        clock.advance(HOUR)
        run(c)
        run(c)
        assert heads(fake_x, "tok-gu00") == ["호우 경보 1", "호우 경보 2", "호우 경보 3"]
        assert set(view.counts()) == {"delivered"}


def test_the_desk_page_shows_until_when_a_delivery_waits(
    database_url: str, tmp_path: Path, clock: FixedClock, fake_x: FakeX
) -> None:
    with limited(database_url, tmp_path, clock, fake_x, posts=1) as c:
        first, second = issue_short(c, 1), issue_short(c, 2)
        run(c)
        page = desk_page(c, second)  # closes the container when it is done
        until = (clock.now() + HOUR).isoformat()
        assert "delivery-rate_limited" in page and f"{kst(until)} KST" in page
        assert '<noscript><meta http-equiv="refresh"' in page  # live while it waits
        assert first != second


def desk_page(c: Container, wid: UUID) -> str:
    app = create_app(c.settings, container_factory=lambda: c)
    with TestClient(app) as client:
        r = client.get(f"/desk/warnings/{wid}", headers=bearer(client, "appr1"))
        assert r.status_code == 200, r.text
        return str(r.text)


def test_warnings_go_before_replies_queued_earlier(
    database_url: str, tmp_path: Path, clock: FixedClock, fake_x: FakeX
) -> None:
    with limited(database_url, tmp_path, clock, fake_x, posts=1) as c:
        payload = {"reply_text": "답변 드립니다", "in_reply_to": "1900", "status": "Actual"}

        def save_reply() -> int:
            return c.commands.save(Delivery("reply:test:1", "x:gu00", "", payload))

        c.commands.run(Cause("system:test"), save_reply)
        issue_short(c, 1)
        issue_short(c, 2)
        for _ in range(3):
            run(c)
            clock.advance(HOUR)
        assert heads(fake_x, "tok-gu00") == ["호우 경보 1", "호우 경보 2", "답변 드립니다"]
        run(c)
        assert len(heads(fake_x, "tok-gu00")) == 3  # nothing twice
