"""Publishers for warning fan-out: X posts (threaded, weighted length) and signed webhooks.

X counts text the way ``twitter-text`` v3 does: code points in a few ranges (Latin, general
punctuation, ...) weigh 1, everything else (Hangul, CJK, emoji) weighs 2, any URL weighs 23,
and a post holds 280. A Korean post therefore holds about 140 syllables.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import tweepy

MAX_WEIGHT = 280
URL_WEIGHT = 23
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
URL_RE = re.compile(r"https?://\S+")
MARKERS = {
    "Exercise": {"ko": "[훈련]", "en": "[EXERCISE]"},
    "Test": {"ko": "[시험]", "en": "[TEST]"},
}


class PublishError(Exception):
    """A delivery attempt failed. ``permanent`` ones are not retried; ``retry_after`` is
    the seconds the remote asked us to wait (rate limits)."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


def char_weight(ch: str) -> int:
    code = ord(ch)
    return 1 if any(lo <= code <= hi for lo, hi in LIGHT_RANGES) else 2


def weighted_length(text: str) -> int:
    """X's weighted length: URLs 23, light code points 1, others (Hangul, CJK, emoji) 2."""
    total, last = 0, 0
    for match in URL_RE.finditer(text):
        total += sum(char_weight(c) for c in text[last : match.start()]) + URL_WEIGHT
        last = match.end()
    return total + sum(char_weight(c) for c in text[last:])


def _cut(text: str, budget: int) -> tuple[str, str]:
    """The longest head of ``text`` within ``budget``, broken at a space or newline if any."""
    used, end = 0, 0
    for i, ch in enumerate(text):
        used += char_weight(ch)
        if used > budget:
            break
        end = i + 1
    if end >= len(text):
        return text, ""
    brk = max(text.rfind(" ", 0, end), text.rfind("\n", 0, end))
    if brk > end // 2:
        end = brk
    return text[:end].rstrip(), text[end:].lstrip()


def split_thread(text: str, limit: int = MAX_WEIGHT) -> list[str]:
    """Split into posts of at most ``limit`` weight; several get a " (i/n)" counter."""
    if weighted_length(text) <= limit:
        return [text]
    links = URL_RE.findall(text)
    body = URL_RE.sub("", text).strip()
    suffix = 8  # " (10/12)"
    parts: list[str] = []
    rest = body
    while rest:
        head, rest = _cut(rest, limit - suffix)
        parts.append(head)
    if links and weighted_length(parts[-1]) + URL_WEIGHT + 1 + suffix <= limit:
        parts[-1] = f"{parts[-1]} {' '.join(links)}"
    elif links:
        parts.append(" ".join(links))
    n = len(parts)
    return [f"{p} ({i}/{n})" for i, p in enumerate(parts, start=1)]


def compose_post(payload: dict[str, Any], lang: str = "ko") -> str:
    """The post text for one CAP message: drill marker, headline, instructions, CAP link."""
    marker = MARKERS.get(str(payload.get("status")), {}).get(lang)
    lines = [payload["headline"][lang], "", payload["instruction"][lang], "", payload["link"]]
    if marker:
        lines[0] = f"{marker} {lines[0]}"
    return "\n".join(line.strip() for line in lines).strip()


def post_parts(payload: dict[str, Any], lang: str = "ko") -> list[str]:
    return split_thread(compose_post(payload, lang))


@dataclass(frozen=True)
class XPublisher:
    """Posts one part of a thread through a ``tweepy.Client`` acting as one account."""

    client: Any
    user_auth: bool

    def post(self, text: str, reply_to: str | None) -> str:
        try:
            response = self.client.create_tweet(
                text=text, in_reply_to_tweet_id=reply_to, user_auth=self.user_auth
            )
        except tweepy.TooManyRequests as exc:
            raise PublishError("rate limited by X", retry_after=_reset_in(exc)) from exc
        except tweepy.TwitterServerError as exc:
            raise PublishError(f"X server error: {exc}") from exc
        except tweepy.HTTPException as exc:
            raise PublishError(f"X refused the post: {exc}", permanent=True) from exc
        except Exception as exc:  # network errors: retried
            raise PublishError(f"cannot reach X: {type(exc).__name__}: {exc}") from exc
        return str(response.data["id"])


def _reset_in(exc: Any, now: Callable[[], float] | None = None) -> float | None:
    import time

    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    reset = headers.get("x-rate-limit-reset")
    try:
        return max(float(str(reset)) - (now or time.time)(), 1.0) if reset else None
    except ValueError:
        return None


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class WebhookPublisher:
    """POSTs the CAP message summary as JSON, signed with HMAC-SHA256 over the raw body.

    Headers: ``X-SMC-Signature: sha256=<hex>``, ``X-SMC-Delivery: <delivery id>`` — receivers
    must treat the delivery id as an idempotency key (webhooks are delivered at least once).
    """

    url: str
    secret: str
    timeout: float = 5.0

    def post(self, delivery_id: str, payload: dict[str, Any]) -> str:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-SMC-Signature": sign(self.secret, body),
            "X-SMC-Delivery": delivery_id,
        }
        try:
            r = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise PublishError(f"webhook unreachable: {type(exc).__name__}") from exc
        if r.status_code == 429 or r.status_code >= 500:
            raise PublishError(f"webhook answered {r.status_code}")
        if r.status_code >= 400:
            raise PublishError(f"webhook refused: {r.status_code}", permanent=True)
        return delivery_id
