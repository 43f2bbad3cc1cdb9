"""The warning aggregate, exhaustively over its transitions table, and the two-person rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.context import Cause, acting
from domain.errors import PermissionDeniedError, TransitionNotAllowedError
from domain.warnings import (
    ALLOWED_TRANSITIONS,
    Action,
    StagedWarning,
    WarningState,
    cap_identifier,
)

T0 = datetime(2026, 7, 14, 1, 0, tzinfo=UTC)
DRAFTER = "user:00000000-0000-0000-0000-000000000001"
APPROVER = "user:00000000-0000-0000-0000-000000000002"
TEXTS = {lang: {"headline": "h", "description": "d", "instruction": "i"} for lang in ("ko", "en")}
AREA: dict[str, Any] = {"kind": "city", "desc": {"ko": "서울", "en": "Seoul"}}


def _message(w: StagedWarning, msg_type: str) -> dict[str, Any]:
    return {
        "identifier": cap_identifier("smc@seoul.go.kr", w.id, w.next_sequence),
        "sender": "smc@seoul.go.kr",
        "sent": T0.isoformat(),
        "msg_type": msg_type,
        "stage_id": "warning",
        "expires": T0.isoformat(),
        "texts": TEXTS,
    }


COMMANDS: dict[Action, Callable[[StagedWarning], None]] = {
    Action.EDIT: lambda w: w.edit("advisory", AREA, TEXTS),
    Action.SUBMIT: lambda w: w.submit(),
    Action.REJECT: lambda w: w.reject(APPROVER, "wrong area"),
    Action.APPROVE: lambda w: w.approve(APPROVER, _message(w, "Alert")),
    Action.ESCALATE: lambda w: w.change_stage(Action.ESCALATE, _message(w, "Update")),
    Action.DEESCALATE: lambda w: w.change_stage(Action.DEESCALATE, _message(w, "Update")),
    Action.ALL_CLEAR: lambda w: w.all_clear(_message(w, "Update")),
    Action.CANCEL: lambda w: w.cancel("test", _message(w, "Cancel")),
    Action.EXPIRE: lambda w: w.expire(),
}

# the shortest path of actions from a fresh draft to each state
PATHS: dict[WarningState, list[Action]] = {
    WarningState.DRAFT: [],
    WarningState.SUBMITTED: [Action.SUBMIT],
    WarningState.ISSUED: [Action.SUBMIT, Action.APPROVE],
    WarningState.ALL_CLEAR: [Action.SUBMIT, Action.APPROVE, Action.ALL_CLEAR],
    WarningState.CANCELLED: [Action.SUBMIT, Action.APPROVE, Action.CANCEL],
    WarningState.EXPIRED: [Action.SUBMIT, Action.APPROVE, Action.EXPIRE],
}


def warning_in(state: WarningState) -> StagedWarning:
    w = StagedWarning("k1", DRAFTER, "heavy_rain", "advisory", "Actual", AREA, TEXTS)
    for action in PATHS[state]:
        COMMANDS[action](w)
    assert w.state is state
    return w


@pytest.mark.parametrize("state", list(WarningState))
@pytest.mark.parametrize("action", list(Action))
def test_every_state_and_action_follows_the_table(state: WarningState, action: Action) -> None:
    with acting(Cause(DRAFTER), T0):
        w = warning_in(state)
        before = len(w.pending_events)
        expected = ALLOWED_TRANSITIONS.get((state, action))
        if expected is None:
            with pytest.raises(TransitionNotAllowedError):
                COMMANDS[action](w)
            assert len(w.pending_events) == before and w.state is state
        else:
            COMMANDS[action](w)
            assert w.state is expected
            assert len(w.pending_events) == before + 1


def test_every_table_entry_is_reachable_and_terminal_states_are_final() -> None:
    assert set(PATHS) == set(WarningState)
    for state in (WarningState.CANCELLED, WarningState.EXPIRED):
        assert not [a for (s, a) in ALLOWED_TRANSITIONS if s is state]


def test_messages_reference_every_earlier_message() -> None:
    with acting(Cause(DRAFTER), T0):
        w = warning_in(WarningState.ISSUED)
        COMMANDS[Action.ESCALATE](w)
        refs = w.references()
    assert [r[1] for r in refs] == [m["identifier"] for m in w.messages]
    assert [r[1].rsplit(".", 1)[1] for r in refs] == ["1", "2"]


def test_rejection_returns_to_draft_with_reason() -> None:
    with acting(Cause(APPROVER), T0):
        w = warning_in(WarningState.SUBMITTED)
        w.reject(APPROVER, "wrong area")
    assert w.state is WarningState.DRAFT and w.reject_reason == "wrong area"


def test_two_person_rule() -> None:
    with acting(Cause(DRAFTER), T0):
        w = warning_in(WarningState.SUBMITTED)
    with pytest.raises(PermissionDeniedError, match="drafter"):
        w.check_approver(DRAFTER, "approver")
    with pytest.raises(PermissionDeniedError, match="only an approver"):
        w.check_approver(APPROVER, "desk")
    with pytest.raises(PermissionDeniedError):
        w.check_approver(APPROVER, "admin")
    w.check_approver(APPROVER, "approver")


def test_replay_gives_the_same_warning() -> None:
    with acting(Cause(DRAFTER, exercise=True), T0):
        w = warning_in(WarningState.CANCELLED)
    events = w.collect_events()
    again = None
    for e in events:
        again = e.mutate(again)
    assert isinstance(again, StagedWarning)
    assert again.state is WarningState.CANCELLED and again.messages == w.messages
    assert all(e.exercise for e in events)


def test_cap_identifier_is_deterministic() -> None:
    with acting(Cause(DRAFTER), T0):
        w = warning_in(WarningState.DRAFT)
    a = cap_identifier("smc@seoul.go.kr", w.id, 3)
    assert a == cap_identifier("smc@seoul.go.kr", w.id, 3)
    assert " " not in a and "," not in a and a.endswith(".3")
