"""Thin wrappers around the real ``tweepy.Client``: construction and recent-search backfill."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
import tweepy

from channels.x.convert import JSON, plain_response
from channels.x.mapping import parse_message
from channels.x.model import NormalizedPosting, Rejection
from channels.x.stream import ReconnectPolicy, StreamListener, sync_rules
from channels.x.transport import redirect_session

__all__ = [
    "Backoff",
    "ReconnectPolicy",
    "StreamListener",
    "backfill",
    "make_client",
    "sync_rules",
]

EXPANSIONS = ["author_id", "geo.place_id", "attachments.media_keys", "referenced_tweets.id"]
TWEET_FIELDS = [
    "author_id",
    "created_at",
    "lang",
    "geo",
    "entities",
    "attachments",
    "referenced_tweets",
    "conversation_id",
    "in_reply_to_user_id",
]
USER_FIELDS = ["username", "name"]
PLACE_FIELDS = ["full_name", "name", "geo", "country_code", "place_type"]
MEDIA_FIELDS = ["type", "url", "preview_image_url"]

Page = tuple[list[NormalizedPosting], list[Rejection], str | None]
RETRYABLE = (tweepy.TwitterServerError, requests.ConnectionError, requests.Timeout)


def make_client(
    bearer_token: str | None,
    *,
    base_url: str | None = None,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    access_token: str | None = None,
    access_token_secret: str | None = None,
) -> tweepy.Client:
    """A real ``tweepy.Client``; with ``base_url`` every request goes there instead of X."""
    client = tweepy.Client(
        bearer_token,
        consumer_key=consumer_key,
        consumer_secret=consumer_secret,
        access_token=access_token,
        access_token_secret=access_token_secret,
        wait_on_rate_limit=False,
    )
    redirect_session(client.session, base_url)
    return client


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff for reconnecting after server and network errors."""

    base: float = 1.0
    factor: float = 2.0
    maximum: float = 320.0
    max_attempts: int = 6

    def delay(self, attempt: int) -> float:
        return float(min(self.maximum, self.base * self.factor**attempt))


def rate_limit_delay(exc: Any, clock: Callable[[], float], fallback: float) -> float:
    """Seconds until ``x-rate-limit-reset`` (a Unix time) from a ``tweepy.TooManyRequests``."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    reset = headers.get("x-rate-limit-reset")
    if reset is None:
        return fallback
    try:
        return max(float(str(reset)) - clock(), 1.0)
    except ValueError:
        return fallback


def _fetch(
    client: Any,
    params: dict[str, Any],
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    backoff: Backoff,
) -> JSON:
    for attempt in itertools.count():
        try:
            return plain_response(client.search_recent_tweets(**params))
        except tweepy.TooManyRequests as exc:
            if attempt + 1 >= backoff.max_attempts:
                raise
            sleep(rate_limit_delay(exc, clock, backoff.delay(attempt)))
        except RETRYABLE:
            if attempt + 1 >= backoff.max_attempts:
                raise
            sleep(backoff.delay(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def _newer(current: str | None, candidate: object) -> str | None:
    if candidate is None:
        return current
    if current is None or int(str(candidate)) > int(current):
        return str(candidate)
    return current


def _search_params(query: str, since_id: str | None, max_results: int) -> dict[str, Any]:
    params: dict[str, Any] = {
        "query": query,
        "max_results": max_results,
        "expansions": EXPANSIONS,
        "tweet_fields": TWEET_FIELDS,
        "user_fields": USER_FIELDS,
        "place_fields": PLACE_FIELDS,
        "media_fields": MEDIA_FIELDS,
    }
    if since_id is not None:
        params["since_id"] = since_id
    return params


def backfill(
    client: Any,
    query: str,
    since_id: str | None,
    *,
    author_key_secret: bytes,
    accounts: frozenset[str] = frozenset(),
    max_results: int = 100,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    backoff: Backoff = Backoff(),
) -> Iterator[Page]:
    """Recent search newer than ``since_id``, page by page (``next_token``).

    Yields ``(postings, rejections, newest_id)`` where ``newest_id`` is the newest id seen so
    far (the value to store as the next ``since_id``). A 429 sleeps until
    ``x-rate-limit-reset``; server and network errors back off exponentially; both give up
    after ``backoff.max_attempts`` tries by re-raising. Rejections carry the page number as
    ``line_no``."""
    params = _search_params(query, since_id, max_results)
    newest = since_id
    for page_no in itertools.count(1):
        page = _fetch(client, params, sleep, clock, backoff)
        postings, rejections = parse_message(
            page, page_no, author_key_secret=author_key_secret, accounts=accounts
        )
        meta = page.get("meta") or {}
        newest = _newer(newest, meta.get("newest_id"))
        yield postings, rejections, newest
        if not meta.get("next_token"):
            return
        params["next_token"] = meta["next_token"]
