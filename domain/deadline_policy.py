"""Answer deadlines per request class, computed on a :class:`~domain.calendar.BusinessCalendar`.

A policy is plain data (loadable from a dict, e.g. parsed TOML/JSON) mapping each request class
to one rule: a number of working hours, of working days, of wall-clock minutes, or no deadline.
See docs/deadlines-and-redaction.md for the rules and worked examples.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import NoReturn

from domain.calendar import BusinessCalendar, require_aware
from domain.errors import InvalidInputError

REQUEST_CLASSES = ("simple", "review", "policy", "emergency", "incident", "not_actionable")


class DeadlinePolicyError(InvalidInputError, ValueError):
    """A deadline policy document is malformed; ``detail`` says where and how."""


class Counting(StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    WALL_CLOCK_MINUTES = "wall_clock_minutes"
    NONE = "none"


_WORKING = (Counting.WORKING_HOURS, Counting.WORKING_DAYS)
_EMERGENCY_KEY = "wall_clock_in_emergency"


@dataclass(frozen=True)
class DeadlineRule:
    counting: Counting
    amount: float = 0
    wall_clock_in_emergency: bool = False

    def span(self, calendar: BusinessCalendar) -> timedelta:
        """How much time the rule grants (working time, or wall time for minutes)."""
        if self.counting is Counting.WORKING_HOURS:
            return timedelta(hours=self.amount)
        if self.counting is Counting.WORKING_DAYS:
            return self.amount * calendar.day_length
        return timedelta(minutes=self.amount)

    def wall_span(self) -> timedelta:
        """The wall-clock span used during a declared emergency (days count as 24 h)."""
        if self.counting is Counting.WORKING_DAYS:
            return timedelta(days=self.amount)
        if self.counting is Counting.WORKING_HOURS:
            return timedelta(hours=self.amount)
        return timedelta(minutes=self.amount)

    def to_dict(self) -> dict[str, object] | None:
        if self.counting is Counting.NONE:
            return None
        out: dict[str, object] = {self.counting.value: self.amount}
        if self.wall_clock_in_emergency:
            out[_EMERGENCY_KEY] = True
        return out


DEFAULT_POLICY: Mapping[str, Mapping[str, object] | None] = MappingProxyType(
    {
        "simple": {"working_hours": 3, _EMERGENCY_KEY: True},
        "review": {"working_days": 3},
        "policy": {"working_days": 5},
        "emergency": {"wall_clock_minutes": 0},
        "incident": None,
        "not_actionable": None,
    }
)


@dataclass(frozen=True)
class DeadlinePolicy:
    rules: Mapping[str, DeadlineRule]

    @classmethod
    def default(cls) -> DeadlinePolicy:
        return cls.from_dict(DEFAULT_POLICY)

    @classmethod
    def from_dict(cls, data: object) -> DeadlinePolicy:
        """Validate and load ``{request_class: rule-dict | None}``; raise DeadlinePolicyError."""
        if not isinstance(data, Mapping):
            _fail(f"a deadline policy must be a mapping, got {type(data).__name__}")
        _check_classes(data)
        rules = {name: _parse_rule(name, data[name]) for name in REQUEST_CLASSES}
        return cls(MappingProxyType(rules))

    def to_dict(self) -> dict[str, dict[str, object] | None]:
        return {name: rule.to_dict() for name, rule in self.rules.items()}

    def rule(self, request_class: str) -> DeadlineRule:
        try:
            return self.rules[request_class]
        except KeyError:
            msg = f"no deadline rule for request class {request_class!r}; known: {REQUEST_CLASSES}"
            raise ValueError(msg) from None

    def counts_wall_clock(self, request_class: str, *, emergency: bool = False) -> bool:
        """Whether the class's deadline (and its pauses) run on the wall clock."""
        rule = self.rule(request_class)
        return rule.counting is Counting.WALL_CLOCK_MINUTES or (
            emergency and rule.wall_clock_in_emergency
        )


class Deadline:
    """Deadline arithmetic (stateless)."""

    @staticmethod
    def compute(
        received_at: datetime,
        request_class: str,
        calendar: BusinessCalendar,
        policy: DeadlinePolicy,
        *,
        emergency: bool = False,
    ) -> datetime | None:
        """When the answer is due, or ``None`` for classes without a deadline."""
        require_aware(received_at, "received_at")
        rule = policy.rule(request_class)
        if rule.counting is Counting.NONE:
            return None
        if policy.counts_wall_clock(request_class, emergency=emergency):
            return (received_at + rule.wall_span()).astimezone(calendar.tz)
        return calendar.add_working(received_at, rule.span(calendar))

    @staticmethod
    def remaining(
        deadline: datetime,
        paused_at: datetime,
        calendar: BusinessCalendar,
        *,
        wall_clock: bool = False,
    ) -> timedelta:
        """Time left at the pause (working time unless ``wall_clock``); negative when overdue."""
        require_aware(deadline, "deadline")
        require_aware(paused_at, "paused_at")
        if wall_clock:
            return deadline - paused_at
        return calendar.working_time_between(paused_at, deadline)

    @staticmethod
    def resume(
        remaining: timedelta,
        resumed_at: datetime,
        calendar: BusinessCalendar,
        *,
        wall_clock: bool = False,
    ) -> datetime:
        """The new deadline: ``remaining`` counted from ``resumed_at`` (backwards if negative)."""
        require_aware(resumed_at, "resumed_at")
        if wall_clock:
            return (resumed_at + remaining).astimezone(calendar.tz)
        return calendar.add_working(resumed_at, remaining)


def _fail(detail: str) -> NoReturn:
    raise DeadlinePolicyError(detail)


def _check_classes(data: Mapping[object, object]) -> None:
    unknown = [k for k in data if k not in REQUEST_CLASSES]
    for key in unknown:
        hint = difflib.get_close_matches(str(key), REQUEST_CLASSES, n=1)
        also = f" (did you mean {hint[0]!r}?)" if hint else ""
        _fail(f"unknown request class {key!r}{also}; known: {', '.join(REQUEST_CLASSES)}")
    missing = [c for c in REQUEST_CLASSES if c not in data]
    if missing:
        _fail(f"deadline policy lacks request classes: {', '.join(missing)} (use null for none)")


def _parse_rule(name: str, raw: object) -> DeadlineRule:
    if raw is None:
        return DeadlineRule(Counting.NONE)
    if not isinstance(raw, Mapping):
        _fail(f"{name}: a rule must be a mapping or null, got {type(raw).__name__}")
    units = [c for c in Counting if c is not Counting.NONE and c.value in raw]
    allowed = {c.value for c in Counting if c is not Counting.NONE} | {_EMERGENCY_KEY}
    extra = sorted(str(k) for k in raw if k not in allowed)
    if extra:
        _fail(f"{name}: unknown keys {extra}; allowed: {sorted(allowed)}")
    if len(units) != 1:
        _fail(f"{name}: give exactly one of working_hours, working_days, wall_clock_minutes")
    unit = units[0]
    amount = raw[unit.value]
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount):
        _fail(f"{name}: {unit.value} must be a finite number, got {amount!r}")
    if amount < 0:
        _fail(f"{name}: {unit.value} must be >= 0, got {amount!r}")
    flag = raw.get(_EMERGENCY_KEY, False)
    if not isinstance(flag, bool):
        _fail(f"{name}: {_EMERGENCY_KEY} must be true or false, got {flag!r}")
    if flag and unit not in _WORKING:
        _fail(f"{name}: {_EMERGENCY_KEY} only applies to working_hours or working_days")
    return DeadlineRule(unit, amount, flag)
