"""Per-account posting limits for the outbox: at most ``posts`` in any ``window``.

The limits are data: each channel kind has a default (``channels/outbound_channels.json``, X:
300 posts per 3 hours, the platform's per-user limit) and an account may set its own in the
accounts file (``"rate_limit": {"posts": 50, "window_seconds": 3600}``). The limiter counts
the posts that went out (each thread part is one post). The authoritative window is the
account's ``PostingQuota`` in the event store (``domain/posting_quota.py``), shared by every
dispatcher process: the claim takes a slot in the same save as ``Attempting``. This limiter
computes *until when* a delivery waits (with more queued ahead of it) from those posts, and is
seeded once from the outbox view's ``dlv_posts`` for posts recorded before a quota existed.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAX_WINDOW = timedelta(days=1)
"""Windows may be at most a day long (the limiter is seeded with the last day's posts)."""


@dataclass(frozen=True)
class Limit:
    posts: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.posts < 1 or not timedelta(0) < self.window <= MAX_WINDOW:
            msg = f"a rate limit needs posts >= 1 and a window of up to a day, not {self}"
            raise ValueError(msg)

    @classmethod
    def of(cls, raw: object) -> Limit:
        """From data: ``{"posts": 300, "window_seconds": 10800}``."""
        if not isinstance(raw, dict):
            raise ValueError(f"a rate limit is {{posts, window_seconds}}, not {raw!r}")
        return cls(int(raw["posts"]), timedelta(seconds=float(raw["window_seconds"])))

    def describe(self) -> str:
        return f"{self.posts} posts / {self.window.total_seconds() / 3600:g} h"


LimitFor = Callable[[str], Limit | None]
"""target -> its limit (None: unlimited, e.g. the feed)."""


class OutboxLimiter:
    """Sliding-window counts of recent posts per target; thread-safe."""

    def __init__(self, limit_for: LimitFor) -> None:
        self.limit_for = limit_for
        self._posts: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()
        self.seeded = False

    def seed(self, posts: Iterable[tuple[str, datetime]]) -> None:
        """Posts recorded before this process started (oldest first)."""
        with self._lock:
            for target, when in sorted(posts, key=lambda p: p[1]):
                self._posts.setdefault(target, deque()).append(when)
            self.seeded = True

    def record(self, target: str, when: datetime) -> None:
        with self._lock:
            self._posts.setdefault(target, deque()).append(when)

    def earlier(self, target: str) -> list[str]:
        """The seeded posts of the target (UTC ISO), for its shared quota when it is opened."""
        with self._lock:
            return [t.astimezone(UTC).isoformat() for t in self._posts.get(target, ())]

    def free_at(
        self, target: str, now: datetime, ahead: int = 0, posts: list[datetime] | None = None
    ) -> datetime:
        """When the target may post again (``now`` if it may now), with ``ahead`` more posts
        queued before this one; ``posts``: the shared window's posts (else this process's)."""
        limit = self.limit_for(target)
        if limit is None:
            return now
        if posts is not None:
            times = [t for t in posts if t > now - limit.window]
        else:
            with self._lock:
                times = self._recent(target, now, limit.window)
        slot = now
        for _ in range(ahead + 1):
            index = len(times) - limit.posts
            slot = max(now, times[index] + limit.window) if index >= 0 else now
            times.append(slot)
        return slot

    def _recent(self, target: str, now: datetime, window: timedelta) -> list[datetime]:
        posts = self._posts.get(target)
        if not posts:
            return []
        while posts and posts[0] <= now - MAX_WINDOW:
            posts.popleft()
        return [t for t in posts if t > now - window]
