"""Every shared X API v2 capture maps to postings, with the known rejections."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from channels.x import NormalizedPosting, Rejection, iter_replay, parse_line, parse_message
from channels.x.mapping import author_key
from tests.shared_data import shared
from tests.x.helpers import SECRET


def replay(
    name: str, accounts: frozenset[str] = frozenset()
) -> tuple[list[NormalizedPosting], list[Rejection]]:
    postings: list[NormalizedPosting] = []
    rejections: list[Rejection] = []
    for _, p, r in iter_replay(shared("x-api", name), author_key_secret=SECRET, accounts=accounts):
        postings += p
        rejections += r
    return postings, rejections


@pytest.mark.parametrize(
    ("name", "n_postings", "n_rejections"),
    [
        ("twarc-csv_geo_tweets.jsonl", 2, 0),
        ("twarc-csv_noflat.jsonl", 100, 0),
        ("twarc-csv_streaming_output_with_error.jsonl", 7, 1),
        ("twarc-csv_two_tweets.jsonl", 1, 0),
    ],
)
def test_counts_per_file(name: str, n_postings: int, n_rejections: int) -> None:
    postings, rejections = replay(name)
    assert (len(postings), len(rejections)) == (n_postings, n_rejections)
    assert all(p.channel == "x" and p.created_at.tzinfo is not None for p in postings)
    assert len({p.source_id for p in postings}) == n_postings


def test_broken_last_stream_line_is_exactly_one_rejection() -> None:
    lines = list(
        iter_replay(
            shared("x-api", "twarc-csv_streaming_output_with_error.jsonl"), author_key_secret=SECRET
        )
    )
    assert [n for n, _, r in lines if r] == [8]
    (rejection,) = lines[-1][2]
    assert rejection.line_no == 8 and rejection.source_id is None
    assert rejection.reason.startswith("invalid JSON")
    assert rejection.raw_excerpt.startswith('{"data": {"author_id"')
    assert all(len(p) == 1 for _, p, _ in lines[:-1])


def test_retweets_detected() -> None:
    (rt,) = replay("twarc-csv_two_tweets.jsonl")[0]
    assert rt.is_retweet and rt.retweet_of == "1391677057810288641"
    assert rt.hashtags == ("#POIUYTREWQ",) and rt.mentions == ("@bibaigna96",)
    assert rt.author_handle == "LachiVeronica"
    assert rt.author_key == author_key("1379899464345923590", SECRET)
    assert len(rt.author_key) == 32 and rt.lang == "und"
    page = replay("twarc-csv_noflat.jsonl")[0]
    assert sum(p.is_retweet for p in page) == 47
    assert sum(p.reply_to is not None for p in page) == 31
    assert sum(p.quote_of is not None for p in page) == 8
    assert sum(bool(p.hashtags) for p in page) == 8
    assert all(p.author_handle for p in page)


def test_bare_rt_text_is_a_retweet_without_known_original() -> None:
    line = json.dumps(
        {"data": {"id": "5", "text": "RT @seoul: 침수", "created_at": "2024-07-01T00:00:00Z"}}
    )
    (posting,), _ = parse_line(line, 1, author_key_secret=SECRET)
    assert posting.is_retweet and posting.retweet_of is None


def test_geo_coordinates_and_place_bbox() -> None:
    exact, berlin = replay("twarc-csv_geo_tweets.jsonl", frozenset({"twitter"}))[0]
    assert (exact.lon, exact.lat) == (42.77810097, 88.01785747)
    assert (
        exact.place_bbox is None and len(exact.hashtags) == 13 and "#zostańwdomu" in exact.hashtags
    )
    assert berlin.place_bbox == (13.088304, 52.338079, 13.760909, 52.675323)
    assert berlin.place_name == "Berlin, Germany" and berlin.lat is None
    assert berlin.reply_to == "1501958949863661574"
    assert berlin.mentions == ("@j2bryson", "@Twitter")
    assert berlin.account == "twitter"  # reached through the mention
    assert berlin.created_at == datetime(2022, 3, 10, 16, 47, 48, tzinfo=UTC)


def test_stream_messages_carry_place_media_quotes() -> None:
    stream = replay("twarc-csv_streaming_output_with_error.jsonl")[0]
    assert all(p.place_bbox is not None for p in stream)
    assert [(p.lon, p.lat) for p in stream if p.lat is not None] == [
        (-86.58216981, 34.75192228),
        (-79.91655, 36.08795),
    ]
    assert stream[0].quote_of == "1377640162566496258"
    assert stream[0].media_urls == ("https://pbs.twimg.com/media/Ex5ldKwXEAEnEnI.jpg",)
    assert stream[0].author_handle == "blackheart_265"
    assert stream[0].matching_rules == ()  # the old capture's rule has no tag


def test_tweepy_cassette_default_fields_are_rejected_for_missing_created_at() -> None:
    cassettes = json.loads(shared("x-api", "tweepy_v2_cassettes_decoded.json").read_text("utf-8"))
    body = cassettes["test_client_search_recent_tweets.yaml"][0]["response"]["body"]
    postings, rejections = parse_message(body, 1, author_key_secret=SECRET, accounts=frozenset())
    assert postings == [] and len(rejections) == 10
    assert {r.reason for r in rejections} == {"missing created_at"}
    assert rejections[0].source_id == "1578516068309794817"
