"""A replay file read in batches: in this process, or read, parsed and prepared (fingerprints,
triage decisions: ``domain.intake_prepare``) in a second process while this one stores.

The second process is started with ``spawn`` (nothing of this process's threads or open
connections is inherited), gets the file's path and the preparer, and sends one batch at a
time through a pipe; it blocks until the batch is taken, so it is never more than one batch
ahead and memory stays bounded. It stores nothing, so the checkpoint rule and crash safety are
the writer's as before: if this process dies, the other one finds the pipe closed and ends.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, cast

from channels.x.intake import to_incoming, to_rejection
from channels.x.mapping import iter_replay
from channels.x.model import NormalizedPosting, Rejection
from domain.collector import collector_paused
from domain.intake_prepare import Prepared, Preparer
from domain.intake_service import IncomingRejection
from domain.postings import IncomingPosting

_JOIN_SECONDS = 10.0
ReplayLine = tuple[int, list[NormalizedPosting], list[Rejection]]


@dataclass(frozen=True)
class ReplaySource:
    path: str
    author_key_secret: bytes
    accounts: frozenset[str]
    batch_size: int


@dataclass
class Batch:
    postings: list[IncomingPosting]
    rejections: list[IncomingRejection]
    prepared: list[Prepared] | None = None


class PreparationError(RuntimeError):
    """The second process failed; the message says how."""


def read_batches(source: ReplaySource) -> Generator[Batch, None, None]:
    """The file's items, ``batch_size`` at a time (the last batch may be smaller)."""
    lines = iter_replay(
        source.path, author_key_secret=source.author_key_secret, accounts=source.accounts
    )
    more = True
    box: list[Batch] = []  # the frame keeps no reference to a batch it has yielded
    while more:
        box.append(Batch([], []))
        # parsing makes many small objects and no lasting cycles: no collection meanwhile
        with collector_paused(source.batch_size):
            more = _fill(lines, box[0], source.batch_size)
        if box[0].postings or box[0].rejections:
            yield box.pop()
        else:
            box.clear()


def _fill(lines: Iterator[ReplayLine], batch: Batch, size: int) -> bool:
    """Read lines until the batch is full; False once the file is exhausted."""
    for _line_no, items, rejected in lines:
        batch.postings.extend(to_incoming(p) for p in items)
        batch.rejections.extend(to_rejection(r) for r in rejected)
        if len(batch.postings) + len(batch.rejections) >= size:
            return True
    return False


class PreparedBatches:
    """``read_batches`` with each batch prepared, done by a second process.

    An iterator object rather than a generator: it keeps no reference to a batch it has handed
    over (a generator's frame would, until resumed), so the writer can let a batch go before
    the garbage collector resumes and the collector never walks it. ``close`` ends the second
    process; it is called at the end, on an error, and by the writer when it stops early."""

    def __init__(self, source: ReplaySource, preparer: Preparer) -> None:
        self._size = source.batch_size
        context = multiprocessing.get_context("spawn")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_produce, args=(sender, source, preparer), name="smc-replay-prepare", daemon=True
        )
        self._process.start()
        sender.close()  # only the child writes: its end closing is how we learn it ended

    def __iter__(self) -> PreparedBatches:
        return self

    def __next__(self) -> Batch:
        try:
            with collector_paused(self._size):  # unpickling: many small objects
                kind, payload = self._receiver.recv()
        except EOFError:
            self.close()
            msg = f"the preparing process ended early (exit code {self._process.exitcode})"
            raise PreparationError(msg) from None
        if kind == "batch":
            return cast(Batch, payload)
        self.close()
        if kind == "error":
            raise PreparationError(str(payload))
        raise StopIteration

    def close(self) -> None:
        self._receiver.close()
        self._process.join(_JOIN_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _produce(sender: Connection, source: ReplaySource, preparer: Preparer) -> None:
    """In the second process: read, prepare and send every batch, then "done"."""
    message: tuple[str, Any] = ("done", None)
    try:
        for batch in read_batches(source):
            with collector_paused(len(batch.postings)):
                batch.prepared = preparer.prepare(batch.postings)
            sender.send(("batch", batch))
    except (BrokenPipeError, ConnectionResetError):
        return  # the writer went away (stopped, or killed): nothing to tell anyone
    except Exception as exc:  # reported to the writer, which raises it there
        message = ("error", f"{type(exc).__name__}: {exc}")
    try:
        sender.send(message)
    except (BrokenPipeError, ConnectionResetError):
        return
    finally:
        sender.close()
