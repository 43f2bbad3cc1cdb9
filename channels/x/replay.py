"""Feed saved X API v2 response lines through the same path as the live listener."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from pathlib import Path

from channels.x.pipeline import Batch, PreparedBatches, ReplaySource, read_batches
from domain.collector import collector_paused
from domain.context import Cause
from domain.intake_prepare import Preparer
from domain.intake_service import IntakeResult, IntakeService

Progress = Callable[[IntakeResult], None]


def replay_file(
    path: str | Path,
    service: IntakeService,
    *,
    author_key_secret: bytes,
    accounts: frozenset[str] = frozenset(),
    batch_size: int = 500,
    cause: Cause | None = None,
    progress: Progress | None = None,
    preparer: Preparer | None = None,
) -> IntakeResult:
    """Group-commit the file's items in batches; every batch is one transaction. With a
    ``preparer``, a second process reads, parses and prepares the batches meanwhile."""
    cause = cause or Cause("system:x-replay")
    source = ReplaySource(str(path), author_key_secret, accounts, batch_size)
    batches: PreparedBatches | Generator[Batch, None, None] = (
        PreparedBatches(source, preparer.for_cause(cause)) if preparer else read_batches(source)
    )
    total = IntakeResult()
    with closing(batches):
        while (result := _next_stored(batches, service, cause, batch_size)) is not None:
            total.add(result)
            if progress is not None:
                progress(total)
    return total


def _next_stored(
    batches: Iterator[Batch], service: IntakeService, cause: Cause, size: int
) -> IntakeResult | None:
    """Take the next batch and store it, with the garbage collector paused from taking it to
    letting it go: when collection resumes it walks only what outlives the batch (the
    near-duplicate index's new entries), not the batch's many short-lived objects."""
    with collector_paused(size):
        batch = next(batches, None)
        if batch is None:
            return None
        result = service.ingest(cause, batch.postings, batch.rejections, prepared=batch.prepared)
        del batch
    return result
