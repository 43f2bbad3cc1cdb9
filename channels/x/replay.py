"""Feed saved X API v2 response lines through the same path as the live listener."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from channels.x.intake import to_incoming, to_rejection
from channels.x.mapping import iter_replay
from channels.x.model import NormalizedPosting, Rejection
from domain.collector import collector_paused
from domain.context import Cause
from domain.intake_service import IncomingRejection, IntakeResult, IntakeService
from domain.postings import IncomingPosting

Progress = Callable[[IntakeResult], None]
ReplayLine = tuple[int, list[NormalizedPosting], list[Rejection]]


def replay_file(
    path: str | Path,
    service: IntakeService,
    *,
    author_key_secret: bytes,
    accounts: frozenset[str] = frozenset(),
    batch_size: int = 500,
    cause: Cause | None = None,
    progress: Progress | None = None,
) -> IntakeResult:
    """Group-commit the file's items in batches; every batch is one transaction."""
    cause = cause or Cause("system:x-replay")
    total = IntakeResult()
    postings: list[IncomingPosting] = []
    rejections: list[IncomingRejection] = []

    def flush() -> None:
        if postings or rejections:
            total.add(service.ingest(cause, list(postings), list(rejections)))
            postings.clear()
            rejections.clear()
            if progress is not None:
                progress(total)

    lines = iter_replay(path, author_key_secret=author_key_secret, accounts=accounts)
    more = True
    while more:
        # parsing a batch makes as many small objects as storing it: the collector waits
        # for the end of the batch instead of walking the whole heap in between
        with collector_paused(batch_size):
            more = _fill(lines, postings, rejections, batch_size)
            flush()
    return total


def _fill(
    lines: Iterator[ReplayLine],
    postings: list[IncomingPosting],
    rejections: list[IncomingRejection],
    batch_size: int,
) -> bool:
    """Read lines until a batch is full; False once the file is exhausted."""
    for _line_no, items, rejected in lines:
        postings.extend(to_incoming(p) for p in items)
        rejections.extend(to_rejection(r) for r in rejected)
        if len(postings) + len(rejections) >= batch_size:
            return True
    return False
