"""Postings taken in from every channel, their echoes (retweets), rejections and checkpoints."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate

MAX_TEXT = 25_000


@dataclass(frozen=True, kw_only=True)
class IncomingPosting:
    """One citizen posting as any channel delivers it, reduced to primitives."""

    channel: str
    source_id: str
    text: str
    created_at: datetime
    account: str | None = None
    author_key: str | None = None
    author_handle: str | None = None
    lang: str | None = None
    lon: float | None = None
    lat: float | None = None
    place_bbox: tuple[float, float, float, float] | None = None
    place_name: str | None = None
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    media_urls: tuple[str, ...] = ()
    reply_to: str | None = None
    quote_of: str | None = None
    retweet_of: str | None = None
    is_retweet: bool = False
    conversation_id: str | None = None
    contact: dict[str, str] = field(default_factory=dict)  # private: never disclosed
    service_code: str | None = None
    address: str | None = None

    @property
    def posting_id(self) -> UUID:
        return ids.posting_id(self.channel, self.source_id)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its field values, in order (the replay's pipe carries thousands a
        second): a third faster to unpickle than the default attribute dict."""
        return (_incoming, _FIELD_VALUES(self))


_FIELD_NAMES = tuple(f.name for f in fields(IncomingPosting))
_FIELD_VALUES = attrgetter(*_FIELD_NAMES)


def _incoming(*values: Any) -> IncomingPosting:
    made = object.__new__(IncomingPosting)
    made.__dict__.update(zip(_FIELD_NAMES, values, strict=True))
    return made


class Posting(SmcAggregate):
    """A citizen's posting. Its id is derived from channel + source id, so re-delivery of the
    same item is the same aggregate and is never stored twice."""

    @staticmethod
    def create_id(channel: str, source_id: str) -> UUID:
        return ids.posting_id(channel, source_id)

    @event("Received")
    def __init__(
        self,
        channel: str,
        source_id: str,
        text: str,
        created_at: datetime,
        details: dict[str, Any],
        contact: dict[str, str],
        case_id: str | None,
        similarity: float | None,
    ) -> None:
        self.channel = channel
        self.source_id = source_id
        self.text = text
        self.created_at = created_at
        self.details = details
        self.contact = contact
        self.case_id = case_id
        self.similarity = similarity

    @classmethod
    def receive(
        cls, item: IncomingPosting, case_id: str | None = None, similarity: float | None = None
    ) -> Posting:
        details: dict[str, Any] = {
            "account": item.account,
            "author_key": item.author_key,
            "author_handle": item.author_handle,
            "lang": item.lang,
            "lon": item.lon,
            "lat": item.lat,
            "place_bbox": list(item.place_bbox) if item.place_bbox else None,
            "place_name": item.place_name,
            "hashtags": list(item.hashtags),
            "mentions": list(item.mentions),
            "media_urls": list(item.media_urls),
            "reply_to": item.reply_to,
            "quote_of": item.quote_of,
            "conversation_id": item.conversation_id,
            "service_code": item.service_code,
            "address": item.address,
        }
        return cls(
            channel=item.channel,
            source_id=item.source_id,
            text=item.text,
            created_at=item.created_at,
            details=details,
            contact=dict(item.contact),
            case_id=case_id,
            similarity=similarity,
        )


class Echo(SmcAggregate):
    """A retweet or share: not a new posting, but counted against the original."""

    @staticmethod
    def create_id(channel: str, source_id: str) -> UUID:
        return ids.natural_id("echo", channel.lower(), source_id)

    @event("Recorded")
    def __init__(
        self, channel: str, source_id: str, original_source_id: str | None, author_key: str | None
    ) -> None:
        self.channel = channel
        self.source_id = source_id
        self.original_source_id = original_source_id
        self.author_key = author_key


class IntakeRejection(SmcAggregate):
    """An item that could not be taken in, kept where an administrator can see why."""

    @staticmethod
    def create_id(channel: str, fingerprint: str) -> UUID:
        return ids.natural_id("rejection", channel.lower(), fingerprint)

    @event("Recorded")
    def __init__(
        self, channel: str, fingerprint: str, source_id: str | None, reason: str, excerpt: str
    ) -> None:
        self.channel = channel
        self.fingerprint = fingerprint
        self.source_id = source_id
        self.reason = reason
        self.excerpt = excerpt


class IntakeCursor(SmcAggregate):
    """Where a channel's reader is (a since_id, a feed ETag): advanced in the same transaction
    as the items before it, so it never runs ahead of what was stored."""

    @staticmethod
    def create_id(channel: str, stream: str) -> UUID:
        return ids.natural_id("cursor", channel.lower(), stream)

    @event("Opened")
    def __init__(self, channel: str, stream: str) -> None:
        self.channel = channel
        self.stream = stream
        self.value: str | None = None

    def advance(self, value: str) -> None:
        if value != self.value:
            self._advanced(value=value)

    @event("Advanced")
    def _advanced(self, value: str) -> None:
        self.value = value


class WatchList(SmcAggregate):
    """Hashtags the city watches: standing ones, and per-incident or drill ones added later."""

    @staticmethod
    def create_id(name: str) -> UUID:
        return ids.natural_id("watchlist", name)

    @event("Opened")
    def __init__(self, name: str) -> None:
        self.name = name
        self.hashtags: dict[str, str] = {}

    def add(self, hashtag: str, purpose: str) -> None:
        if self.hashtags.get(hashtag) != purpose:
            self._hashtag_added(hashtag=hashtag, purpose=purpose)

    @event("HashtagAdded")
    def _hashtag_added(self, hashtag: str, purpose: str) -> None:
        self.hashtags[hashtag] = purpose

    def remove(self, hashtag: str) -> None:
        if hashtag in self.hashtags:
            self._hashtag_removed(hashtag=hashtag)

    @event("HashtagRemoved")
    def _hashtag_removed(self, hashtag: str) -> None:
        self.hashtags.pop(hashtag, None)
