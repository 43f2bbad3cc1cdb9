"""Mails through the outbox: a 4xx from the SMTP server is retried with backoff, a 5xx gives
up, an attempt cut off by a crash is never sent again; and the subscription's rules (one
confirmation mail per ten minutes, following again after unsubscribing)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container, build
from domain.clock import FixedClock
from domain.context import Cause
from domain.deliveries import DeliveryState
from domain.errors import InvalidInputError, TransitionNotAllowedError
from domain.follow import FollowState, normalise_email, subscription_id
from domain.postings import IncomingPosting
from projections.deliveries import DeliveriesProjection
from tests.conftest import make_settings
from tests.helpers import store_posting
from tests.ledger.mailing import Inbox, dispatcher, pump

WHO = Cause("system:test")


def answered(c: Container, source_id: str, email: str) -> None:
    item = IncomingPosting(
        channel="web",
        source_id=source_id,
        text="공원 분수대가 고장났어요",
        created_at=c.clock.now(),
        contact={"email": email},
    )
    store_posting(c, item)
    ledger = c.ledger
    case = ledger.open(WHO, str(item.posting_id), "web", item.created_at).id
    ledger.classify(WHO, case, "simple")
    ledger.assign(WHO, case, "department:PARK")
    ledger.designate(WHO, case, "kim.official")
    ledger.respond(WHO, case, "분수대를 고쳤습니다.")
    ledger.publish(WHO, case)


def mails(c: Container) -> list[dict[str, Any]]:
    c.views.wait(c.store.head(), ["deliveries"], timeout=60)
    return c.views.get(DeliveriesProjection).query(
        "SELECT id, state, attempts, reason, remote_ids FROM dlv_deliveries"
        " WHERE target = 'email:reply' ORDER BY position"
    )


def test_smtp_4xx_is_retried_5xx_gives_up(
    mailing: tuple[Container, TestClient], smtp: tuple[int, Inbox], clock: FixedClock
) -> None:
    c, inbox = mailing[0], smtp[1]
    d = dispatcher(c)
    inbox.answers = ["451 4.3.0 mailbox busy, try later"]
    answered(c, "W-20260714-00000001", "park.user@example.org")
    pump(c, d)
    [row] = mails(c)
    assert row["state"] == "failed" and row["attempts"] == 1 and "451" in row["reason"]
    assert "park.user" not in row["reason"] and not inbox.messages
    pump(c, d)  # not due yet: backoff
    assert mails(c)[0]["attempts"] == 1
    clock.advance(timedelta(minutes=5))
    pump(c, d)
    [row] = mails(c)
    assert row["state"] == "delivered" and len(inbox.messages) == 1
    assert inbox.messages[0]["Message-ID"] in row["remote_ids"]

    inbox.answers = ["550 5.1.1 <gone@example.org>: no such user"]
    answered(c, "W-20260714-00000002", "gone@example.org")
    pump(c, d)
    clock.advance(timedelta(hours=1))
    pump(c, d)
    gave_up = mails(c)[1]
    assert gave_up["state"] == "gave_up" and len(inbox.messages) == 1
    assert "550" in gave_up["reason"] and "gone@" not in gave_up["reason"]


def test_a_crash_mid_send_never_sends_twice(
    mailing: tuple[Container, TestClient], smtp: tuple[int, Inbox]
) -> None:
    c, inbox = mailing[0], smtp[1]
    answered(c, "W-20260714-00000003", "once@example.org")
    c.views.wait(c.store.head(), timeout=60)
    [row] = mails(c)
    c.deliveries.claim(UUID(row["id"]), 0, "crashed-worker")  # attempt recorded, then kill -9
    c.settings.delivery_lease_seconds = 0
    pump(c, dispatcher(c))
    assert c.deliveries.get(UUID(row["id"])).state is DeliveryState.UNCERTAIN
    assert not inbox.messages


def test_subscription_rules(mailing: tuple[Container, TestClient], clock: FixedClock) -> None:
    c = mailing[0]
    follow, pid = c.follow, "6f1d3c1e-0000-5000-8000-000000000001"
    assert follow.subscribe(WHO, pid, " Kim@Example.ORG ", "en")
    sid = subscription_id(pid, "kim@example.org")
    assert follow.get(sid).email == "Kim@example.org"
    assert not follow.subscribe(WHO, pid, "kim@example.org", "en")  # just sent one
    clock.advance(timedelta(minutes=11))
    assert follow.subscribe(WHO, pid, "kim@example.org", "ko")  # the mail was lost: again
    assert follow.confirm(WHO, sid).state is FollowState.ACTIVE
    assert not follow.subscribe(WHO, pid, "kim@example.org", "ko")  # already following
    assert follow.unsubscribe(WHO, sid).state is FollowState.ENDED
    with pytest.raises(TransitionNotAllowedError):
        follow.confirm(WHO, sid)  # an old confirmation link does not revive it
    assert follow.subscribe(WHO, pid, "kim@example.org", "ko")
    assert follow.get(sid).state is FollowState.PENDING
    for bad in ("", "kim", "kim@", "@example.org", "a b@example.org", "a@b", "x" * 250 + "@a.org"):
        with pytest.raises(InvalidInputError):
            normalise_email(bad)


def test_the_running_server_sends_the_mail(
    database_url: str, tmp_path: Path, clock: FixedClock, smtp: tuple[int, Inbox]
) -> None:
    """With the dispatcher thread as ``smc serve`` runs it (no test-driven passes)."""
    settings = make_settings(
        database_url,
        tmp_path,
        dispatch_interval=0.05,
        smtp_host="127.0.0.1",
        smtp_port=smtp[0],
    )
    c = build(settings, clock, in_process_worker=True)
    c.start()
    try:
        answered(c, "W-20260714-00000004", "live@example.org")
        deadline = time.monotonic() + 60
        while not smtp[1].messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [m["To"] for m in smtp[1].messages] == ["live@example.org"]
    finally:
        c.close()
