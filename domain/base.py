"""The base every SMC aggregate derives from.

* Events carry ``actor`` and ``exercise`` from the running command's :class:`~domain.context.Cause`.
* Event timestamps come from the command's injected time, never from the system clock.
* Topics are explicit and stable (``smc:<Aggregate>.<Event>``), so moving a module never
  orphans stored events. Aggregate class names are therefore unique across the domain.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import Any, ClassVar, Self
from uuid import UUID

from eventsourcing.domain import Aggregate, CanInitAggregate
from eventsourcing.utils import register_topic

from domain.context import current_time
from domain.creation import SmcAggregateMeta, current_actor, current_exercise, plan_for

_TOPICS: dict[str, type] = {}


def _register(topic: str, cls: type) -> None:
    if topic in _TOPICS and _TOPICS[topic].__qualname__ != cls.__qualname__:
        msg = f"topic {topic} is already taken by {_TOPICS[topic]!r}"
        raise TypeError(msg)
    _TOPICS[topic] = cls
    cls.TOPIC = topic  # type: ignore[attr-defined]
    register_topic(topic, cls)


class SmcAggregate(Aggregate, metaclass=SmcAggregateMeta):
    """Base aggregate: explicit topics, caused events, injected time."""

    TOPIC: ClassVar[str]

    class Event(Aggregate.Event):
        actor: str = field(default_factory=current_actor, init=False)
        exercise: bool = field(default_factory=current_exercise, init=False)

        @staticmethod
        def create_timestamp() -> datetime:
            return current_time()

    @classmethod
    def _create(
        cls,
        event_class: type[CanInitAggregate[UUID]],
        *,
        id: UUID | None = None,  # the library's name
        **kwargs: Any,
    ) -> Self:
        """The library's ``_create``, with per-class work done once (see domain.creation)."""
        plan = plan_for(cls, event_class) if id is None else None
        if plan is not None and kwargs.keys() == plan.keys:
            created = plan.create(kwargs)
            if created is not None:
                return created  # type: ignore[no-any-return]
        return super()._create(event_class, id=id, **kwargs)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _register(f"smc:{cls.__name__}", cls)
        for name, value in list(vars(cls).items()):
            if isinstance(value, type) and issubclass(value, Aggregate.Event):
                _register(f"smc:{cls.__name__}.{name}", value)


def registered_topics() -> dict[str, type]:
    """Every aggregate and event class with its stable topic (for tests and the catalogue)."""
    return dict(_TOPICS)
