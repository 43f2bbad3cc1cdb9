"""DeadlinePolicy and Deadline: per-class deadlines, emergency wall clock, pause and resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import SEOUL, BusinessCalendar
from domain.deadline_policy import (
    DEFAULT_POLICY,
    Counting,
    Deadline,
    DeadlinePolicy,
    DeadlinePolicyError,
)
from domain.errors import InvalidInputError

CAL = BusinessCalendar.korean(range(2025, 2029))
POLICY = DeadlinePolicy.default()
H = timedelta(hours=1)


def kst(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("request_class", "received", "expected"),
    [
        ("simple", kst(2026, 7, 10, 17), kst(2026, 7, 13, 11)),
        ("simple", kst(2026, 9, 23, 17), kst(2026, 9, 28, 11)),
        ("review", kst(2026, 7, 20, 10), kst(2026, 7, 23, 10)),
        ("policy", kst(2026, 7, 20, 10), kst(2026, 7, 27, 10)),
        ("policy", kst(2026, 12, 30, 14), kst(2027, 1, 7, 14)),
        ("emergency", kst(2026, 7, 11, 3, 14), kst(2026, 7, 11, 3, 14)),
        ("incident", kst(2026, 7, 10, 17), None),
        ("not_actionable", kst(2026, 7, 10, 17), None),
    ],
)
def test_default_policy(request_class: str, received: datetime, expected: datetime | None) -> None:
    assert Deadline.compute(received, request_class, CAL, POLICY) == expected


def test_declared_emergency_makes_simple_run_on_the_wall_clock() -> None:
    friday = kst(2026, 7, 10, 17)
    assert Deadline.compute(friday, "simple", CAL, POLICY, emergency=True) == kst(2026, 7, 10, 20)
    assert POLICY.counts_wall_clock("simple", emergency=True)
    assert not POLICY.counts_wall_clock("simple")
    # review has no wall-clock option in the default policy: still working days
    assert Deadline.compute(friday, "review", CAL, POLICY, emergency=True) == kst(2026, 7, 15, 17)


def test_emergency_option_can_be_switched_off_and_applies_to_days_as_24h() -> None:
    data: dict[str, Any] = dict(DEFAULT_POLICY)
    data["simple"] = {"working_hours": 3}
    data["review"] = {"working_days": 3, "wall_clock_in_emergency": True}
    policy = DeadlinePolicy.from_dict(data)
    friday = kst(2026, 7, 10, 17)
    assert Deadline.compute(friday, "simple", CAL, policy, emergency=True) == kst(2026, 7, 13, 11)
    assert Deadline.compute(friday, "review", CAL, policy, emergency=True) == kst(2026, 7, 13, 17)


def test_utc_received_at() -> None:
    received = datetime(2026, 7, 10, 8, tzinfo=UTC)  # Friday 17:00 KST
    assert Deadline.compute(received, "simple", CAL, POLICY) == kst(2026, 7, 13, 11)


def test_naive_received_at_is_rejected() -> None:
    with pytest.raises(ValueError, match="received_at must be timezone-aware"):
        Deadline.compute(datetime(2026, 7, 10, 17), "simple", CAL, POLICY)  # noqa: DTZ001


def test_unknown_request_class_at_compute_time() -> None:
    with pytest.raises(ValueError, match="no deadline rule for request class 'urgent'"):
        Deadline.compute(kst(2026, 7, 10, 17), "urgent", CAL, POLICY)


def test_pause_and_resume_conserve_working_time() -> None:
    deadline = Deadline.compute(kst(2026, 7, 20, 10), "review", CAL, POLICY)
    assert deadline == kst(2026, 7, 23, 10)
    paused = kst(2026, 7, 21, 15)  # Tue 15:00: 3 h left Tue, 9 h Wed, 1 h Thu
    left = Deadline.remaining(deadline, paused, CAL)
    assert left == 13 * H
    resumed = kst(2026, 9, 23, 17)  # resumed the day before Chuseok
    new_deadline = Deadline.resume(left, resumed, CAL)
    assert new_deadline == kst(2026, 9, 29, 12)
    assert CAL.working_time_between(resumed, new_deadline) == left


def test_pause_when_overdue_keeps_the_overdue_amount() -> None:
    deadline = kst(2026, 7, 13, 11)
    left = Deadline.remaining(deadline, kst(2026, 7, 13, 15), CAL)
    assert left == -4 * H
    new_deadline = Deadline.resume(left, kst(2026, 7, 14, 10), CAL)
    assert new_deadline == kst(2026, 7, 13, 15)
    assert CAL.working_time_between(new_deadline, kst(2026, 7, 14, 10)) == 4 * H


def test_wall_clock_pause_and_resume() -> None:
    deadline = kst(2026, 7, 10, 20)
    left = Deadline.remaining(deadline, kst(2026, 7, 10, 19), CAL, wall_clock=True)
    assert left == H
    resumed = Deadline.resume(left, kst(2026, 7, 11, 2), CAL, wall_clock=True)
    assert resumed == kst(2026, 7, 11, 3)


def test_policy_round_trips_through_dict() -> None:
    assert DeadlinePolicy.from_dict(POLICY.to_dict()) == POLICY
    assert POLICY.rule("simple").counting is Counting.WORKING_HOURS


def _with(**changes: object) -> dict[str, object]:
    data: dict[str, object] = dict(DEFAULT_POLICY)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping"),
        (_with(simpel={"working_hours": 3}), "unknown request class 'simpel' .*'simple'"),
        ({"simple": {"working_hours": 3}}, "lacks request classes: review"),
        (_with(simple=3), "simple: a rule must be a mapping or null"),
        (_with(simple={"hours": 3}), r"simple: unknown keys \['hours'\]"),
        (_with(simple={}), "simple: give exactly one of"),
        (_with(simple={"working_hours": 3, "working_days": 1}), "simple: give exactly one"),
        (_with(simple={"working_hours": "3"}), "simple: working_hours must be a finite number"),
        (_with(simple={"working_hours": True}), "must be a finite number"),
        (_with(simple={"working_hours": float("nan")}), "must be a finite number"),
        (_with(review={"working_days": -1}), "review: working_days must be >= 0"),
        (
            _with(simple={"working_hours": 3, "wall_clock_in_emergency": "yes"}),
            "must be true or false",
        ),
        (
            _with(emergency={"wall_clock_minutes": 0, "wall_clock_in_emergency": True}),
            "only applies to working_hours or working_days",
        ),
    ],
)
def test_invalid_policies_are_rejected_clearly(data: object, message: str) -> None:
    with pytest.raises(DeadlinePolicyError, match=message) as info:
        DeadlinePolicy.from_dict(data)
    assert isinstance(info.value, InvalidInputError)
    assert isinstance(info.value, ValueError)


@settings(max_examples=200, deadline=None)
@given(
    received=st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001
        max_value=datetime(2028, 6, 1),  # noqa: DTZ001
        timezones=st.just(SEOUL),
    ),
    pause_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
    pause_for=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
)
def test_pause_resume_property(
    received: datetime, pause_after: timedelta, pause_for: timedelta
) -> None:
    deadline = Deadline.compute(received, "policy", CAL, POLICY)
    assert deadline is not None
    paused = received + pause_after
    left = Deadline.remaining(deadline, paused, CAL)
    resumed_at = paused + pause_for
    new_deadline = Deadline.resume(left, resumed_at, CAL)
    assert CAL.working_time_between(resumed_at, new_deadline) == left
    granted = CAL.working_time_between(received, paused) + left
    assert granted == 5 * CAL.day_length
