"""Feed saved X API v2 response lines through the same path as the live listener."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from channels.x.pipeline import ReplaySource, prepared_batches, read_batches
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
    batches = prepared_batches(source, preparer) if preparer else read_batches(source)
    total = IntakeResult()
    for batch in batches:
        total.add(service.ingest(cause, batch.postings, batch.rejections, prepared=batch.prepared))
        if progress is not None:
            progress(total)
    return total
