"""A replay stores each batch with the garbage collector paused and lets the batch go before
collection resumes: neither batch source keeps a batch it has handed over."""

from __future__ import annotations

import gc
import weakref
from contextlib import closing
from pathlib import Path
from typing import Any

from api.bootstrap import Container
from bench.intake import write_replay
from channels.x.pipeline import Batch, PreparedBatches, ReplaySource, read_batches
from channels.x.replay import replay_file
from domain.intake_service import IntakeResult
from tests.intake.test_x_replay import SECRET


def first_batch_is_released(batches: Any) -> bool:
    with closing(batches):
        first: Batch | None = next(batches)
        assert first is not None and first.postings
        ref = weakref.ref(first)
        del first
        return ref() is None  # by reference counting alone: no collection needed


def test_neither_batch_source_keeps_a_handed_over_batch(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "replay.jsonl"
    write_replay(path, 400)
    source = ReplaySource(str(path), SECRET, frozenset(), 100)
    assert first_batch_is_released(read_batches(source))
    assert first_batch_is_released(PreparedBatches(source, container.intake_preparer()))


def test_each_batch_is_stored_with_the_collector_paused(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "replay.jsonl"
    write_replay(path, 450)
    service = container.intake
    real = service.ingest
    enabled: list[bool] = []

    def ingest(*args: Any, **kwargs: Any) -> IntakeResult:
        enabled.append(gc.isenabled())
        return real(*args, **kwargs)

    service.ingest = ingest  # type: ignore[method-assign]
    assert gc.isenabled()
    done = replay_file(path, service, author_key_secret=SECRET, batch_size=100)
    assert enabled == [False] * 5  # 450 items: five batches, none with collection on
    assert gc.isenabled()  # and it is back on afterwards
    assert done.read == 450 and done.new + done.retweets == 450
