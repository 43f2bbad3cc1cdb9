"""The fan-out outbox: one Delivery per (CAP message, target), recorded as events.

requested -> attempting(part) -> part posted ... -> delivered(remote ids)
                              -> failed(reason, retry at) -> attempting ... (backoff)
requested / failed / between parts -> rate limited(until) -> attempting ... (the account's
                                                            posting limit, see api/outbox_limits)
                              -> gave up (after the last attempt)
attempting with no outcome after a restart -> uncertain (never re-posted automatically)

``Attempting`` is recorded *before* each call to the outside. A dispatcher that finds an
attempt without an outcome cannot know whether the post went out (X has no idempotency key),
so it marks the delivery uncertain instead of posting again: at-most-once per part. A person
on the desk may requeue an uncertain delivery after checking the account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError

from domain import ids
from domain.base import SmcAggregate
from domain.context import Cause, acting
from domain.errors import TransitionNotAllowedError
from domain.posting_quota import PostingQuota, Quotas
from domain.store import Commands, Recorded


class DeliveryState(StrEnum):
    REQUESTED = "requested"
    ATTEMPTING = "attempting"
    DELIVERED = "delivered"
    FAILED = "failed"  # will be retried at retry_at
    GAVE_UP = "gave_up"
    UNCERTAIN = "uncertain"
    RATE_LIMITED = "rate_limited"  # waits for the account's posting window; not a failure


OPEN = frozenset({DeliveryState.REQUESTED, DeliveryState.FAILED, DeliveryState.RATE_LIMITED})


def delivery_id(identifier: str, target: str) -> UUID:
    return ids.natural_id("delivery", identifier, target)


class Delivery(SmcAggregate):
    """Publishing one CAP message through one target (an X account, a webhook, the feed)."""

    @staticmethod
    def create_id(identifier: str, target: str) -> UUID:
        return delivery_id(identifier, target)

    @event("Requested")
    def __init__(self, identifier: str, target: str, warning_id: str, payload: dict[str, Any]):
        self.identifier = identifier
        self.target = target
        self.warning_id = warning_id
        self.payload = payload
        self.state = DeliveryState.REQUESTED
        self.attempts = 0
        self.part = 0
        self.remote_ids: list[str] = []
        self.retry_at: str | None = None
        self.attempt_started = ""
        self.pending = False

    def _require(self, *states: DeliveryState) -> None:
        if self.state not in states:
            names = ", ".join(s.value for s in states)
            msg = f"delivery is {self.state.value}, expected one of: {names}"
            raise TransitionNotAllowedError(msg)

    def attempt(self, part: int, worker: str, started: str) -> None:
        self._require(
            DeliveryState.REQUESTED,
            DeliveryState.FAILED,
            DeliveryState.ATTEMPTING,
            DeliveryState.RATE_LIMITED,
        )
        if self.pending or part != len(self.remote_ids):
            raise TransitionNotAllowedError("an attempt without an outcome is pending")
        self._attempting(part=part, worker=worker, started=started)

    def part_posted(self, part: int, remote_id: str) -> None:
        self._require(DeliveryState.ATTEMPTING)
        self._part_posted(part=part, remote_id=remote_id)

    def deliver(self) -> None:
        self._require(DeliveryState.ATTEMPTING)
        self._delivered(remote_ids=list(self.remote_ids))

    def fail(self, reason: str, retry_at: str | None) -> None:
        self._require(DeliveryState.ATTEMPTING)
        self._failed(reason=reason[:500], retry_at=retry_at)

    def wait_for_rate_limit(self, until: str, reason: str) -> None:
        """Hold the delivery until the account may post again (no attempt is used up)."""
        self._require(
            DeliveryState.REQUESTED,
            DeliveryState.FAILED,
            DeliveryState.ATTEMPTING,
            DeliveryState.RATE_LIMITED,
        )
        if self.pending:
            raise TransitionNotAllowedError("an attempt without an outcome is pending")
        if self.state is DeliveryState.RATE_LIMITED and self.retry_at == until:
            return  # already recorded
        self._rate_limited(until=until, reason=reason[:500])

    def mark_uncertain(self, reason: str) -> None:
        self._require(DeliveryState.ATTEMPTING)
        self._uncertain(reason=reason[:500])

    def requeue(self) -> None:
        self._require(DeliveryState.UNCERTAIN, DeliveryState.GAVE_UP)
        self._requeued()

    @event("Attempting")
    def _attempting(self, part: int, worker: str, started: str) -> None:
        before = self.state
        if before is DeliveryState.RATE_LIMITED:
            before = self.held_from  # a wait between parts is not a new attempt
        if before is not DeliveryState.ATTEMPTING:
            self.attempts += 1
        self.state = DeliveryState.ATTEMPTING
        self.part = part
        self.attempt_started = started
        self.worker = worker
        self.pending = True

    @event("PartPosted")
    def _part_posted(self, part: int, remote_id: str) -> None:
        self.remote_ids.append(remote_id)
        self.part = part + 1
        self.pending = False

    @event("Delivered")
    def _delivered(self, remote_ids: list[str]) -> None:
        self.state = DeliveryState.DELIVERED
        self.remote_ids = list(remote_ids)

    @event("Failed")
    def _failed(self, reason: str, retry_at: str | None) -> None:
        self.state = DeliveryState.FAILED if retry_at else DeliveryState.GAVE_UP
        self.retry_at = retry_at
        self.reason = reason
        self.pending = False

    @event("RateLimited")
    def _rate_limited(self, until: str, reason: str) -> None:
        if self.state is not DeliveryState.RATE_LIMITED:
            self.held_from = self.state
        self.state = DeliveryState.RATE_LIMITED
        self.retry_at = until
        self.reason = reason

    @event("Uncertain")
    def _uncertain(self, reason: str) -> None:
        self.state = DeliveryState.UNCERTAIN
        self.reason = reason
        self.pending = False

    @event("Requeued")
    def _requeued(self) -> None:
        self.state = DeliveryState.REQUESTED
        self.attempts = 0
        self.retry_at = None


@dataclass(frozen=True)
class Window:
    """An account's posting limit as the claim checks it; ``earlier`` gives the posts recorded
    before its quota existed (UTC ISO times, from the outbox view)."""

    posts: int
    window: timedelta
    earlier: Callable[[str], list[str]]


class DeliveryService:
    """The outbox steps the dispatcher records; each is one small command."""

    def __init__(self, commands: Commands) -> None:
        self.commands = commands
        self.store = commands.store
        self.quotas = Quotas(commands.store)

    def get(self, did: UUID) -> Delivery:
        return self.store.load(did, Delivery, "delivery")

    def _cause(self, d: Delivery, actor: str) -> Cause:
        return Cause(actor, exercise=d.payload.get("status") != "Actual")

    def _step(self, did: UUID, actor: str, change: Callable[[Delivery], None]) -> Delivery:
        first = self.get(did)

        def command() -> Delivery:
            d = self.get(did)
            change(d)
            self.commands.save(d)
            return d

        return self.commands.run(self._cause(first, actor), command)

    def quota(self, target: str) -> PostingQuota | None:
        """The target's shared posting window (None: nothing posted through it yet)."""
        return self.quotas.newest(target)

    def claim(
        self, did: UUID, part: int, worker: str, limit: Window | None = None
    ) -> Delivery | None:
        """Record the attempt *before* calling out; None when someone else got there first.

        With a ``limit`` the attempt takes a slot of the account's :class:`PostingQuota` in the
        same save, or raises :class:`QuotaFullError` when the window is full."""
        for _ in range(self.commands.retries + 1):
            d = self.get(did)
            if d.pending or part != len(d.remote_ids):
                return None  # claimed (or posted) by another dispatcher meanwhile
            now = self.commands.clock.now()
            try:
                with acting(self._cause(d, "system:dispatcher"), now):
                    d.attempt(part, worker, now.isoformat())
                    self.commands.save(d, *self._slot(d, part, now, limit))
            except IntegrityError:
                if limit is None:
                    return None
                continue  # this delivery or another post to the account: look again
            return d
        return None

    def _slot(self, d: Delivery, part: int, now: datetime, limit: Window | None) -> list[Any]:
        if limit is None:
            return []
        quota = self.quota(d.target) or PostingQuota(d.target, 0, limit.earlier(d.target))
        holder = quota.take(now, str(d.id), part, limit.posts, limit.window)
        return [quota] if holder is quota else [quota, holder]

    def posted(self, did: UUID, part: int, remote_id: str, last: bool) -> Delivery:
        def change(d: Delivery) -> None:
            d.part_posted(part, remote_id)
            if last:
                d.deliver()

        return self._step(did, "system:dispatcher", change)

    def failed(self, did: UUID, reason: str, retry_at: str | None) -> Delivery:
        return self._step(did, "system:dispatcher", lambda d: d.fail(reason, retry_at))

    def rate_limited(self, did: UUID, until: str, reason: str) -> Delivery:
        return self._step(did, "system:dispatcher", lambda d: d.wait_for_rate_limit(until, reason))

    def uncertain(self, did: UUID, reason: str) -> Delivery:
        return self._step(did, "system:dispatcher", lambda d: d.mark_uncertain(reason))

    def requeue(self, cause: Cause, did: UUID) -> Recorded:
        d = self._step(did, cause.actor, lambda d: d.requeue())
        return Recorded(d.id, self.store.head())
