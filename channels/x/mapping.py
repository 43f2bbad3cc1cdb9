"""Pure mapping from X API v2 JSON (search pages, lookups, stream messages) to postings."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from channels.x.model import BBox, NormalizedPosting, Rejection

MAX_TEXT_CHARS = 25_000
MEDIA_TYPES = frozenset({"photo", "video", "animated_gif"})
ACCOUNT_TAG_PREFIX = "account:"
"""Filtered-stream rule tags naming a monitored account look like ``account:<handle>``."""

JSON = dict[str, Any]
Result = tuple[list[NormalizedPosting], list[Rejection]]


class MappingError(ValueError):
    """A tweet object that cannot become a posting; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def author_key(author_id: str, secret: bytes) -> str:
    """Stable pseudonymous author id: HMAC-SHA256 hex, first 32 characters."""
    return hmac.new(secret, author_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def normalize_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def _dicts(value: object) -> list[JSON]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _obj(value: object) -> JSON:
    return value if isinstance(value, dict) else {}


def _by(items: object, key: str) -> dict[str, JSON]:
    return {str(i[key]): i for i in _dicts(items) if key in i}


def _required(tweet: Mapping[str, Any], key: str) -> Any:
    value = tweet.get(key)
    if value is None or value == "":
        raise MappingError(f"missing {key}")
    return value


def _created_at(raw: object) -> datetime:
    try:
        when = datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise MappingError(f"bad created_at: {raw!r}") from exc
    if when.tzinfo is None:
        raise MappingError(f"created_at without timezone: {raw!r}")
    return when


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise MappingError("text is not a string")
    if len(raw) > MAX_TEXT_CHARS:
        raise MappingError(f"text too long: {len(raw)} > {MAX_TEXT_CHARS} chars")
    return raw


def _coordinates(geo: Mapping[str, Any]) -> tuple[float | None, float | None]:
    coords = geo.get("coordinates")
    if not isinstance(coords, dict):
        return None, None
    pair = coords.get("coordinates")
    try:
        lon, lat = (float(v) for v in pair or ())
    except (TypeError, ValueError) as exc:
        raise MappingError(f"malformed coordinates: {pair!r}") from exc
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise MappingError(f"coordinates out of range: lon={lon}, lat={lat}")
    return lon, lat


def _place(geo: Mapping[str, Any], places: dict[str, JSON]) -> tuple[BBox | None, str | None]:
    place = places.get(str(geo.get("place_id")))
    if place is None:
        return None, None
    name = place.get("full_name") or place.get("name")
    raw = (place.get("geo") or {}).get("bbox")
    try:
        west, south, east, north = (float(v) for v in raw or ())
    except (TypeError, ValueError):
        return None, name
    return (west, south, east, north), name


def _entities(tweet: Mapping[str, Any], kind: str, key: str, prefix: str) -> tuple[str, ...]:
    found = _dicts((tweet.get("entities") or {}).get(kind))
    return tuple(prefix + str(e[key]) for e in found if e.get(key))


def _media_urls(tweet: Mapping[str, Any], media: dict[str, JSON]) -> tuple[str, ...]:
    urls = []
    for key in (tweet.get("attachments") or {}).get("media_keys") or []:
        item = media.get(str(key))
        if item is None:
            continue
        if item.get("type") not in MEDIA_TYPES:
            raise MappingError(f"unsupported media type: {item.get('type')!r}")
        url = item.get("url") or item.get("preview_image_url")
        if url:
            urls.append(str(url))
    return tuple(urls)


def _referenced(tweet: Mapping[str, Any]) -> dict[str, str]:
    refs: dict[str, str] = {}
    for ref in _dicts(tweet.get("referenced_tweets")):
        if ref.get("type") and ref.get("id") is not None:
            refs.setdefault(str(ref["type"]), str(ref["id"]))
    return refs


def _account(tags: Sequence[str], mentions: Sequence[str], accounts: frozenset[str]) -> str | None:
    wanted = {normalize_handle(a): a for a in accounts}
    for tag in tags:
        if tag.startswith(ACCOUNT_TAG_PREFIX):
            hit = wanted.get(normalize_handle(tag[len(ACCOUNT_TAG_PREFIX) :]))
            if hit is not None:
                return hit
    for mention in mentions:
        hit = wanted.get(normalize_handle(mention))
        if hit is not None:
            return hit
    return None


def _rule_tags(matching_rules: Sequence[object]) -> tuple[str, ...]:
    tags = (r.get("tag") for r in matching_rules if isinstance(r, dict))
    return tuple(str(t) for t in tags if t)


@dataclass(frozen=True)
class Lookups:
    """A response's ``includes`` by key (built once per response, not once per tweet)."""

    places: dict[str, JSON]
    users: dict[str, JSON]
    media: dict[str, JSON]

    @classmethod
    def of(cls, includes: Mapping[str, Any]) -> Lookups:
        return cls(
            _by(includes.get("places"), "id"),
            _by(includes.get("users"), "id"),
            _by(includes.get("media"), "media_key"),
        )


def map_tweet(
    tweet: Mapping[str, Any],
    includes: Mapping[str, Any],
    matching_rules: Sequence[object],
    *,
    author_key_secret: bytes,
    accounts: frozenset[str],
    lookups: Lookups | None = None,
) -> NormalizedPosting:
    """One API v2 tweet object (plus the response's includes, or ``lookups`` made from them)
    to a posting, or MappingError."""
    found = lookups if lookups is not None else Lookups.of(includes)
    source_id = str(_required(tweet, "id"))
    text = _text(_required(tweet, "text"))
    created_at = _created_at(_required(tweet, "created_at"))
    geo = _obj(tweet.get("geo"))
    lon, lat = _coordinates(geo)
    bbox, place_name = _place(geo, found.places)
    author_id = tweet.get("author_id")
    user = found.users.get(str(author_id)) if author_id else None
    mentions = _entities(tweet, "mentions", "username", "@")
    tags = _rule_tags(matching_rules)
    refs = _referenced(tweet)
    is_rt = "retweeted" in refs or text.startswith("RT @")
    return NormalizedPosting(
        source_id=source_id,
        account=_account(tags, mentions, accounts),
        author_key=author_key(str(author_id), author_key_secret) if author_id else None,
        author_handle=str(user["username"]) if user and user.get("username") else None,
        text=text,
        lang=tweet.get("lang"),
        created_at=created_at,
        lon=lon,
        lat=lat,
        place_bbox=bbox,
        place_name=place_name,
        hashtags=_entities(tweet, "hashtags", "tag", "#"),
        mentions=mentions,
        media_urls=_media_urls(tweet, found.media),
        reply_to=refs.get("replied_to"),
        quote_of=refs.get("quoted"),
        retweet_of=refs.get("retweeted"),
        is_retweet=is_rt,
        conversation_id=str(tweet["conversation_id"]) if tweet.get("conversation_id") else None,
        matching_rules=tags,
    )


def _excerpt(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)[:500]


def _errors_reason(errors: list[JSON]) -> str:
    parts = [f"{e.get('title', 'error')}: {e.get('detail', '')}".strip() for e in errors]
    return "API error: " + "; ".join(parts)


def parse_message(
    obj: Mapping[str, Any], line_no: int, *, author_key_secret: bytes, accounts: frozenset[str]
) -> Result:
    """A decoded response: a page (``data`` list), a lookup/stream message (``data`` object),
    or an error-only object. Partial ``errors`` beside ``data`` (about expansions) are ignored."""
    data = obj.get("data")
    items: list[object] = list(data) if isinstance(data, list) else [data]
    if data is None:
        errors = _dicts(obj.get("errors"))
        reason = _errors_reason(errors)
        return [], [Rejection(line_no, None, reason, _excerpt(obj))] if errors else []
    includes = _obj(obj.get("includes"))
    lookups = Lookups.of(includes)
    raw_rules = obj.get("matching_rules")
    rules: list[object] = list(raw_rules) if isinstance(raw_rules, list) else []
    postings: list[NormalizedPosting] = []
    rejections: list[Rejection] = []
    for item in items:
        if not isinstance(item, dict):
            rejections.append(Rejection(line_no, None, "tweet is not an object", _excerpt(item)))
            continue
        try:
            postings.append(
                map_tweet(
                    item,
                    includes,
                    rules,
                    author_key_secret=author_key_secret,
                    accounts=accounts,
                    lookups=lookups,
                )
            )
        except MappingError as exc:
            source_id = str(item["id"]) if item.get("id") is not None else None
            rejections.append(Rejection(line_no, source_id, exc.reason, _excerpt(item)))
    return postings, rejections


def parse_line(
    line: str, line_no: int, *, author_key_secret: bytes, accounts: frozenset[str] = frozenset()
) -> Result:
    """One line of newline-delimited JSON. Blank lines (keep-alives) give nothing; broken JSON
    and non-objects give one Rejection. Never raises for bad input."""
    if not line.strip():
        return [], []
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return [], [Rejection(line_no, None, f"invalid JSON: {exc}", line[:500])]
    if not isinstance(obj, dict):
        return [], [Rejection(line_no, None, "not a JSON object", line[:500])]
    obj.pop("__twarc", None)
    return parse_message(obj, line_no, author_key_secret=author_key_secret, accounts=accounts)


def iter_replay(
    path: str | Path, *, author_key_secret: bytes, accounts: frozenset[str] = frozenset()
) -> Iterator[tuple[int, list[NormalizedPosting], list[Rejection]]]:
    """Stream a saved JSONL capture line by line: (line_no, postings, rejections)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line_no, line in enumerate(handle, start=1):
            postings, rejections = parse_line(
                line, line_no, author_key_secret=author_key_secret, accounts=accounts
            )
            yield line_no, postings, rejections
