"""Application service for intake: store postings once, echoes as echoes, rejections visibly,
and advance a channel's cursor in the same transaction as the items before it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from domain.collector import collector_paused
from domain.context import Cause
from domain.errors import InvalidInputError, NotFoundError
from domain.intake_types import (
    Cursor,
    IncomingRejection,
    IntakeResult,
    Saved,
    Triaged,
    Triager,
    as_list,
    validate,
)
from domain.neardup import NearDuplicateIndex
from domain.postings import (
    Echo,
    IncomingPosting,
    IntakeCursor,
    IntakeRejection,
    Posting,
    WatchList,
)
from domain.store import Commands, Recorded

if TYPE_CHECKING:  # intake_prepare imports this module
    from domain.intake_premap import MappedTriage
    from domain.intake_prepare import Decisions, Prepared

__all__ = [  # what other modules import from here (defined in domain.intake_types)
    "Cursor",
    "IncomingRejection",
    "IntakeResult",
    "IntakeService",
    "Saved",
    "Triaged",
    "Triager",
    "as_list",
    "normalise_hashtag",
    "validate",
]
STANDING = "standing"


class IntakeService:
    def __init__(
        self,
        commands: Commands,
        index: NearDuplicateIndex | None = None,
        triager: Triager | None = None,
    ) -> None:
        self.commands = commands
        self.triager = triager
        self.store = commands.store
        self.index = index if index is not None else NearDuplicateIndex()
        self._seen: OrderedDict[UUID, None] = OrderedDict()
        self._lock = threading.Lock()

    def warm(self, rows: Iterable[tuple[str, str, str | None]]) -> None:
        """Seed the near-duplicate index with recent postings (id, text, case id)."""
        for posting_id, text, case_id in rows:
            self.index.add(posting_id, text, case_id)

    def ingest(
        self,
        cause: Cause,
        postings: Sequence[IncomingPosting],
        rejections: Sequence[IncomingRejection] = (),
        cursor: Cursor | None = None,
        prepared: Sequence[Prepared] | None = None,
    ) -> IntakeResult:
        """Store a batch in one transaction (group commit). ``prepared``: what a ``Preparer``
        worked out for each posting (fingerprint, triage decisions), in the same order."""
        if prepared is not None and len(prepared) != len(postings):
            raise InvalidInputError("one prepared entry per posting is needed")
        with self._lock:
            return self._run(cause, postings, rejections, cursor, prepared)

    def _run(
        self,
        cause: Cause,
        postings: Sequence[IncomingPosting],
        rejections: Sequence[IncomingRejection],
        cursor: Cursor | None,
        prepared: Sequence[Prepared] | None,
    ) -> IntakeResult:
        """``ingest`` with the lock held: one command, retried carefully on a conflict."""
        attempt = {"careful": False}

        def command() -> IntakeResult:
            careful = attempt["careful"]
            attempt["careful"] = True  # a retry means something already exists
            with collector_paused(len(postings)), self.index.tentative():
                result, pending = self._plan(postings, rejections, cursor, prepared, careful)
                result.position = self.commands.save(*pending) if pending else self.store.head()
            for aggregate in pending:
                self._remember(aggregate.id)
            return result

        return self.commands.run(cause, command)

    def _plan(
        self,
        postings: Sequence[IncomingPosting],
        rejections: Sequence[IncomingRejection],
        cursor: Cursor | None,
        prepared: Sequence[Prepared] | None,
        careful: bool,
    ) -> tuple[IntakeResult, list[Saved]]:
        """What a batch adds (not saved yet), and its counts."""
        result = IntakeResult(read=len(postings) + len(rejections))
        pending: list[Saved] = []
        fresh: list[tuple[Posting, IncomingPosting]] = []
        decided: list[Decisions] | None = [] if prepared is not None else None
        mapped: list[MappedTriage | None] = []  # with ``decided``: triage events made ahead
        batch_ids: set[UUID] = set()
        for i, item in enumerate(postings):
            reason = validate(item)
            if reason is not None:
                rejections = [
                    *rejections,
                    IncomingRejection(item.channel, reason, item.text[:500], item.source_id),
                ]
                result.read -= 1
                continue
            if item.is_retweet:
                result.retweets += 1
                echo_id = Echo.create_id(item.channel, item.source_id)
                if self._known(echo_id, batch_ids, careful):
                    continue
                batch_ids.add(echo_id)
                pending.append(Echo(item.channel, item.source_id, item.retweet_of, item.author_key))
                continue
            pid = item.posting_id
            if self._known(pid, batch_ids, careful):
                result.duplicates += 1
                continue
            batch_ids.add(pid)
            ready = prepared[i] if prepared is not None else None
            fp = ready.fingerprint if ready is not None else self.index.fingerprint(item.text)
            match = self.index.match(fp) if fp is not None else None
            if match is not None:
                result.near_duplicates += 1
            posting = Posting.receive(
                item, match.case_id if match else None, match.similarity if match else None
            )
            if fp is not None:  # at once, so later items of this batch find it too
                self.index.remember(str(pid), fp, match.case_id if match else None)
            pending.append(posting)
            fresh.append((posting, item))
            if decided is not None:  # all of the batch's decisions, or none (decided here)
                if ready is None or ready.decisions is None:
                    decided = None
                else:
                    decided.append(ready.decisions)
                    mapped.append(ready.triage)
        pending = self._triaged(pending, fresh, decided, mapped if decided else None)
        for rejection in rejections:
            rid = IntakeRejection.create_id(rejection.channel, rejection.fingerprint)
            result.rejected += 1
            if self._known(rid, batch_ids, careful):
                continue
            batch_ids.add(rid)
            pending.append(
                IntakeRejection(
                    rejection.channel,
                    rejection.fingerprint,
                    rejection.source_id,
                    rejection.reason,
                    rejection.excerpt[:500],
                )
            )
        if cursor is not None:
            pending.append(self._advanced_cursor(cursor))
        result.new = len(fresh)
        return result, pending

    def _triaged(
        self,
        pending: list[Saved],
        fresh: list[tuple[Posting, IncomingPosting]],
        decisions: list[Decisions] | None,
        mapped: list[MappedTriage | None] | None,
    ) -> list[Saved]:
        """``pending`` with what triage adds for each new posting right after it (decided
        for the whole batch at once; the order is the same as one decision per item)."""
        if self.triager is None or not fresh:
            return pending
        decided = self.triager.triage_many(fresh, decisions, mapped)
        added = {id(p): as_list(a) for (p, _item), a in zip(fresh, decided, strict=True)}
        out: list[Saved] = []
        for aggregate in pending:
            out.append(aggregate)
            out.extend(added.get(id(aggregate), ()))
        return out

    def _known(self, aggregate_id: UUID, batch: set[UUID], careful: bool) -> bool:
        if aggregate_id in batch or aggregate_id in self._seen:
            return True
        return careful and self.store.exists(aggregate_id)

    def _remember(self, aggregate_id: UUID) -> None:
        self._seen[aggregate_id] = None
        while len(self._seen) > 500_000:
            self._seen.popitem(last=False)

    def _advanced_cursor(self, cursor: Cursor) -> IntakeCursor:
        cid = IntakeCursor.create_id(cursor.channel, cursor.stream)
        try:
            current = self.store.load(cid, IntakeCursor, "cursor")
        except NotFoundError:
            current = IntakeCursor(cursor.channel, cursor.stream)
        current.advance(cursor.value)
        return current

    def cursor(self, channel: str, stream: str) -> str | None:
        try:
            found = self.store.load(IntakeCursor.create_id(channel, stream), IntakeCursor, "cursor")
        except NotFoundError:
            return None
        return found.value

    # -- watched hashtags ------------------------------------------------------------------
    def watch(self, cause: Cause, hashtag: str, purpose: str = STANDING) -> Recorded:
        tag = normalise_hashtag(hashtag)

        def command() -> Recorded:
            watchlist = self._watchlist()
            watchlist.add(tag, purpose)
            return Recorded(watchlist.id, self.commands.save(watchlist))

        return self.commands.run(cause, command)

    def unwatch(self, cause: Cause, hashtag: str) -> Recorded:
        tag = normalise_hashtag(hashtag)

        def command() -> Recorded:
            watchlist = self._watchlist()
            if tag not in watchlist.hashtags:
                raise NotFoundError(f"{tag} is not watched")
            watchlist.remove(tag)
            return Recorded(watchlist.id, self.commands.save(watchlist))

        return self.commands.run(cause, command)

    def watched(self) -> dict[str, str]:
        try:
            found = self.store.load(WatchList.create_id("main"), WatchList, "watch list")
        except NotFoundError:
            return {}
        return dict(found.hashtags)

    def _watchlist(self) -> WatchList:
        try:
            return self.store.load(WatchList.create_id("main"), WatchList, "watch list")
        except NotFoundError:
            return WatchList("main")


def normalise_hashtag(hashtag: str) -> str:
    tag = hashtag.strip()
    tag = tag if tag.startswith("#") else f"#{tag}"
    if len(tag) < 2 or len(tag) > 100 or any(c.isspace() for c in tag[1:]):
        raise InvalidInputError(f"{hashtag!r} is not a hashtag")
    return tag
