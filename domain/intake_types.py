"""What intake takes and gives: incoming rejections, cursors, results, the triage hook, and
the checks an incoming posting must pass."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from domain.base import SmcAggregate
from domain.event_mapper import PreRecorded
from domain.postings import MAX_TEXT, IncomingPosting, Posting

if TYPE_CHECKING:  # intake_prepare imports intake_service, which imports this module
    from domain.intake_premap import MappedTriage
    from domain.intake_prepare import Decisions

Saved = SmcAggregate | PreRecorded
"""What a command saves: aggregates, and events mapped ahead (``domain.intake_premap``)."""

Triaged = Saved | Sequence[Saved] | None
"""What triage adds for one posting: aggregates saved in the same transaction, or None."""


class Triager(Protocol):
    """Decides, for a posting being taken in, the aggregate that records its triage (saved in
    the same transaction as the posting), or None. ``triage_many`` does the same for a whole
    batch at once (one answer per pair, in order; ``decided``: the engine's decisions, one per
    pair, when a ``Preparer`` worked them out already, and ``mapped`` the triage events it made
    from them); intake uses it."""

    def triage(self, posting: Posting, item: IncomingPosting) -> Triaged: ...

    def triage_many(
        self,
        pairs: Sequence[tuple[Posting, IncomingPosting]],
        decided: Sequence[Decisions] | None = None,
        mapped: Sequence[MappedTriage | None] | None = None,
    ) -> list[Triaged]: ...


def as_list(decided: Triaged) -> list[Saved]:
    if isinstance(decided, (SmcAggregate, PreRecorded)):
        return [decided]
    return list(decided) if decided else []


@dataclass(frozen=True)
class IncomingRejection:
    channel: str
    reason: str
    excerpt: str
    source_id: str | None = None

    @property
    def fingerprint(self) -> str:
        raw = f"{self.source_id}\x00{self.reason}\x00{self.excerpt}".encode()
        return hashlib.sha256(raw).hexdigest()[:32]


@dataclass(frozen=True)
class Cursor:
    channel: str
    stream: str
    value: str


@dataclass
class IntakeResult:
    read: int = 0
    new: int = 0
    retweets: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    rejected: int = 0
    position: int = 0

    def add(self, other: IntakeResult) -> None:
        for name in ("read", "new", "retweets", "duplicates", "near_duplicates", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.position = max(self.position, other.position)


def validate(item: IncomingPosting) -> str | None:
    """Why an item cannot be taken in, or None."""
    if not item.source_id.strip():
        return "missing source id"
    if not item.text.strip() and not item.media_urls:
        return "empty text"
    if len(item.text) > MAX_TEXT:
        return f"text longer than {MAX_TEXT} characters"
    if item.created_at.tzinfo is None:
        return "created time has no time zone"
    if item.lat is not None and not -90 <= item.lat <= 90:
        return f"latitude {item.lat} out of range"
    if item.lon is not None and not -180 <= item.lon <= 180:
        return f"longitude {item.lon} out of range"
    return None
