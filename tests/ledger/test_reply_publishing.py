"""A published answer to an X posting goes back as a reply tweet through the outbox, exactly
once, threaded when it is longer than one post."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from api.bootstrap import Container
from api.warning_ports import make_dispatcher
from domain.context import Cause
from domain.postings import IncomingPosting
from tests.fakes.fake_x import FakeX
from tests.helpers import store_posting

WHO = Cause("system:test")


def test_published_answer_is_one_reply_thread(desk: Container, fake_x: FakeX) -> None:
    at = datetime(2026, 7, 13, 1, 0, tzinfo=UTC)
    item = IncomingPosting(
        channel="x",
        source_id="1890001",
        text="@seoul_smc 버스 배차 간격이 너무 길어요",
        created_at=at,
        account="seoul_smc",
    )
    store_posting(desk, item)
    ledger = desk.ledger
    cid = ledger.open(WHO, str(item.posting_id), "x", at).id
    ledger.classify(WHO, cid, "simple")
    ledger.assign(WHO, cid, "department:BUS")
    ledger.designate(WHO, cid, "kim.official")
    answer = "배차 간격을 확인했습니다. " * 20  # longer than one post
    ledger.respond(WHO, cid, answer)
    position = ledger.publish(WHO, cid).position
    desk.views.wait(position, timeout=60)
    dispatcher = make_dispatcher(
        desk.settings, desk.clock, (desk.warnings, desk.deliveries), desk.views
    )
    dispatcher.run_once()
    desk.views.wait(desk.store.head(), timeout=60)
    dispatcher.run_once()
    posts = fake_x.posts
    assert len(posts) >= 2, posts
    assert posts[0].reply_to == "1890001"
    assert posts[1].reply_to == posts[0].id
    assert posts[0].text.endswith("(1/2)") and posts[1].text.endswith("(2/2)")
    joined = "".join(re.sub(r"\s*\(\d/\d\)$", "", p.text) for p in posts)
    assert joined.replace(" ", "") == answer.replace(" ", "")
    dispatcher.run_once()
    assert len(fake_x.posts) == len(posts)  # never twice
    assert set(fake_x.posts_by_account()) == {"bearer:tok-smc"}
