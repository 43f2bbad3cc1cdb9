"""Per-client limits for anonymous reports (Open311 POST, the public form, refused webhooks).

A sliding window in this process's memory: with several API processes each one counts on its
own, so the effective limit is the setting times the number of processes. Clients are keyed by
the peer address (put the proxy's real-IP handling in front when there is one).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

WINDOW = 3600.0


class RateLimiter:
    def __init__(
        self, limit: int, window: float = WINDOW, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._now = now
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Count one call; None when it is allowed, else the seconds until the next one is."""
        now = self._now()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, math.ceil(hits[0] + self.window - now))
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle clients
                self._hits = {k: v for k, v in self._hits.items() if v}
            return None


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limiter(request: Request, name: str, limit: int) -> RateLimiter:
    """The app's limiter called ``name`` (made on first use)."""
    state = request.app.state
    with _CREATE:
        found = getattr(state, f"limiter_{name}", None)
        if not isinstance(found, RateLimiter):
            found = RateLimiter(limit)
            setattr(state, f"limiter_{name}", found)
    return found


_CREATE = threading.Lock()
