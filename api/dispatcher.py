"""The background outbox dispatcher: works off requested deliveries, one part at a time.

Delivery semantics (see docs/warnings.md):

* Every call to the outside is preceded by a recorded ``Attempting`` (claimed with optimistic
  concurrency, so two processes never both post the same part).
* An ``Attempting`` without an outcome that is older than the lease was interrupted (crash,
  kill -9). X offers no idempotency key, so whether that post went out is unknown: the
  delivery becomes ``uncertain`` and is **not** posted again automatically (at most once per
  part). The desk sees it and may requeue it after checking the account.
* Failures are retried with exponential backoff; a 429 waits for the reset time and pauses
  that target; permanent refusals and the last attempt give up.
* Each account has a posting limit (``api/outbox_limits``): a post that would exceed it is
  not attempted; the delivery is recorded ``rate_limited`` until the window allows, and goes
  out then, in order (warnings before replies). The window is shared by every process: the
  claim takes a slot of the account's ``PostingQuota`` in the same save as ``Attempting``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid4

from api.outbox_limits import MAX_WINDOW, OutboxLimiter
from channels.fanout import PublishError, post_parts, split_thread
from domain.clock import Clock
from domain.context import Cause
from domain.deliveries import Delivery, DeliveryService, DeliveryState, Window
from domain.errors import DomainError
from domain.posting_quota import QuotaFullError
from domain.warning_service import WarningService
from projections.deliveries import DeliveriesProjection
from projections.warnings import WarningsProjection

log = logging.getLogger("smc.dispatcher")


class Publisher(Protocol):
    def post(self, text: str, reply_to: str | None) -> str: ...


PublisherFactory = Callable[[Delivery], Publisher | None]
PartsOf = Callable[[Delivery], tuple[list[str], str | None]]
"""What to post for a delivery, and what its first part answers."""
WORKABLE = (
    DeliveryState.REQUESTED,
    DeliveryState.FAILED,
    DeliveryState.ATTEMPTING,
    DeliveryState.RATE_LIMITED,
)


class Dispatcher:
    def __init__(
        self,
        deliveries: DeliveryService,
        view: DeliveriesProjection,
        publishers: PublisherFactory,
        clock: Clock,
        *,
        lease_seconds: float = 30.0,
        interval: float = 1.0,
        max_attempts: int = 6,
        backoff_base: float = 2.0,
        backoff_max: float = 300.0,
        workers: int = 1,
    ) -> None:
        self.deliveries = deliveries
        self.view = view
        self.publishers = publishers
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.interval = interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.workers = workers
        self.worker = uuid4().hex
        self.paused: dict[str, datetime] = {}
        self.sweeps: list[Callable[[], None]] = []
        self.view_wait: Callable[[int], object] | None = None
        """Waits (bounded) until the outbox view reached a position; set by the wiring."""
        self.limiter: OutboxLimiter | None = None
        self.parts: PartsOf = default_parts
        self._wanted = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one pass ---------------------------------------------------------------------------
    def run_once(self) -> None:
        """One pass: targets in parallel (``workers``), each target's deliveries in order."""
        self._seed_limiter()
        groups = self.view.open_by_target()
        if self.workers > 1 and len(groups) > 1:
            size = min(self.workers, len(groups))
            with ThreadPoolExecutor(size, thread_name_prefix="smc-dispatch") as pool:
                list(pool.map(self._process_group, groups))
        else:
            for group in groups:
                self._process_group(group)
        for sweep in self.sweeps:
            try:
                sweep()
            except Exception:
                log.exception("sweep failed")

    def _seed_limiter(self) -> None:
        """Once per process: the posts of the last day, from the recorded events."""
        if self.limiter is None or self.limiter.seeded:
            return
        if self.view_wait is not None:
            self.view_wait(self.deliveries.store.head())
        since = (self.clock.now() - MAX_WINDOW).astimezone(UTC).isoformat()
        posts = self.view.posts_since(since)
        self.limiter.seed((t, datetime.fromisoformat(at)) for t, at in posts)

    def _process_group(self, ids: list[str]) -> None:
        held = 0  # deliveries of this target already waiting for its rate limit
        for did in ids:
            try:
                held += self.process(UUID(did), held)
            except Exception:  # one broken delivery must not stop the others
                log.exception("delivery %s failed in the dispatcher", did)

    def process(self, did: UUID, held: int = 0) -> bool:
        """Work one delivery; True when it waits for its account's rate limit."""
        d = self.deliveries.get(did)
        now = self.clock.now()
        if d.state is DeliveryState.ATTEMPTING and d.pending:
            if now - datetime.fromisoformat(d.attempt_started) >= self.lease:
                reason = (
                    f"interrupted while posting part {d.part + 1}: the outcome is unknown;"
                    " check the account, then requeue if nothing was posted"
                )
                self.deliveries.uncertain(did, reason)  # its slot was taken at the claim
            return False
        if d.state not in WORKABLE or self.paused.get(d.target, now) > now:
            return False
        due = datetime.fromisoformat(d.retry_at) if d.retry_at else now
        if d.state is DeliveryState.FAILED and due > now:
            return False
        return self._send(d, held)

    def _held(self, d: Delivery, held: int) -> bool:
        """Record (once per new time) that the account's limit holds this delivery back; the
        window is the shared one of the store (every process's posts), ``held`` more queued
        ahead of it in this pass."""
        limit = self.limiter.limit_for(d.target) if self.limiter is not None else None
        if self.limiter is None or limit is None:
            return False
        now = self.clock.now()
        quota = self.deliveries.quota(d.target)
        times = quota.times() if quota is not None else None
        until = self.limiter.free_at(d.target, now, held, times)
        if until <= now:
            return False
        stamp = until.isoformat(timespec="seconds")
        reason = f"rate limit {limit.describe()}: waits until {stamp}"
        self.deliveries.rate_limited(d.id, stamp, reason)
        return True

    def _window(self, target: str) -> Window | None:
        limit = self.limiter.limit_for(target) if self.limiter is not None else None
        if self.limiter is None or limit is None:
            return None
        return Window(limit.posts, limit.window, self.limiter.earlier)

    def _send(self, d: Delivery, held: int = 0) -> bool:
        publisher = self.publishers(d)
        parts, first_reply_to = self.parts(d)
        reply_to = d.remote_ids[-1] if d.remote_ids else first_reply_to
        for part in range(len(d.remote_ids), len(parts)):
            if held and self._held(d, held):
                return True  # keep the account's order: earlier ones wait too
            try:
                claimed = self.deliveries.claim(d.id, part, self.worker, self._window(d.target))
            except QuotaFullError:
                return self._held(d, held)  # the account's window is full (any process)
            if claimed is None:
                return False  # another dispatcher claimed it
            if publisher is None:
                self.deliveries.failed(d.id, f"no publisher configured for {d.target}", None)
                return False
            try:
                remote_id = publisher.post(parts[part], reply_to)
            except PublishError as exc:
                self.deliveries.failed(d.id, exc.reason, self._retry_at(claimed, exc))
                return False
            d = self.deliveries.posted(d.id, part, remote_id, last=part == len(parts) - 1)
            reply_to = remote_id
        return False

    def _retry_at(self, d: Delivery, exc: PublishError) -> str | None:
        if exc.permanent or d.attempts >= self.max_attempts:
            return None
        now = self.clock.now()
        if exc.retry_after is not None:
            until = now + timedelta(seconds=exc.retry_after)
            self.paused[d.target] = until
            return until.isoformat()
        delay = min(self.backoff_max, self.backoff_base * 2 ** (d.attempts - 1))
        return (now + timedelta(seconds=delay)).isoformat()

    # -- the thread -------------------------------------------------------------------------
    def wake(self, position: int = 0) -> None:
        self._wanted = max(self._wanted, position)
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            if self.view_wait is not None and self._wanted:
                self.view_wait(self._wanted)  # a save just woke us: let the view see it first
            self.run_once()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="smc-dispatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


def default_parts(d: Delivery) -> tuple[list[str], str | None]:
    """What to post, and what the first part answers: a citizen's posting for a reply
    (payload ``reply_text``/``in_reply_to``), nothing for a warning."""
    if "reply_text" in d.payload:
        reply_to = d.payload.get("in_reply_to")
        return split_thread(str(d.payload["reply_text"])), str(reply_to) if reply_to else None
    if d.target.startswith("x:"):
        return post_parts(d.payload), None
    return [d.identifier], None


def expiry_sweep(
    warnings: WarningService, view: WarningsProjection, clock: Clock
) -> Callable[[], None]:
    """Expire every issued warning whose latest message has reached its expiry time."""

    def sweep() -> None:
        for wid in view.due_to_expire(clock.now()):
            try:
                warnings.expire(Cause("system:expiry"), UUID(wid))
            except DomainError as exc:
                log.info("warning %s not expired: %s", wid, exc.detail)

    return sweep


class FeedPublisher:
    """The feed target: the CAP message is served from the warnings view; nothing to call."""

    def __init__(self, link: str) -> None:
        self.link = link

    def post(self, text: str, reply_to: str | None) -> str:
        del text, reply_to
        return self.link
