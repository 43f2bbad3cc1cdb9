"""Warnings reach every warnings-allowed account, not only X: Facebook pages, KakaoTalk
channels, blogs and SMS gateways get signed JSON at their connector, shaped for the kind,
with the same outbox steps (delivered with the connector's id, retried, never twice)."""

from __future__ import annotations

import hmac
import threading
from pathlib import Path
from typing import Any

import pytest

from channels.fanout import sign
from channels.outbound import compose, load_channel_kinds
from domain.clock import FixedClock
from projections.deliveries import DeliveriesProjection
from tests.warnings.outbox_setup import connector, dispatcher, issue, outbox_container, run

ACCOUNTS = [("facebook", "seoul.kr"), ("kakao", "seoul"), ("blog", "seoulstory"), ("sms", "120")]


def creds(url: Any, drills: bool = False) -> dict[str, Any]:
    return {
        f"{ch}:{h}": {"url": url(f"/{ch}"), "secret": f"key-{ch}", "drills": drills and ch != "sms"}
        for ch, h in ACCOUNTS
    }


def rows(c: Any) -> dict[str, Any]:
    view = c.views.get(DeliveriesProjection)
    return {r["target"]: r for r in view.query("SELECT * FROM dlv_deliveries")}


def test_every_warnings_account_gets_one_signed_post_shaped_for_its_kind(
    database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with connector() as (got, server):
        url = lambda path: got.url(server, path)  # noqa: E731
        accounts = [*ACCOUNTS, ("kakao", "no_connector")]
        with outbox_container(database_url, tmp_path, clock, accounts, creds(url)) as c:
            issue(c)
            run(c)
            run(c)  # a second pass posts nothing again
            by_path = {p.path: p for p in got.posts}
            assert sorted(by_path) == ["/blog", "/facebook", "/kakao", "/sms"]
            assert len(got.posts) == 4
            kinds = load_channel_kinds()
            for p in got.posts:
                channel = p.path.strip("/")
                key = f"key-{channel}"
                assert hmac.compare_digest(p.headers["X-SMC-Signature"], sign(key, p.raw))
                assert p.body["channel"] == channel and p.body["status"] == "Actual"
                assert len(p.body["text"]) <= kinds[channel].max_chars
                assert p.body["text"].endswith(p.body["link"])  # the CAP link survives a cut
                assert "(1/" not in p.body["text"]  # no threads outside X
            blog, sms = by_path["/blog"].body, by_path["/sms"].body
            assert blog["format"] == "long" and len(blog["text"]) > len(sms["text"])
            states = rows(c)
            assert states["facebook:seoul.kr"]["state"] == "delivered"
            assert states["facebook:seoul.kr"]["remote_ids"].startswith('["remote-')
            missing = states["kakao:no_connector"]
            assert missing["state"] == "gave_up" and "no publisher" in missing["reason"]


def test_a_connector_error_is_retried_with_backoff_and_posted_once(
    database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    from datetime import timedelta

    with connector() as (got, server):
        url = lambda path: got.url(server, path)  # noqa: E731
        accounts = [("facebook", "seoul.kr")]
        with outbox_container(database_url, tmp_path, clock, accounts, creds(url)) as c:
            got.answers.extend([503])
            issue(c)
            run(c)
            row = rows(c)["facebook:seoul.kr"]
            assert row["state"] == "failed" and "503" in row["reason"] and got.posts == []
            clock.advance(timedelta(seconds=3))
            run(c)
            assert len(got.posts) == 1 and rows(c)["facebook:seoul.kr"]["state"] == "delivered"


class Crash(BaseException):
    """Stands for kill -9: nothing after the call is recorded."""


def test_a_restart_in_the_middle_never_posts_twice_on_a_connector(
    database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with connector() as (got, server):
        url = lambda path: got.url(server, path)  # noqa: E731
        with outbox_container(database_url, tmp_path, clock, ACCOUNTS, creds(url)) as c:
            issue(c)
            first = dispatcher(c)
            real, lock, calls = first.publishers, threading.Lock(), {"n": 0}

            def crashing(d: Any) -> Any:
                pub: Any = real(d)
                if pub is None or d.target == "feed":
                    return pub

                class After:
                    def post(self, text: str, reply_to: str | None) -> str:
                        rid = pub.post(text, reply_to)
                        with lock:
                            calls["n"] += 1
                            crash = calls["n"] == 2
                        if crash:
                            raise Crash  # posted; the outcome never recorded
                        return str(rid)

                return After()

            first.publishers = crashing
            with pytest.raises(Crash):
                first.run_once()
            run(c)  # "restart": a new dispatcher on the same store
            run(c)
            paths = [p.path for p in got.posts]
            assert sorted(paths) == sorted({f"/{ch}" for ch, _ in ACCOUNTS})  # each once
            states = [r["state"] for r in rows(c).values()]
            assert states.count("uncertain") == 1 and states.count("delivered") == 4  # + feed
            # the rate limits count the interrupted post too (it went out, unrecorded)
            counted = sorted(t for t, _ in c.views.get(DeliveriesProjection).posts_since(""))
            assert counted == sorted(["feed", *(f"{ch}:{h}" for ch, h in ACCOUNTS)])


def test_drills_go_only_to_connector_accounts_allowed_for_drills(
    database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with connector() as (got, server):
        url = lambda path: got.url(server, path)  # noqa: E731
        accounts = ACCOUNTS
        with outbox_container(
            database_url, tmp_path, clock, accounts, creds(url, drills=True)
        ) as c:
            issue(c, status="Exercise")
            run(c)
            assert sorted(p.path for p in got.posts) == ["/blog", "/facebook", "/kakao"]
            assert all(p.body["text"].startswith("[훈련]") for p in got.posts)


def test_single_posts_are_cut_to_the_kind_and_keep_the_link() -> None:
    kind = load_channel_kinds()["microblog"]
    payload = {
        "status": "Test",
        "headline": {"ko": "제목"},
        "instruction": {"ko": "가" * 2000},
        "link": "https://smc.example/cap/x.1.xml",
    }
    (text,) = compose(payload, kind)
    assert len(text) == kind.max_chars and text.startswith("[시험] 제목")
    assert text.endswith("…\n\nhttps://smc.example/cap/x.1.xml")
