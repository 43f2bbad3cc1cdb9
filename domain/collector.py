"""Python's cyclic garbage collector, paused while a big batch is worked through.

An intake batch or a triage batch makes many small containers and no cycles that outlive it;
each full collection during it walks the whole heap (the near-duplicate index, the models,
the gazetteer), which cost a quarter of intake's time at 100,000 items. Collection resumes
after the batch (pending garbage is then collected as usual)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BIG_BATCH = 100


@contextmanager
def collector_paused(size: int = BIG_BATCH) -> Iterator[None]:
    """Pause collection for a batch of ``size`` items (not for small ones); re-enabled after,
    if it was on before (nested pauses leave it to the outermost)."""
    was_on = gc.isenabled()
    if size >= BIG_BATCH:
        gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
