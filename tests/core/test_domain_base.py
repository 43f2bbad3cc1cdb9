"""Events carry who caused them, whether it is a drill, and the injected time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import ids
from domain.base import registered_topics
from domain.context import Cause, MissingCauseError, acting
from domain.directory import Department, User

T0 = datetime(2026, 7, 14, 9, 30, tzinfo=UTC)


def test_events_carry_cause_exercise_flag_and_injected_time() -> None:
    with acting(Cause("system:test", exercise=True), T0):
        dept = Department("SAFETY", "안전총괄과", "Safety")
        dept.rename("안전과", "Safety Division")
    events = dept.collect_events()
    assert [type(e).__name__ for e in events] == ["Registered", "Renamed"]
    assert all(getattr(e, "actor", None) == "system:test" for e in events)
    assert all(getattr(e, "exercise", None) is True for e in events)
    assert all(e.timestamp == T0 for e in events)


def test_event_outside_a_command_fails_loudly() -> None:
    with pytest.raises(MissingCauseError, match="outside a command"):
        Department("X", "엑스", "X")


@pytest.mark.parametrize("actor", ["bob", "user:not-a-uuid", "system:", ""])
def test_cause_rejects_unknown_actor_shapes(actor: str) -> None:
    with pytest.raises(ValueError, match="actor must be"):
        Cause(actor)


def test_naive_command_time_is_refused() -> None:
    with (
        pytest.raises(ValueError, match="timezone-aware"),
        acting(
            Cause("system:test"),
            datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
        ),
    ):
        pass


def test_natural_keys_give_the_same_aggregate_id() -> None:
    assert ids.posting_id("x", "123") == ids.posting_id("X", "123")
    assert ids.posting_id("x", "123") != ids.posting_id("x", "124")
    assert ids.user_id("Kim") == ids.user_id("kim")
    with acting(Cause("system:test"), T0):
        assert User("kim", "Kim", "official", "h").id == ids.user_id("kim")
    with pytest.raises(ValueError, match="non-empty"):
        ids.posting_id("x", "")


def test_topics_are_explicit_and_stable() -> None:
    topics = registered_topics()
    assert topics["smc:Department.Registered"] is Department.Registered  # type: ignore[attr-defined]
    assert topics["smc:User"] is User
    assert all(t.startswith("smc:") for t in topics)
    with acting(Cause("system:test"), T0):
        event = User("lee", "Lee", "desk", "h").collect_events()[0]
    assert type(event).TOPIC == "smc:User.Added"  # type: ignore[attr-defined]
