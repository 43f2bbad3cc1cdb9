"""The allowed-transitions table, tested exhaustively: every command from every state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from domain.context import Cause, acting
from domain.errors import TransitionNotAllowedError
from domain.ledger import TRANSITIONS, Case, State

T = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)

CALLS: dict[str, Callable[[Case], None]] = {
    "classify": lambda c: c.classify("simple", T, False),
    "reclassify": lambda c: c.classify("review", T, False),
    "assign": lambda c: c.assign("department:BUS", "rule"),
    "transfer": lambda c: c.transfer("department:ROAD", "not ours"),
    "send_back": lambda c: c.send_back("wrong category"),
    "designate": lambda c: c.designate("kim.official"),
    "start_review": lambda c: c.start_review(),
    "await_citizen": lambda c: c.await_citizen("which bus stop?", 3600.0),
    "citizen_replied": lambda c: c.citizen_replied("the one at Gangnam", T),
    "respond": lambda c: c.respond("고맙습니다", None, "ko", False),
    "publish": lambda c: c.publish(),
    "close": lambda c: c.close(),
    "reopen": lambda c: c.reopen("not solved", True),
    "merge": lambda c: c.merge("00000000-0000-0000-0000-000000000001"),
    "withdraw": lambda c: c.withdraw("citizen withdrew"),
    "draft_auto_answer": lambda c: c.draft_auto_answer("night-bus", 1, 0.9, "N버스", "ko", False),
    "auto_respond": lambda c: c.respond("N버스는 23:30부터", "kb:night-bus@1", "ko", True),
    "retract": lambda c: _automatic(c).retract("wrong entry"),
    "correct": lambda c: _automatic(c).correct("정정합니다", None, "ko"),
}


def _automatic(case: Case) -> Case:
    case.auto_reply = True  # the reply on the case was sent by the auto-answerer
    return case


def test_every_command_has_a_call() -> None:
    assert set(CALLS) == set(TRANSITIONS)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("command", sorted(TRANSITIONS))
def test_command_from_state(command: str, state: State) -> None:
    allowed, target = TRANSITIONS[command]
    if command == "classify":  # classify and reclassify are one method, chosen by state
        allowed = allowed + TRANSITIONS["reclassify"][0]
    if command == "reclassify":
        allowed = allowed + TRANSITIONS["classify"][0]
    with acting(Cause("system:test"), T):
        case = Case("p1", "x", T)
        case.unit = "department:BUS"
        case.state = state
        if state in allowed:
            CALLS[command](case)
            expected = target or state
            if command in ("classify", "reclassify"):
                expected = State.TRIAGED if state is State.RECEIVED else state
            assert case.state == expected
            assert case.pending_events[-1].actor == "system:test"  # type: ignore[attr-defined]
        else:
            before = len(case.pending_events)
            with pytest.raises(TransitionNotAllowedError) as err:
                CALLS[command](case)
            assert state.value in err.value.detail
            assert case.state == state and len(case.pending_events) == before


def test_terminal_states_allow_nothing_but_nothing() -> None:
    for terminal in (State.MERGED, State.WITHDRAWN):
        assert all(terminal not in allowed for allowed, _ in TRANSITIONS.values())


@pytest.mark.parametrize("command", ["retract", "correct"])
def test_only_an_automatic_answer_can_be_retracted_or_corrected(command: str) -> None:
    with acting(Cause("system:test"), T):
        case = Case("p1", "x", T)
        case.state = State.PUBLISHED  # answered by an official: auto_reply stays False
        with pytest.raises(TransitionNotAllowedError, match="only an automatic answer"):
            if command == "retract":
                case.retract("wrong")
            else:
                case.correct("x", None, "ko")
        assert case.state is State.PUBLISHED


def test_an_automatic_answer_sent_then_retracted_needs_an_official() -> None:
    with acting(Cause("system:test"), T):
        case = Case("p1", "x", T)
        case.classify("simple", T, False)
        case.assign("department:BUS", "rule")
        case.draft_auto_answer("night-bus", 1, 0.9, "N버스", "ko", True)
        case.respond("N버스", "kb:night-bus@1", "ko", True)
        case.publish()
        assert case.auto_reply and state(case) is State.PUBLISHED
        case.retract("wrong entry")
        assert state(case) is State.ASSIGNED and case.reply is None and not case.auto_reply
        with pytest.raises(TransitionNotAllowedError):
            case.respond("x", None, "ko", False)  # an official's answer needs an official
        case.designate("kim.official")
        case.respond("제가 답합니다", None, "ko", False)
        assert state(case) is State.RESPONDED and not case.auto_reply


def state(case: Case) -> State:
    return case.state  # read afresh (mypy would keep the state narrowed by an assert)
