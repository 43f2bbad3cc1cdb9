"""The real tweepy.StreamingClient (our StreamListener) against FakeX's chunked stream."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from channels.x import NormalizedPosting, ReconnectPolicy, Rejection, StreamListener
from tests.fakes.fake_x import FakeX, StreamScript, load_stream_lines
from tests.shared_data import shared
from tests.x.helpers import SECRET


@pytest.fixture
def lines() -> list[str]:
    return load_stream_lines(shared("x-api", "twarc-csv_streaming_output_with_error.jsonl"))


class Recorder:
    def __init__(self) -> None:
        self.items: list[NormalizedPosting | Rejection] = []
        self.sleeps: list[float] = []

    def postings(self) -> list[NormalizedPosting]:
        return [i for i in self.items if isinstance(i, NormalizedPosting)]

    def rejections(self) -> list[Rejection]:
        return [i for i in self.items if isinstance(i, Rejection)]


def run(
    fx: FakeX, rec: Recorder, policy: ReconnectPolicy, accounts: frozenset[str] = frozenset()
) -> StreamListener:
    listener = StreamListener(
        "stream-token",
        sink=rec.items.append,
        author_key_secret=SECRET,
        accounts=accounts,
        base_url=fx.base_url,
        reconnect=policy,
        sleep=rec.sleeps.append,
    )
    thread = listener.listen(threaded=True)
    thread.join(timeout=20)
    alive = thread.is_alive()
    listener.disconnect()
    assert not alive, "stream did not stop"
    return listener


@pytest.fixture
def rec() -> Iterator[Recorder]:
    yield Recorder()


def test_chunked_stream_of_real_payloads(lines: list[str], rec: Recorder) -> None:
    with FakeX(streams=[StreamScript(lines, keep_alives=3)]) as fx:
        listener = run(fx, rec, ReconnectPolicy(max_failures=0))
    assert [p.source_id for p in rec.postings()][:1] == ["1377650090978992134"]
    assert len(rec.postings()) == 7
    (broken,) = rec.rejections()
    assert broken.line_no == 8 and broken.reason.startswith("invalid JSON")
    assert fx.stream_connections == 1 and rec.sleeps == [] and listener.reconnects == 0
    assert sum(p.lat is not None for p in rec.postings()) == 2
    assert all(p.place_bbox for p in rec.postings())
    assert fx.requests[0][2] == "bearer:stream-token"


def test_dropped_connection_reconnects_with_backoff(lines: list[str], rec: Recorder) -> None:
    scripts = [StreamScript(lines[:3], end="drop"), StreamScript(lines[3:7])]
    with FakeX(streams=scripts) as fx:
        listener = run(fx, rec, ReconnectPolicy(base=2.0, max_failures=1))
    assert len(rec.postings()) == 7 and rec.rejections() == []
    assert fx.stream_connections == 3  # dropped, clean close, then an empty stream: give up
    assert rec.sleeps == [2.0, 2.0]  # messages in between reset the backoff
    assert listener.reconnects == 2
    assert listener.disconnects == [
        "connection error",
        "stream closed by server",
        "stream closed by server",
    ]


def test_server_that_keeps_closing_does_not_tight_loop(rec: Recorder) -> None:
    with FakeX() as fx:  # every connection: 200, no data, clean close
        listener = run(fx, rec, ReconnectPolicy(max_failures=5))
    assert rec.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert fx.stream_connections == 6 and listener.failures == 6


def test_matching_rule_tag_names_the_account(rec: Recorder) -> None:
    message = {
        "data": {
            "id": "77",
            "text": "침수 신고",
            "created_at": "2024-07-10T00:00:00.000Z",
            "author_id": "5",
            "edit_history_tweet_ids": ["77"],
        },
        "includes": {"users": [{"id": "5", "username": "citizen", "name": "C"}]},
        "matching_rules": [{"id": "1", "tag": "account:seoul_city"}, {"id": "2"}],
    }
    errors_only = {"errors": [{"title": "operational-disconnect", "detail": "bye"}]}
    with FakeX(streams=[StreamScript([message, errors_only])]) as fx:
        run(fx, rec, ReconnectPolicy(max_failures=0), accounts=frozenset({"seoul_city"}))
    (posting,) = rec.postings()
    assert posting.account == "seoul_city" and posting.author_handle == "citizen"
    assert posting.matching_rules == ("account:seoul_city",)
    (rejection,) = rec.rejections()
    assert "operational-disconnect" in rejection.reason and rejection.line_no == 2


def test_policy_values() -> None:
    policy = ReconnectPolicy(base=1.0, maximum=5.0, max_failures=4)
    assert [policy(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, None]
    assert json.dumps(ReconnectPolicy()(1)) == "1.0"
