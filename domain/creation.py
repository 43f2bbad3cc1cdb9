"""Creating SMC aggregates quickly: the steps of eventsourcing 9.5.6's ``BaseAggregate._create``
and ``CanInitAggregate.mutate`` with what the library works out again on every call (signatures,
topics, registration checks, keyword filtering, the frozen dataclass ``__init__``) worked out
once per aggregate and event class.

The created event is the same object the library would build: the same class, the same
``__dict__`` in the same field order (so the same stored bytes), the same aggregate state. A call
this plan does not cover exactly (another set of keyword arguments, an explicit ``id`` or
``timestamp``, overridden ``mutate``/``__base_init__``, an ``id`` in ``__init__``) takes the
library's own path, with its own checks and errors. tests/core/test_creation.py proves both
paths give the same events for every aggregate kind.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any
from uuid import UUID

from eventsourcing.domain import (
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    DomainEvent,
    MetaAggregate,
    ProgrammingError,
    _annotations_mention_id,
    _check_explicit_topic_is_registered,
    _create_id_param_names,
    _created_event_classes,
    _init_mentions_id,
)
from eventsourcing.utils import get_topic, resolve_topic

from domain.context import current_cause

_FIXED = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


class CreationPlan:
    """What creating ``aggregate`` with ``event_class`` needs, worked out once."""

    __slots__ = (
        "aggregate",
        "create_id",
        "event_class",
        "id_params",
        "init",
        "init_params",
        "keys",
        "template",
        "with_cause",
    )

    def __init__(self, aggregate: type[BaseAggregate[Any]], event_class: type[Any]) -> None:
        self.aggregate = aggregate
        self.event_class = event_class
        self.template: dict[str, Any] = {}  # every field in dataclass order, fixed values set
        keys: set[str] = set()
        cause_fields: list[tuple[str, str]] = []
        for f in fields(event_class):
            if f.name in _FIXED:
                self.template[f.name] = None
            elif f.init:
                if f.default is not MISSING or f.default_factory is not MISSING:
                    raise _Unsupported  # a default the library would fill in
                keys.add(f.name)
                self.template[f.name] = None
            elif f.default_factory in _CAUSE_FACTORIES:
                cause_fields.append((f.name, _CAUSE_FACTORIES[f.default_factory]))
                self.template[f.name] = None
            else:
                raise _Unsupported  # another computed field
        self.template["originator_topic"] = get_topic(aggregate)
        self.template["originator_version"] = aggregate.INITIAL_VERSION
        self.keys = frozenset(keys)
        self.with_cause = tuple(cause_fields)
        self.id_params = tuple(n for n in _create_id_param_names[aggregate] if n in keys)
        self.create_id: Callable[..., Any] = aggregate.create_id
        self.init: Callable[..., None] = aggregate.__init__
        init_names = inspect.signature(self.init).parameters
        self.init_params = tuple(n for n in self.template if n in init_names)

    def create(self, kwargs: dict[str, Any]) -> Any | None:
        """The new aggregate with its created event pending (``BaseAggregate._create`` and
        ``CanInitAggregate.mutate``), or None when the library must decide (an unusual id)."""
        originator_id = self.create_id(**{k: kwargs[k] for k in self.id_params})
        if type(originator_id) is not UUID:
            return None
        state = self.template.copy()
        state.update(kwargs)
        state["originator_id"] = originator_id
        timestamp = state["timestamp"] = self.event_class.create_timestamp()
        if self.with_cause:
            cause = current_cause()
            for name, attribute in self.with_cause:
                state[name] = getattr(cause, attribute)
        created = object.__new__(self.event_class)
        object.__setattr__(created, "__dict__", state)  # as the frozen dataclass would
        agg = object.__new__(self.aggregate)
        agg.__base_init__(originator_id, state["originator_version"], timestamp)
        self.init(agg, **{k: state[k] for k in self.init_params})
        created.apply(agg)
        agg._pending_events.append(created)
        return agg


class _Unsupported(Exception):
    """The plan does not cover this aggregate and event class: use the library's path."""


def current_actor() -> str:
    """The ``actor`` of an event: who caused the running command."""
    return current_cause().actor


def current_exercise() -> bool:
    """The ``exercise`` flag of an event: whether the running command belongs to a drill."""
    return current_cause().exercise


_CAUSE_FACTORIES: dict[Callable[[], Any], str] = {
    current_actor: "actor",
    current_exercise: "exercise",
}

_plans: dict[tuple[type, type], CreationPlan | None] = {}


def plan_for(aggregate: type[BaseAggregate[Any]], event_class: type[Any]) -> CreationPlan | None:
    """The cached plan for creating ``aggregate`` with ``event_class``, or None."""
    key = (aggregate, event_class)
    try:
        return _plans[key]
    except KeyError:
        pass
    plan: CreationPlan | None = None
    if _plain(aggregate, event_class):
        try:
            plan = CreationPlan(aggregate, event_class)
        except _Unsupported:
            plan = None
    _plans[key] = plan
    return plan


def _plain(aggregate: type[BaseAggregate[Any]], event_class: type[Any]) -> bool:
    """True when the library's creation of ``aggregate`` by ``event_class`` does nothing
    but the plain steps a plan repeats."""
    if not (isinstance(event_class, type) and issubclass(event_class, CanInitAggregate)):
        return False
    if getattr(aggregate, "TOPIC", None):
        try:
            _check_explicit_topic_is_registered(event_class)
        except ProgrammingError:  # the library's path raises it properly
            return False
    return (
        aggregate not in _init_mentions_id
        and aggregate not in _annotations_mention_id
        and resolve_topic(get_topic(aggregate)) is aggregate
        and event_class.mutate is CanInitAggregate.mutate
        and event_class._as_dict is CanMutateAggregate._as_dict
        and getattr(event_class, "__post_init__", None) is DomainEvent.__post_init__
        and _dataclass_init(event_class)
        and aggregate.__base_init__ is BaseAggregate.__base_init__
        and not any("__new__" in vars(klass) for klass in aggregate.__mro__[:-1])
    )


def _dataclass_init(event_class: type[Any]) -> bool:
    """True when the event's ``__init__`` is the one the dataclass decorator wrote (its code is
    compiled from a string), not one written in the class body."""
    init = vars(event_class).get("__init__")
    code = getattr(init, "__code__", None)
    return code is not None and code.co_filename == "<string>"


class CallPlan:
    """How ``aggregate(*args, **kwargs)`` binds its arguments, worked out once: the library's
    ``MetaAggregate.__call__`` without ``_coerce_args_to_kwargs`` when every parameter of
    ``__init__`` is given exactly once."""

    __slots__ = ("event_class", "names", "positional")

    def __init__(self, aggregate: type[Any]) -> None:
        found = _created_event_classes.get(aggregate, [])
        if len(found) != 1 or aggregate in _annotations_mention_id:
            raise _Unsupported
        self.event_class: type[CanInitAggregate[Any]] = found[0]
        params = list(inspect.signature(aggregate.__init__).parameters.values())[1:]
        kinds = {p.kind for p in params}
        if not kinds <= {inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY}:
            raise _Unsupported
        self.names = frozenset(p.name for p in params)
        if self.names & {"id", "event_class"}:
            raise _Unsupported
        self.positional = tuple(
            p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        )

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any] | None:
        """Every parameter by name, or None when the library must bind (defaults, errors)."""
        if args:
            if len(args) > len(self.positional):
                return None
            bound = dict(zip(self.positional, args, strict=False))
            bound.update(kwargs)
            if len(bound) != len(args) + len(kwargs):
                return None  # an argument given twice
        else:
            bound = kwargs
        return bound if bound.keys() == self.names else None


_calls: dict[type, CallPlan | None] = {}


def call_plan(aggregate: type[Any]) -> CallPlan | None:
    """The cached binding plan for calling ``aggregate``, or None."""
    try:
        return _calls[aggregate]
    except KeyError:
        pass
    try:
        plan: CallPlan | None = CallPlan(aggregate)
    except _Unsupported:
        plan = None
    _calls[aggregate] = plan
    return plan


class SmcAggregateMeta(MetaAggregate):  # type: ignore[type-arg]
    """``Aggregate(...)`` straight to ``_create`` with the arguments bound by a
    :class:`CallPlan`; anything unusual goes the library's way."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        plan = call_plan(cls)
        if plan is not None:
            bound = plan.bind(args, kwargs)
            if bound is not None:
                return cls._create(plan.event_class, **bound)
        return super().__call__(*args, **kwargs)
