"""Who caused a change, whether it is a drill, and when: passed in, never read from the world.

Application services run every command inside :func:`acting`, which sets the cause and the
time for the events that the command records. Event classes read them when they are built
(see :mod:`domain.base`); an event built outside :func:`acting` fails loudly.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

_ACTOR = re.compile(r"^(user:[0-9a-f-]{36}|system:[a-z][a-z0-9_.-]*|citizen:[\w.:-]+)$")


class MissingCauseError(RuntimeError):
    """An event was built outside a command: every event must say who caused it."""


@dataclass(frozen=True)
class Cause:
    """Who did it (``user:<uuid>``, ``system:<component>`` or ``citizen:<ref>``) and whether
    it belongs to an exercise (drill) rather than to reality."""

    actor: str
    exercise: bool = False

    def __post_init__(self) -> None:
        if not _ACTOR.match(self.actor):
            msg = (
                "actor must be user:<uuid>, system:<component> or citizen:<ref>,"
                f" not {self.actor!r}"
            )
            raise ValueError(msg)


_cause: contextvars.ContextVar[Cause] = contextvars.ContextVar("smc_cause")
_now: contextvars.ContextVar[datetime] = contextvars.ContextVar("smc_now")


@contextmanager
def acting(cause: Cause, now: datetime) -> Iterator[None]:
    """Run the enclosed command as ``cause`` at time ``now`` (timezone-aware)."""
    if now.tzinfo is None:
        msg = "command time must be timezone-aware"
        raise ValueError(msg)
    t1, t2 = _cause.set(cause), _now.set(now)
    try:
        yield
    finally:
        _cause.reset(t1)
        _now.reset(t2)


def current_cause() -> Cause:
    try:
        return _cause.get()
    except LookupError:
        msg = "event built outside a command: run it inside domain.context.acting(...)"
        raise MissingCauseError(msg) from None


def current_time() -> datetime:
    try:
        return _now.get()
    except LookupError:
        msg = "event built outside a command: run it inside domain.context.acting(...)"
        raise MissingCauseError(msg) from None
