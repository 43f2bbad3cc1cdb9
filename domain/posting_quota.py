"""An account's posting window, shared by every dispatcher process through the event store.

One :class:`PostingQuota` per rate-limited target (natural id). Every post to the target takes
a slot (``SlotTaken``) **in the same save** as the delivery's ``Attempting`` claim, and the
slot is only taken when the window still has room. Two dispatchers that claim posts to the
same account at the same moment both write the next version of this aggregate: the store's
optimistic concurrency lets one through and refuses the other, which reloads and checks again.
So the limit holds across processes: never more than ``posts`` slots in any ``window``.

A slot is taken before the call to the outside, so an attempt that fails or is interrupted
counts too (it may have gone out; the window errs on the safe side).

Loading an aggregate replays its stream, so a quota does not grow for ever: after ``ROLL``
slots the next slot closes it and opens the next *generation* (carrying the last day's slots)
in the same save. Closing writes the old stream's next version, so a concurrent slot taken on
the old generation conflicts and is checked again on the new one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.errors import DomainError, TransitionNotAllowedError
from domain.store import SmcStore

KEEP = timedelta(days=1)
"""Slots older than this are forgotten (windows are at most a day long)."""
ROLL = 500
"""Slots per generation of a quota before it moves on to the next one."""


class QuotaFullError(DomainError):
    """The account's window has no room now; ``until`` is when the next slot frees."""

    title = "Posting limit reached"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"the account's posting limit is reached until {until.isoformat()}")
        self.until = until


def utc_iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


class PostingQuota(SmcAggregate):
    """The recent posts (slots) of one target, as UTC ISO times; one generation of them."""

    @staticmethod
    def create_id(target: str, generation: int) -> UUID:
        return ids.natural_id("posting-quota", target, str(generation))

    @event("Opened")
    def __init__(self, target: str, generation: int, earlier: list[str]) -> None:
        """``earlier``: the posts of the last day before this generation (for the first one,
        those the outbox view recorded before quotas existed)."""
        self.target = target
        self.generation = generation
        self.slots = sorted(earlier)
        self.taken = 0
        self.closed = False

    def times(self) -> list[datetime]:
        return sorted(datetime.fromisoformat(s) for s in self.slots)

    def free_at(self, posts: int, window: timedelta, now: datetime) -> datetime:
        """When the next post fits in the window (``now`` if it fits now)."""
        recent = [t for t in self.times() if t > now - window]
        if len(recent) < posts:
            return now
        return max(now, recent[len(recent) - posts] + window)

    def take(
        self, at: datetime, delivery: str, part: int, posts: int, window: timedelta
    ) -> PostingQuota:
        """Take a slot for one post at ``at`` (:class:`QuotaFullError` when there is none);
        returns the quota that recorded it: this one, or its next generation."""
        if self.closed:
            raise TransitionNotAllowedError("this posting quota was closed: load the next one")
        until = self.free_at(posts, window, at)
        if until > at:
            raise QuotaFullError(until)
        holder = self
        if self.taken >= ROLL:
            self._closed()
            cutoff = at - KEEP
            recent = [utc_iso(t) for t in self.times() if t > cutoff]
            holder = PostingQuota(self.target, self.generation + 1, recent)
        holder._slot_taken(at=utc_iso(at), delivery=delivery, part=part)
        return holder

    @event("SlotTaken")
    def _slot_taken(self, at: str, delivery: str, part: int) -> None:
        del delivery, part  # recorded for the audit trail
        self.taken += 1
        self.slots.append(at)
        if len(self.slots) > 1 and self.taken % 64 == 0:  # forget old slots now and then
            cutoff = utc_iso(datetime.fromisoformat(at) - KEEP)
            self.slots = [s for s in self.slots if s > cutoff]

    @event("Closed")
    def _closed(self) -> None:
        self.closed = True


class Quotas:
    """Finds a target's newest quota generation in the store, remembering the last one seen."""

    def __init__(self, store: SmcStore) -> None:
        self.store = store
        self._generations: dict[str, int] = {}

    def newest(self, target: str) -> PostingQuota | None:
        """The target's shared posting window, its newest generation (None: nothing posted
        through it yet)."""
        generation = self._generations.get(target)
        if generation is None:  # first time in this process: search
            generation = self._generation(target)
        while generation is not None:
            q = self.store.load(PostingQuota.create_id(target, generation), PostingQuota, "quota")
            if not q.closed:
                self._generations[target] = generation
                return q
            generation += 1  # it rolled over since we looked
        return None

    def _generation(self, target: str) -> int | None:
        """The newest generation that exists (generations are contiguous, each opened in the
        save that closed the one before): gallop, then bisect, asking only whether a stream
        has an event."""
        low = 0
        if not self._exists(target, low):
            return None
        step = 1
        while self._exists(target, low + step):
            low, step = low + step, step * 2
        high = low + step
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if self._exists(target, mid) else (low, mid)
        return low

    def _exists(self, target: str, generation: int) -> bool:
        qid = PostingQuota.create_id(target, generation)
        return bool(self.store.recorder.select_events(qid, limit=1))
