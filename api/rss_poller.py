"""Scheduled RSS/Atom polling inside ``smc serve``: every ``SMC_RSS_POLL_INTERVAL`` seconds each
feed of ``SMC_RSS_FEEDS`` is fetched with its ETag/Last-Modified (``channels.rss.poll``). A feed
that cannot be fetched becomes an intake rejection, so it shows on ``/admin/intake``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from channels.rss import CAUSE, CHANNEL, FeedError, poll
from domain.clock import Clock
from domain.intake_service import IncomingRejection, IntakeService

log = logging.getLogger("smc.rss")


class FeedPoller:
    def __init__(
        self, intake: IntakeService, clock: Clock, feeds: Sequence[str], interval: float
    ) -> None:
        self.intake = intake
        self.clock = clock
        self.feeds = list(feeds)
        self.interval = interval
        self.polls = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Poll every feed once; how many new postings were stored."""
        new = 0
        for feed in self.feeds:
            try:
                new += poll(feed, self.intake, now=self.clock.now()).intake.new
            except FeedError as exc:
                rejection = IncomingRejection(CHANNEL, str(exc)[:300], feed[:300])
                self.intake.ingest(CAUSE, [], [rejection])
            except Exception:
                log.exception("polling %s failed", feed)
        self.polls += 1
        return new

    def _loop(self) -> None:
        self.run_once()
        while not self._stop.wait(self.interval):
            self.run_once()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="smc-rss", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
