"""Fan-out through FakeX: one post per account per message, drills only where allowed,
threads for long texts, and an interrupted attempt is never posted twice."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.bootstrap import Container, build
from api.dispatcher import Dispatcher
from api.warning_ports import make_dispatcher
from channels.fanout import split_thread, weighted_length
from domain.clock import FixedClock
from domain.context import Cause
from domain.warning_content import AreaSpec
from domain.warnings import Action
from projections.deliveries import DeliveriesProjection
from tests.conftest import make_settings
from tests.fakes.fake_x import FakeX
from tests.helpers import seed_warning_desk

ACCOUNTS = 44
DRILL_ACCOUNTS = 5
SYS = Cause("system:test")


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX() as fx:
        yield fx


@pytest.fixture
def fan(database_url: str, tmp_path: Path, clock: FixedClock, fake_x: FakeX) -> Iterator[Container]:
    creds = {
        f"x:gu{i:02d}": {"bearer_token": f"tok-gu{i:02d}", "drills": i < DRILL_ACCOUNTS}
        for i in range(ACCOUNTS)
    }
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(creds), "utf-8")
    settings = make_settings(
        database_url,
        tmp_path,
        warning_accounts_file=path,
        x_api_base_url=fake_x.base_url,
        dispatch=False,  # the tests drive the dispatcher themselves
        delivery_lease_seconds=0,
    )
    container = build(settings, clock, in_process_worker=True)
    container.start()
    seed_warning_desk(container, ACCOUNTS, "desk1", "appr1")
    container.views.wait(container.store.head(), timeout=60)
    try:
        yield container
    finally:
        container.close()


def _actor(c: Container, name: str) -> Cause:
    user = c.directory.find_user(name)
    assert user is not None
    return Cause(f"user:{user.id}")


def _issue(c: Container, status: str = "Actual") -> tuple[Any, int]:
    w = c.warnings
    draft = w.draft(
        _actor(c, "desk1"),
        key=f"fan-{status}",
        playbook_id="heavy_rain",
        stage_id="advisory",
        status=status,
        area=AreaSpec("districts", ("11110",)),
    )
    w.submit(_actor(c, "desk1"), draft.id)
    issued = w.approve(_actor(c, "appr1"), draft.id, "approver")
    return draft.id, issued.position


def _dispatch(c: Container) -> Dispatcher:
    d = make_dispatcher(c.settings, c.clock, (c.warnings, c.deliveries), c.views)
    c.views.wait(c.store.head(), ["deliveries"], timeout=60)
    d.run_once()
    return d


def test_issue_records_one_delivery_per_account_in_the_same_save(fan: Container) -> None:
    wid, position = _issue(fan)
    fan.views.wait(position, ["deliveries"], timeout=60)
    rows = fan.views.get(DeliveriesProjection).for_warning(str(wid))
    assert len(rows) == ACCOUNTS + 1  # every account and the feed
    assert {r["state"] for r in rows} == {"requested"}


def test_each_account_gets_exactly_one_post_per_message(fan: Container, fake_x: FakeX) -> None:
    wid, _ = _issue(fan)
    fan.warnings.change_stage(_actor(fan, "desk1"), wid, Action.ESCALATE)
    _dispatch(fan)
    _dispatch(fan)  # a second pass changes nothing
    counts = fake_x.posts_by_account()
    assert len(counts) == ACCOUNTS
    heads = [p for p in fake_x.posts if p.reply_to is None]
    per_account: dict[str, int] = {}
    for p in heads:
        per_account[p.account] = per_account.get(p.account, 0) + 1
    assert set(per_account.values()) == {2}  # two messages, one thread head each
    assert all(weighted_length(p.text) <= 280 for p in fake_x.posts)
    rows = fan.views.get(DeliveriesProjection)
    fan.views.wait(fan.store.head(), ["deliveries"], timeout=60)
    assert set(rows.counts()) == {"delivered"}


def test_drills_carry_the_marker_and_go_only_to_drill_accounts(
    fan: Container, fake_x: FakeX
) -> None:
    _issue(fan, "Exercise")
    _dispatch(fan)
    assert len(fake_x.posts_by_account()) == DRILL_ACCOUNTS
    heads = [p for p in fake_x.posts if p.reply_to is None]
    assert all(p.text.startswith("[훈련]") for p in heads)


class Crash(BaseException):
    """Stands for kill -9: nothing after the call is recorded."""


def test_an_interrupted_attempt_is_never_posted_again(fan: Container, fake_x: FakeX) -> None:
    _issue(fan)
    first = make_dispatcher(fan.settings, fan.clock, (fan.warnings, fan.deliveries), fan.views)
    fan.views.wait(fan.store.head(), ["deliveries"], timeout=60)
    real = first.publishers
    calls = {"n": 0}
    lock = threading.Lock()

    def crashing(d: Any) -> Any:
        pub: Any = real(d)
        if pub is None or not d.target.startswith("x:"):
            return pub

        class After:
            def post(self, text: str, reply_to: str | None) -> str:
                rid = pub.post(text, reply_to)
                with lock:  # the dispatcher posts to several targets at once
                    calls["n"] += 1
                    crash = calls["n"] == 10
                if crash:
                    raise Crash  # the post went out, the outcome is never recorded
                return str(rid)

        return After()

    first.publishers = crashing
    with pytest.raises(Crash):
        first.run_once()
    assert sum(fake_x.posts_by_account().values()) >= 10
    _dispatch(fan)  # "restart": a new dispatcher with a new worker id
    _dispatch(fan)
    counts = fake_x.posts_by_account()
    heads: dict[str, int] = {}
    for p in fake_x.posts:
        if p.reply_to is None:
            heads[p.account] = heads.get(p.account, 0) + 1
    assert len(heads) == ACCOUNTS and set(heads.values()) == {1}, counts
    fan.views.wait(fan.store.head(), ["deliveries"], timeout=60)
    states = fan.views.get(DeliveriesProjection).counts()
    assert states == {"delivered": ACCOUNTS, "uncertain": 1}


def test_weighted_length_counts_korean_twice_and_urls_as_23() -> None:
    assert weighted_length("abc") == 3
    assert weighted_length("호우") == 4
    assert weighted_length("see https://example.com/a/very/long/path/indeed") == 4 + 23
    long_ko = "서울 전역에 호우경보가 발령되었습니다. " * 20
    parts = split_thread(long_ko + "https://smc.seoul.go.kr/cap/x.xml")
    assert len(parts) > 1
    assert all(weighted_length(p) <= 280 for p in parts)
    assert parts[0].endswith(f"(1/{len(parts)})")
