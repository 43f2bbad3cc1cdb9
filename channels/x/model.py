"""Plain values produced at the X (Twitter) API v2 edge: no tweepy objects cross this line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

BBox = tuple[float, float, float, float]
"""(west, south, east, north) in degrees, as in ``includes.places[].geo.bbox``."""


@dataclass(frozen=True, kw_only=True)
class NormalizedPosting:
    """One citizen posting as the rest of SMC sees it, built from an X API v2 tweet object."""

    channel: str = "x"
    source_id: str
    account: str | None
    """The monitored city account it reached (from a rule tag or a mention), else None."""
    author_key: str | None
    """HMAC-SHA256 of the author id (hex, 32 chars); None when the API sent no author_id."""
    author_handle: str | None
    text: str
    lang: str | None
    created_at: datetime
    lon: float | None = None
    lat: float | None = None
    place_bbox: BBox | None = None
    place_name: str | None = None
    hashtags: tuple[str, ...] = ()
    """With a leading '#', original case."""
    mentions: tuple[str, ...] = ()
    """With a leading '@', original case."""
    media_urls: tuple[str, ...] = ()
    reply_to: str | None = None
    quote_of: str | None = None
    retweet_of: str | None = None
    """Source id of the original, when it is known."""
    is_retweet: bool = False
    """True for a retweet even when the original's id is unknown (bare ``RT @`` text)."""
    conversation_id: str | None = None
    matching_rules: tuple[str, ...] = ()
    """Tags of the filtered-stream rules that matched (rules without a tag are left out)."""


@dataclass(frozen=True)
class Rejection:
    """An input line or item that could not become a posting, and why."""

    line_no: int
    source_id: str | None
    reason: str
    raw_excerpt: str

    def __post_init__(self) -> None:
        if len(self.raw_excerpt) > 500:
            object.__setattr__(self, "raw_excerpt", self.raw_excerpt[:500])
