"""RSS/Atom feeds (blogs, page feeds): polled with ETag/Last-Modified, each entry taken in once.

The intake cursor ``Cursor("rss", <feed>, <json>)`` holds the feed's ETag, Last-Modified and the
ids of the entries already taken in. It is advanced in the same transaction as the last batch
of entries, so a crash before that repeats the fetch (entries are deduplicated by their posting
id = channel + entry id) and never skips one.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx

from domain.context import Cause
from domain.intake_service import Cursor, IncomingRejection, IntakeResult, IntakeService
from domain.postings import IncomingPosting

CHANNEL = "rss"
CAUSE = Cause("system:rss")
MAX_FEED = 5 * 1024 * 1024
REMEMBER = 2000
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"[ \t\r\f\v]+")


class FeedError(RuntimeError):
    """The feed could not be fetched; the message says why."""


@dataclass
class FeedState:
    etag: str | None = None
    modified: str | None = None
    seen: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, value: str | None) -> FeedState:
        if not value:
            return cls()
        data = json.loads(value)
        return cls(data.get("etag"), data.get("modified"), list(data.get("seen", [])))

    def dump(self) -> str:
        data = {"etag": self.etag, "modified": self.modified, "seen": self.seen[-REMEMBER:]}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


@dataclass
class PollResult:
    stream: str
    not_modified: bool = False
    entries: int = 0
    skipped: int = 0
    intake: IntakeResult = field(default_factory=IntakeResult)

    def summary(self) -> dict[str, Any]:
        return {
            "feed": self.stream,
            "not_modified": self.not_modified,
            "entries": self.entries,
            "already_seen": self.skipped,
            **{k: v for k, v in self.intake.__dict__.items() if k != "position"},
            "position": self.intake.position,
        }


def stream_of(source: str) -> str:
    if source.startswith(("http://", "https://")):
        return source
    return Path(source).resolve().as_uri()


def fetch(url: str, state: FeedState, timeout: float = 20.0) -> tuple[int, bytes, FeedState]:
    """GET with If-None-Match / If-Modified-Since; 304 gives an empty body."""
    headers = {"User-Agent": "SMC-intake/1.0 (+feed reader)"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.modified:
        headers["If-Modified-Since"] = state.modified
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as r:
            if r.status_code == 304:
                return 304, b"", state
            if r.status_code != 200:
                raise FeedError(f"{url} answered {r.status_code}")
            body = _read_capped(r)
            new = FeedState(r.headers.get("etag"), r.headers.get("last-modified"), state.seen)
            return 200, body, new
    except httpx.HTTPError as exc:
        raise FeedError(f"cannot fetch {url}: {exc}") from None


def _read_capped(response: httpx.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_FEED:
            raise FeedError(f"feed larger than {MAX_FEED} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def plain(text: str) -> str:
    text = html.unescape(TAG.sub(" ", text))
    lines = (SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def to_item(entry: Any, stream: str, lang: str | None, now: datetime) -> IncomingPosting:
    """One entry as a posting; raises ValueError with the reason when it cannot be one."""
    source_id = str(entry.get("id") or entry.get("link") or "").strip()
    if not source_id:
        raise ValueError("entry has neither an id nor a link")
    body = entry.get("summary") or ""
    if entry.get("content"):
        body = entry["content"][0].get("value") or body
    title, text = plain(entry.get("title") or ""), plain(body)
    media = [
        str(e.get("href") or e.get("url"))
        for e in [*entry.get("enclosures", []), *entry.get("media_content", [])]
        if (e.get("href") or e.get("url")) and str(e.get("type", "image/")).startswith("image/")
    ]
    return IncomingPosting(
        channel=CHANNEL,
        source_id=source_id[:500],
        text="\n\n".join(p for p in (title, text) if p),
        created_at=_when(entry) or now,
        account=stream,
        author_handle=entry.get("author"),
        lang=lang,
        hashtags=tuple(f"#{t['term']}" for t in entry.get("tags", []) if t.get("term")),
        media_urls=tuple(media),
    )


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            year, month, day, hour, minute, second = parsed[:6]
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return None


def read(
    body: bytes, stream: str, state: FeedState, now: datetime
) -> tuple[list[IncomingPosting], list[IncomingRejection], int]:
    """The feed's new entries (not in ``state.seen``), rejections, and how many were skipped."""
    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        reason = f"feed could not be parsed: {parsed.get('bozo_exception')}"
        return [], [IncomingRejection(CHANNEL, reason, body[:300].decode("utf-8", "replace"))], 0
    lang = parsed.feed.get("language")
    seen, items, rejected, skipped = set(state.seen), [], [], 0
    for entry in parsed.entries:
        try:
            item = to_item(entry, stream, lang, now)
        except ValueError as exc:
            excerpt = str(entry.get("title") or entry.get("summary") or "")[:300]
            rejected.append(IncomingRejection(CHANNEL, str(exc), excerpt))
            continue
        if item.source_id in seen:
            skipped += 1
            continue
        seen.add(item.source_id)
        items.append(item)
    return items, rejected, skipped


def poll(
    source: str, service: IntakeService, *, now: datetime, batch_size: int = 200
) -> PollResult:
    """Fetch once (URL or file) and take new entries in; the cursor moves with the last batch."""
    stream = stream_of(source)
    state = FeedState.load(service.cursor(CHANNEL, stream))
    result = PollResult(stream)
    if stream.startswith("file://"):
        status, body, fresh = 200, Path(source).read_bytes(), state
    else:
        status, body, fresh = fetch(source, state)
    if status == 304:
        result.not_modified = True
        return result
    items, rejected, result.skipped = read(body, stream, state, now)
    result.entries = len(items) + len(rejected) + result.skipped
    fresh.seen = [*state.seen, *(i.source_id for i in items)]
    _store(service, items, rejected, Cursor(CHANNEL, stream, fresh.dump()), result, batch_size)
    return result


def _store(
    service: IntakeService,
    items: Sequence[IncomingPosting],
    rejected: Sequence[IncomingRejection],
    cursor: Cursor,
    result: PollResult,
    batch_size: int,
) -> None:
    batches = [items[i : i + batch_size] for i in range(0, len(items), batch_size)] or [[]]
    for n, batch in enumerate(batches):
        last = n == len(batches) - 1
        done = service.ingest(
            CAUSE, list(batch), list(rejected) if last else [], cursor if last else None
        )
        result.intake.add(done)
