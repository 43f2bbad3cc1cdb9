"""The deadline watcher: records DeadlineMissed once for every open case past its deadline."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from uuid import UUID

from domain.clock import Clock
from domain.context import Cause
from domain.ledger_service import LedgerService
from projections.ledger import LedgerProjection, utc

log = logging.getLogger("smc.deadlines")
WATCHER = Cause("system:deadline-watcher")


class DeadlineWatcher:
    def __init__(
        self, ledger: LedgerService, view: LedgerProjection, clock: Clock, interval: float = 30.0
    ) -> None:
        self.ledger = ledger
        self.view = view
        self.clock = clock
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        recorded = 0
        for row in self.view.due(utc(self.clock.now()) or ""):
            try:
                deadline = datetime.fromisoformat(row["deadline"])
                if self.ledger.record_missed(WATCHER, UUID(row["id"]), deadline):
                    recorded += 1
            except Exception:
                log.exception("could not record a missed deadline for case %s", row["id"])
        return recorded

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.run_once()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="smc-deadlines", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
