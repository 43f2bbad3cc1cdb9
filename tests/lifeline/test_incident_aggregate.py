"""The Incident aggregate: figure validation, supersede rules, frozen when closed, exercise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.context import Cause, acting
from domain.errors import InvalidInputError, TransitionNotAllowedError
from domain.incidents import Incident, check_figures

T0 = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
TITLE = {"ko": "호우", "en": "Heavy rain"}


def _incident(exercise: bool = False) -> Incident:
    with acting(Cause("system:test", exercise=exercise), T0):
        return Incident("k-1", "heavy_rain", TITLE, {"districts": ["11620"]}, "Actual", [])


def _update(inc: Incident, uid: str, supersedes: str | None = None, **figures: int) -> None:
    with acting(Cause("system:test"), T0):
        inc.update(
            "casualty",
            uid,
            "11620",
            figures or {"dead": 1},
            source="police",
            verified=True,
            supersedes=supersedes,
            note="",
            location=[],
        )


def test_figures_are_checked() -> None:
    assert check_figures("casualty", {"dead": 2, "injured": 0}) == {"dead": 2, "injured": 0}
    for bad in ({}, {"dead": -1}, {"dead": 1.5}, {"dead": True}, {"houses_flooded": 1}):
        with pytest.raises(InvalidInputError):
            check_figures("casualty", bad)
    assert check_figures("damage", {"landslides": 3}) == {"landslides": 3}


def test_supersede_must_name_a_live_update_of_the_same_kind() -> None:
    inc = _incident()
    _update(inc, "a")
    _update(inc, "b", supersedes="a", dead=2)
    with pytest.raises(TransitionNotAllowedError, match="already superseded"):
        _update(inc, "c", supersedes="a")
    with pytest.raises(InvalidInputError):
        _update(inc, "d", supersedes="nope")
    with pytest.raises(TransitionNotAllowedError, match="already recorded"):
        _update(inc, "b")
    with acting(Cause("system:test"), T0), pytest.raises(InvalidInputError):
        inc.update(
            "damage",
            "e",
            "11620",
            {"landslides": 1},
            source="fire",
            verified=False,
            supersedes="b",
            note="",
            location=[],
        )


def test_a_closed_incident_is_frozen_and_sources_are_known() -> None:
    inc = _incident()
    with acting(Cause("system:test"), T0), pytest.raises(InvalidInputError, match="source"):
        inc.update(
            "casualty",
            "x",
            "11620",
            {"dead": 1},
            source="rumour",
            verified=False,
            supersedes=None,
            note="",
            location=[],
        )
    with acting(Cause("system:test"), T0):
        inc.close("over")
    with pytest.raises(TransitionNotAllowedError, match="frozen"):
        _update(inc, "late")


def test_events_carry_actor_and_exercise() -> None:
    inc = _incident(exercise=True)
    events = inc.collect_events()
    assert events[0].actor == "system:test"  # type: ignore[attr-defined]
    assert events[0].exercise is True  # type: ignore[attr-defined]
