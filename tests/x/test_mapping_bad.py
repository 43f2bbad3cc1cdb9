"""Bad inputs become Rejections with reasons; the rest of a page is kept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from channels.x import MappingError, map_tweet, parse_line
from tests.x.helpers import SECRET


def tweet(i: int = 1, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": str(i),
        "text": f"강남역 침수 {i}",
        "created_at": "2024-07-10T01:02:03.000Z",
    }
    return {**base, **extra}


def parse(obj: object) -> tuple[list[Any], list[Any]]:
    return parse_line(
        json.dumps(obj), 3, author_key_secret=SECRET, accounts=frozenset({"Seoul_City"})
    )


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"text": "x", "created_at": "2024-07-10T01:02:03Z"}, "missing id"),
        ({"id": "9", "created_at": "2024-07-10T01:02:03Z"}, "missing text"),
        ({"id": "9", "text": "x"}, "missing created_at"),
        (tweet(9, created_at="yesterday"), "bad created_at"),
        (tweet(9, created_at="2024-07-10T01:02:03"), "created_at without timezone"),
        (tweet(9, text="가" * 25_001), "text too long"),
        (
            tweet(9, geo={"coordinates": {"type": "Point", "coordinates": [127.0, 200.0]}}),
            "coordinates out of range",
        ),
        (
            tweet(9, geo={"coordinates": {"type": "Point", "coordinates": [127.0]}}),
            "malformed coordinates",
        ),
    ],
)
def test_bad_item_is_rejected_and_page_is_kept(item: dict[str, Any], reason: str) -> None:
    postings, rejections = parse({"data": [tweet(1), item, tweet(2)], "meta": {}})
    assert [p.source_id for p in postings] == ["1", "2"]
    (rejection,) = rejections
    assert rejection.reason.startswith(reason) and rejection.line_no == 3
    assert rejection.source_id == item.get("id") and len(rejection.raw_excerpt) <= 500


def test_text_at_the_limit_is_kept() -> None:
    postings, rejections = parse({"data": tweet(1, text="가" * 25_000)})
    assert len(postings) == 1 and rejections == []


def test_unknown_media_type() -> None:
    item = tweet(4, attachments={"media_keys": ["3_1", "9_2"]})
    includes = {
        "media": [
            {"media_key": "3_1", "type": "photo", "url": "https://p/1.jpg"},
            {"media_key": "9_2", "type": "hologram"},
        ]
    }
    _, (rejection,) = parse({"data": item, "includes": includes})
    assert rejection.reason == "unsupported media type: 'hologram'" and rejection.source_id == "4"
    with pytest.raises(MappingError, match="hologram"):
        map_tweet(item, includes, [], author_key_secret=SECRET, accounts=frozenset())


def test_allowed_media_types_map_to_urls() -> None:
    item = tweet(4, attachments={"media_keys": ["3_1", "7_2"]})
    media = [
        {"media_key": "3_1", "type": "photo", "url": "https://p/1.jpg"},
        {"media_key": "7_2", "type": "video", "preview_image_url": "https://p/2.jpg"},
    ]
    (posting,), _ = parse({"data": item, "includes": {"media": media}})
    assert posting.media_urls == ("https://p/1.jpg", "https://p/2.jpg")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"data": {"id": "1"', "invalid JSON"),
        ("[1, 2]", "not a JSON object"),
        ("\x00garbage", "invalid JSON"),
    ],
)
def test_broken_lines_never_raise(line: str, reason: str) -> None:
    postings, (rejection,) = parse_line(line, 7, author_key_secret=SECRET)
    assert postings == [] and rejection.reason.startswith(reason) and rejection.line_no == 7


def test_blank_line_is_a_keep_alive() -> None:
    assert parse_line("\r\n", 1, author_key_secret=SECRET) == ([], [])


def test_error_only_object_is_one_rejection() -> None:
    errors = [{"title": "operational-disconnect", "detail": "This stream has been disconnected"}]
    postings, (rejection,) = parse({"errors": errors})
    assert postings == [] and "operational-disconnect" in rejection.reason


def test_non_object_item_in_page() -> None:
    postings, (rejection,) = parse({"data": [tweet(1), "oops"]})
    assert len(postings) == 1 and rejection.reason == "tweet is not an object"


def test_account_from_rule_tag_wins_over_mentions() -> None:
    item = tweet(1, entities={"mentions": [{"username": "someone"}]})
    rules = [{"id": "1", "tag": "hashtag:#flood"}, {"id": "2", "tag": "account:seoul_city"}]
    (posting,), _ = parse({"data": item, "matching_rules": rules})
    assert posting.account == "Seoul_City"
    assert posting.matching_rules == ("hashtag:#flood", "account:seoul_city")
    (plain,), _ = parse({"data": tweet(2)})
    assert plain.account is None and plain.author_key is None
