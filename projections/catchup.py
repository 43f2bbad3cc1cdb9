"""The embedded (SQLite) catch-up loop: read the notification log in pages, apply, repeat.

eventsourcing 9.5.6 cannot subscribe to SQLite, so this loop replaces ``ProjectionRunner``
there. It is woken right after each save in this process and also polls, so writes by a
second process into the same store are seen too. Whoever serves a view's readers (the
LIFELINE WebSocket hub) can ask to be told as soon as that view has moved
(:meth:`CatchUpLoop.on_advance`), instead of polling it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from domain.store import SmcStore
from projections.base import SmcProjection

log = logging.getLogger("smc.catchup")

Progress = Callable[[int, int], None]
Advanced = Callable[[int], None]


def catch_up(
    store: SmcStore,
    projection: SmcProjection,
    *,
    page_size: int = 500,
    progress: Progress | None = None,
    until: int | None = None,
) -> int:
    """Bring one projection up to the head (or ``until``); returns its final position."""
    position = projection.view.position()
    head = store.head() if until is None else until
    while position < head:
        page = store.recorder.select_notifications(
            position, page_size, stop=head, inclusive_of_start=False
        )
        if not page:
            break
        items = [(store.mapper.to_domain_event(n), n.id) for n in page]
        projection.process_page(items)
        position = page[-1].id
        if progress is not None:
            progress(position, head)
    return position


class CatchUpLoop:
    """Keeps a set of projections caught up in a background thread."""

    def __init__(
        self,
        store: SmcStore,
        projections: Sequence[SmcProjection],
        *,
        poll_interval: float = 0.5,
        page_size: int = 500,
    ) -> None:
        self.store = store
        self.projections = list(projections)
        self.poll_interval = poll_interval
        self.page_size = page_size
        self.errors: dict[str, str] = {}
        self._advanced: dict[str, list[Advanced]] = {}
        self._positions: dict[str, int] = {}  # where each projection was last seen
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self, position: int = 0) -> None:
        del position
        self._wake.set()

    def on_advance(self, projection: SmcProjection, listener: Advanced) -> None:
        """Call ``listener(position)`` (in the loop's thread) after ``projection`` moved.

        The listener must be quick and thread-safe (set an event, schedule a callback). A
        projection someone waits for is caught up before the others."""
        self._advanced.setdefault(projection.name, []).append(listener)
        self.projections.sort(key=lambda p: p.name not in self._advanced)  # stable

    def run_once(self) -> None:
        for projection in self.projections:
            try:
                after = catch_up(self.store, projection, page_size=self.page_size)
                self.errors.pop(projection.name, None)
            except Exception as exc:  # a broken projection must not stop the others
                log.exception("projection %s failed", projection.name)
                self.errors[projection.name] = f"{type(exc).__name__}: {exc}"
                continue
            if after != self._positions.get(projection.name):
                self._positions[projection.name] = after
                self._tell(projection.name, after)

    def _tell(self, name: str, position: int) -> None:
        for listener in self._advanced.get(name, ()):
            try:
                listener(position)
            except Exception:  # a listener's failure must not stop the projections
                log.exception("a listener of projection %s failed", name)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            self.run_once()

    def start(self) -> None:
        self.store.add_saved_listener(self.wake)
        self.run_once()
        self._thread = threading.Thread(target=self._loop, name="smc-catchup", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
