"""The filtered stream: a real ``tweepy.StreamingClient`` subclass and rule syncing."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import tweepy

from channels.x.convert import plain, stream_message
from channels.x.mapping import ACCOUNT_TAG_PREFIX, normalize_handle, parse_message
from channels.x.model import NormalizedPosting, Rejection
from channels.x.transport import redirect_session

log = logging.getLogger(__name__)

Sink = Callable[[NormalizedPosting | Rejection], None]
HASHTAG_TAG_PREFIX = "hashtag:"
STREAM_PARAMS: dict[str, Any] = {
    "expansions": ["author_id", "geo.place_id", "attachments.media_keys", "referenced_tweets.id"],
    "tweet_fields": [
        "author_id",
        "created_at",
        "lang",
        "geo",
        "entities",
        "attachments",
        "referenced_tweets",
        "conversation_id",
    ],
    "user_fields": ["username", "name"],
    "place_fields": ["full_name", "name", "geo"],
    "media_fields": ["type", "url", "preview_image_url"],
}


@dataclass(frozen=True)
class ReconnectPolicy:
    """Delay before reconnect number ``failures`` (1-based, reset by any received message);
    None means stop. Exponential, never zero, so a closing server cannot cause a tight loop."""

    base: float = 1.0
    factor: float = 2.0
    maximum: float = 320.0
    max_failures: float = math.inf

    def __call__(self, failures: int) -> float | None:
        if failures > self.max_failures:
            return None
        return float(min(self.maximum, self.base * self.factor ** max(failures - 1, 0)))


class StreamListener(tweepy.StreamingClient):  # type: ignore[misc]  # tweepy is untyped
    """Hands each stream message to ``sink`` as NormalizedPostings / Rejections.

    Broken JSON lines become Rejections instead of killing the stream. After a close,
    a connection error or an HTTP error, ``reconnect(failures)`` gives the delay (slept with
    the injected ``sleep``) before tweepy reconnects, or None to stop the stream. Note that
    tweepy itself also sleeps after errors (0.25 s steps for network errors, >= 5 s for HTTP
    errors)."""

    def __init__(
        self,
        bearer_token: str,
        *,
        sink: Sink,
        author_key_secret: bytes,
        accounts: frozenset[str] = frozenset(),
        base_url: str | None = None,
        reconnect: Callable[[int], float | None] = ReconnectPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(bearer_token, **kwargs)
        redirect_session(self.session, base_url)
        self._sink = sink
        self._secret = author_key_secret
        self._accounts = accounts
        self._reconnect = reconnect
        self._sleep = sleep
        self.messages = 0
        self.failures = 0
        self.reconnects = 0
        self.disconnects: list[str] = []

    def listen(self, *, threaded: bool = False) -> Any:
        """``filter()`` with the expansions and fields the mapping needs."""
        return self.filter(threaded=threaded, **STREAM_PARAMS)

    def on_data(self, raw_data: bytes | str) -> None:
        self.messages += 1
        text = raw_data.decode("utf-8", "replace") if isinstance(raw_data, bytes) else raw_data
        try:
            obj = json.loads(text)
        except ValueError as exc:
            self._sink(Rejection(self.messages, None, f"invalid JSON: {exc}", text[:500]))
            return
        if not isinstance(obj, dict):
            self._sink(Rejection(self.messages, None, "not a JSON object", text[:500]))
            return
        self.failures = 0
        for rule in obj.get("matching_rules") or []:
            if isinstance(rule, dict):
                rule.setdefault("tag", None)  # tweepy indexes rule["tag"]
                rule.setdefault("id", None)
        super().on_data(json.dumps(obj))

    def on_response(self, response: Any) -> None:
        postings, rejections = parse_message(
            stream_message(response),
            self.messages,
            author_key_secret=self._secret,
            accounts=self._accounts,
        )
        for posting in postings:
            self._sink(posting)
        for rejection in rejections:
            self._sink(rejection)

    def on_errors(self, errors: Any) -> None:
        """Error messages are turned into Rejections by ``on_response``."""

    def on_closed(self, response: Any) -> None:  # noqa: ARG002 - tweepy's signature
        self._after_disconnect("stream closed by server")

    def on_connection_error(self) -> None:
        self._after_disconnect("connection error")

    def on_request_error(self, status_code: int) -> None:
        self._after_disconnect(f"HTTP {status_code}")

    def _after_disconnect(self, why: str) -> None:
        self.failures += 1
        self.disconnects.append(why)
        delay = self._reconnect(self.failures)
        if delay is None:
            log.warning("X stream: %s; giving up after %d failures", why, self.failures)
            self.disconnect()
            return
        log.warning("X stream: %s; reconnecting in %.1f s", why, delay)
        self.reconnects += 1
        self._sleep(delay)


@dataclass(frozen=True)
class RulesDiff:
    added: tuple[tuple[str, str], ...]
    """(value, tag) pairs added."""
    deleted: tuple[str, ...]
    """Ids of rules deleted."""


def desired_rules(hashtags: Iterable[str], accounts: Iterable[str]) -> set[tuple[str, str]]:
    """(value, tag): one rule per hashtag, one per ``@handle`` mention of a monitored account,
    tagged ``account:<handle>`` so a match names the account it reached."""
    rules = set()
    for raw in hashtags:
        tag = "#" + raw.strip().lstrip("#")
        rules.add((tag, HASHTAG_TAG_PREFIX + tag))
    for raw in accounts:
        handle = raw.strip().lstrip("@")
        rules.add((f"@{handle}", ACCOUNT_TAG_PREFIX + normalize_handle(handle)))
    return rules


def _current_rules(listener: Any) -> list[dict[str, Any]]:
    response = listener.get_rules()
    data = response.get("data") if isinstance(response, dict) else response.data
    return [r for r in plain(data or []) if isinstance(r, dict)]


def _key(rule: dict[str, Any]) -> tuple[str, str]:
    return str(rule.get("value")), str(rule.get("tag"))


def sync_rules(listener: Any, hashtags: Iterable[str], accounts: Iterable[str]) -> RulesDiff:
    """Make the stream's rules equal to ``desired_rules``, adding and deleting only the
    difference (rules already in place keep their ids)."""
    wanted = desired_rules(hashtags, accounts)
    current = _current_rules(listener)
    have = {(str(r.get("value")), str(r.get("tag"))) for r in current}
    stale = [
        str(r["id"]) for r in current if (str(r.get("value")), str(r.get("tag"))) not in wanted
    ]
    missing = sorted(wanted - have)
    if stale:
        listener.delete_rules(stale)
    if missing:
        listener.add_rules([tweepy.StreamRule(value=v, tag=t) for v, t in missing])
    return RulesDiff(added=tuple(missing), deleted=tuple(stale))
