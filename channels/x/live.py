"""Live X intake: recent-search backfill from the stored since_id, then the filtered stream,
group-committed in small batches; after every gap the backfill runs again."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from channels.x.client import backfill, make_client
from channels.x.intake import to_incoming, to_rejection
from channels.x.model import NormalizedPosting, Rejection
from channels.x.stream import ReconnectPolicy, StreamListener, sync_rules
from domain.context import Cause
from domain.intake_service import Cursor, IncomingRejection, IntakeResult, IntakeService
from domain.postings import IncomingPosting

log = logging.getLogger("smc.x")
CAUSE = Cause("system:x-intake")
STREAM = "recent"


def search_query(hashtags: Sequence[str], accounts: Sequence[str]) -> str:
    terms = [*hashtags, *(f"@{a}" for a in accounts)]
    return " OR ".join(terms) if terms else "#서울시"


def newest(ids: Sequence[str], current: str | None) -> str | None:
    best = current
    for value in ids:
        if value.isdigit() and (best is None or int(value) > int(best)):
            best = value
    return best


@dataclass
class LiveIntake:
    service: IntakeService
    bearer_token: str
    author_key_secret: bytes
    hashtags: Sequence[str]
    accounts: Sequence[str]
    base_url: str | None = None
    batch_size: int = 100
    flush_interval: float = 1.0
    sleep: Callable[[float], None] | None = None
    totals: IntakeResult = field(default_factory=IntakeResult)

    def run_backfill(self) -> IntakeResult:
        """Everything newer than the stored since_id; the cursor moves only after the last
        page is stored, so a crash in the middle repeats pages (harmless) but skips none."""
        client = make_client(self.bearer_token, base_url=self.base_url)
        since = self.service.cursor("x", STREAM)
        result, top = IntakeResult(), since
        kwargs: dict[str, Any] = {"sleep": self.sleep} if self.sleep else {}
        for postings, rejections, page_newest in backfill(
            client,
            search_query(self.hashtags, self.accounts),
            since,
            author_key_secret=self.author_key_secret,
            accounts=frozenset(self.accounts),
            **kwargs,
        ):
            result.add(self._store(postings, rejections, None))
            top = newest([page_newest] if page_newest else [], top)
        if top and top != since:
            result.add(self.service.ingest(CAUSE, [], [], Cursor("x", STREAM, top)))
        self.totals.add(result)
        return result

    def _store(
        self,
        postings: Sequence[NormalizedPosting],
        rejections: Sequence[Rejection],
        cursor: Cursor | None,
    ) -> IntakeResult:
        incoming: list[IncomingPosting] = [to_incoming(p) for p in postings]
        rejected: list[IncomingRejection] = [to_rejection(r) for r in rejections]
        return self.service.ingest(CAUSE, incoming, rejected, cursor)

    def run_stream(self, stop: threading.Event, reconnect: ReconnectPolicy | None = None) -> None:
        """Stream until ``stop``; each flushed batch advances the since_id cursor."""
        inbox: queue.Queue[NormalizedPosting | Rejection] = queue.Queue()
        listener = StreamListener(
            self.bearer_token,
            sink=inbox.put,
            author_key_secret=self.author_key_secret,
            accounts=frozenset(self.accounts),
            base_url=self.base_url,
            reconnect=self._gap_then(reconnect or ReconnectPolicy()),
            **({"sleep": self.sleep} if self.sleep else {}),
        )
        sync_rules(listener, self.hashtags, self.accounts)
        thread = listener.listen(threaded=True)
        try:
            while not stop.is_set() and thread.is_alive():
                self._drain(inbox, stop)
        finally:
            listener.disconnect()
            thread.join(10)
            self._drain(inbox, stop, final=True)

    def _gap_then(self, policy: ReconnectPolicy) -> Callable[[int], float | None]:
        def decide(failures: int) -> float | None:
            try:
                self.run_backfill()  # fill the gap before reconnecting
            except Exception:
                log.exception("backfill after a stream gap failed; it will run again")
            return policy(failures)

        return decide

    def _drain(
        self,
        inbox: queue.Queue[NormalizedPosting | Rejection],
        stop: threading.Event,
        *,
        final: bool = False,
    ) -> None:
        postings: list[NormalizedPosting] = []
        rejections: list[Rejection] = []
        timeout = 0.0 if final else self.flush_interval
        while len(postings) + len(rejections) < self.batch_size:
            try:
                item = inbox.get(timeout=timeout)
            except queue.Empty:
                break
            (postings if isinstance(item, NormalizedPosting) else rejections).append(item)  # type: ignore[arg-type]
            timeout = 0.05 if not stop.is_set() else 0.0
        if postings or rejections:
            top = newest([p.source_id for p in postings], self.service.cursor("x", STREAM))
            cursor = Cursor("x", STREAM, top) if top else None
            self.totals.add(self._store(postings, rejections, cursor))
