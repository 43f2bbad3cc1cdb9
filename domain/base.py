"""The base every SMC aggregate derives from.

* Events carry ``actor`` and ``exercise`` from the running command's :class:`~domain.context.Cause`.
* Event timestamps come from the command's injected time, never from the system clock.
* Topics are explicit and stable (``smc:<Aggregate>.<Event>``), so moving a module never
  orphans stored events. Aggregate class names are therefore unique across the domain.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from domain.context import current_cause, current_time

_TOPICS: dict[str, type] = {}


def _actor() -> str:
    return current_cause().actor


def _exercise() -> bool:
    return current_cause().exercise


def _register(topic: str, cls: type) -> None:
    if topic in _TOPICS and _TOPICS[topic].__qualname__ != cls.__qualname__:
        msg = f"topic {topic} is already taken by {_TOPICS[topic]!r}"
        raise TypeError(msg)
    _TOPICS[topic] = cls
    cls.TOPIC = topic  # type: ignore[attr-defined]
    register_topic(topic, cls)


class SmcAggregate(Aggregate):
    """Base aggregate: explicit topics, caused events, injected time."""

    TOPIC: ClassVar[str]

    class Event(Aggregate.Event):
        actor: str = field(default_factory=_actor, init=False)
        exercise: bool = field(default_factory=_exercise, init=False)

        @staticmethod
        def create_timestamp() -> datetime:
            return current_time()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _register(f"smc:{cls.__name__}", cls)
        for name, value in list(vars(cls).items()):
            if isinstance(value, type) and issubclass(value, Aggregate.Event):
                _register(f"smc:{cls.__name__}.{name}", value)


def registered_topics() -> dict[str, type]:
    """Every aggregate and event class with its stable topic (for tests and the catalogue)."""
    return dict(_TOPICS)
