"""The garbage collector pauses for a big batch only, and is back on afterwards."""

from __future__ import annotations

import gc

import pytest

from domain.collector import BIG_BATCH, collector_paused


def test_a_big_batch_pauses_collection_and_it_resumes_after() -> None:
    assert gc.isenabled()
    with collector_paused(BIG_BATCH):
        assert not gc.isenabled()
        with collector_paused(BIG_BATCH * 5):  # nested: the outer pause decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_small_batch_leaves_collection_on() -> None:
    with collector_paused(BIG_BATCH - 1):
        assert gc.isenabled()
    assert gc.isenabled()


def test_a_failing_batch_turns_collection_back_on() -> None:
    with pytest.raises(RuntimeError), collector_paused(10_000):
        raise RuntimeError("the batch failed")
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_host_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused(10_000):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
