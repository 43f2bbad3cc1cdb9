"""The real tweepy.Client.search_recent_tweets, through backfill(), against FakeX."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import tweepy

from channels.x import Backoff, backfill, make_client
from tests.fakes.fake_x import FakeX, load_corpus
from tests.shared_data import shared
from tests.x.helpers import SECRET

FILES = (
    "twarc-csv_geo_tweets.jsonl",
    "twarc-csv_noflat.jsonl",
    "twarc-csv_streaming_output_with_error.jsonl",
    "twarc-csv_two_tweets.jsonl",
)


@pytest.fixture
def fx() -> Iterator[FakeX]:
    corpus = load_corpus([shared("x-api", name) for name in FILES])
    with FakeX(corpus=corpus) as fake:
        yield fake


def test_pages_since_id_and_expansions(fx: FakeX) -> None:
    client = make_client("app-token", base_url=fx.base_url)
    ids = [t["id"] for t in fx.corpus.tweets]
    since = ids[100]  # 100 tweets are newer than this one
    pages = list(
        backfill(client, "#침수 OR @seoul", since, author_key_secret=SECRET, max_results=40)
    )
    assert [len(p) for p, _, _ in pages] == [40, 40, 20]
    assert all(r == [] for _, r, _ in pages)
    assert {newest for _, _, newest in pages} == {ids[0]}
    got = [p.source_id for page, _, _ in pages for p in page]
    assert got == ids[:100]
    assert [q.get("next_token") for q in fx.queries] == [None, "nt40", "nt80"]
    first = fx.queries[0]
    assert first["query"] == "#침수 OR @seoul" and first["since_id"] == since
    assert (
        first["expansions"] == "author_id,geo.place_id,attachments.media_keys,referenced_tweets.id"
    )
    assert "created_at" in first["tweet.fields"] and "geo" in first["place.fields"]
    assert fx.requests[0][2] == "bearer:app-token"
    postings = [p for page, _, _ in pages for p in page]
    assert all(p.author_handle for p in postings)  # includes.users served per page
    assert [p.place_name for p in postings if p.place_bbox] == ["Berlin, Germany"]


def test_nothing_new(fx: FakeX) -> None:
    client = make_client("t", base_url=fx.base_url)
    newest = fx.corpus.tweets[0]["id"]
    pages = list(backfill(client, "q", newest, author_key_secret=SECRET))
    assert pages == [([], [], newest)]


def test_429_sleeps_until_reset_then_succeeds(fx: FakeX) -> None:
    client = make_client("t", base_url=fx.base_url)
    fx.rate_limit(2, reset_at=1_700_000_042, path_prefix="/2/tweets/search/recent")
    slept: list[float] = []
    pages = list(
        backfill(
            client,
            "q",
            None,
            author_key_secret=SECRET,
            sleep=slept.append,
            clock=lambda: 1_700_000_000.0,
        )
    )
    assert slept == [42.0, 42.0]
    assert sum(len(p) for p, _, _ in pages) == 110
    assert len(fx.queries) == 2  # rate-limited requests never reached the search


def test_429_gives_up_after_max_attempts(fx: FakeX) -> None:
    client = make_client("t", base_url=fx.base_url)
    fx.rate_limit(5, reset_at=10)
    slept: list[float] = []
    with pytest.raises(tweepy.TooManyRequests):
        list(
            backfill(
                client,
                "q",
                None,
                author_key_secret=SECRET,
                sleep=slept.append,
                clock=lambda: 100.0,
                backoff=Backoff(max_attempts=3),
            )
        )
    assert slept == [1.0, 1.0]  # reset already passed: minimum wait, never zero


class FlakyClient:
    """Fails like a dropped connection, then delegates to the real client."""

    def __init__(self, real: tweepy.Client, failures: int) -> None:
        self.real = real
        self.failures = failures

    def search_recent_tweets(self, **params: object) -> object:
        if self.failures:
            self.failures -= 1
            raise tweepy.TwitterServerError(_FakeResponse())
        return self.real.search_recent_tweets(**params)


class _FakeResponse:
    status_code = 503
    reason = "Service Unavailable"
    headers: dict[str, str] = {}  # noqa: RUF012

    def json(self) -> dict[str, object]:
        return {}


def test_server_errors_back_off_exponentially(fx: FakeX) -> None:
    flaky = FlakyClient(make_client("t", base_url=fx.base_url), failures=3)
    slept: list[float] = []
    pages = list(backfill(flaky, "q", None, author_key_secret=SECRET, sleep=slept.append))
    assert slept == [1.0, 2.0, 4.0]
    assert sum(len(p) for p, _, _ in pages) == 110


def test_connection_refused_is_retried_then_raised() -> None:
    with FakeX() as fake:
        dead = fake.base_url
    client = make_client("t", base_url=dead)
    slept: list[float] = []
    with pytest.raises(Exception, match="Connection"):
        list(
            backfill(
                client,
                "q",
                None,
                author_key_secret=SECRET,
                sleep=slept.append,
                backoff=Backoff(max_attempts=4),
            )
        )
    assert slept == [1.0, 2.0, 4.0]
