"""The ledger's states and its explicit table of allowed transitions (tested exhaustively)."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import TransitionNotAllowedError


class State(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    DESIGNATED = "designated"
    UNDER_REVIEW = "under_review"
    AWAITING_CITIZEN = "awaiting_citizen"
    RESPONDED = "responded"
    PUBLISHED = "published"
    CLOSED = "closed"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"


S = State
OPEN_WORK = (S.ASSIGNED, S.DESIGNATED, S.UNDER_REVIEW, S.AWAITING_CITIZEN)
NOT_FINAL = (S.RECEIVED, S.TRIAGED, *OPEN_WORK, S.RESPONDED, S.PUBLISHED)

# command -> (states it may start from, state it leads to; None = stays where it is)
TRANSITIONS: dict[str, tuple[tuple[State, ...], State | None]] = {
    "classify": ((S.RECEIVED,), S.TRIAGED),
    "reclassify": ((S.TRIAGED, *OPEN_WORK), None),
    "assign": ((S.TRIAGED,), S.ASSIGNED),
    "transfer": ((S.ASSIGNED, S.DESIGNATED, S.UNDER_REVIEW), S.ASSIGNED),
    "send_back": ((S.ASSIGNED, S.DESIGNATED, S.UNDER_REVIEW), S.RECEIVED),
    "designate": ((S.ASSIGNED, S.DESIGNATED), S.DESIGNATED),
    "start_review": ((S.DESIGNATED,), S.UNDER_REVIEW),
    "await_citizen": ((S.DESIGNATED, S.UNDER_REVIEW), S.AWAITING_CITIZEN),
    "citizen_replied": ((S.AWAITING_CITIZEN,), S.UNDER_REVIEW),
    "respond": ((S.DESIGNATED, S.UNDER_REVIEW), S.RESPONDED),
    "publish": ((S.RESPONDED,), S.PUBLISHED),
    "close": ((S.PUBLISHED,), S.CLOSED),
    "reopen": ((S.PUBLISHED, S.CLOSED), S.ASSIGNED),
    "merge": ((S.RECEIVED, S.TRIAGED, *OPEN_WORK), S.MERGED),
    "withdraw": (NOT_FINAL, S.WITHDRAWN),
    # auto-answer (domain/auto_answer.py): a draft, a reply sent without a person, undoing it
    "draft_auto_answer": ((S.TRIAGED, S.ASSIGNED), None),
    "auto_respond": ((S.ASSIGNED,), S.RESPONDED),
    "retract": ((S.RESPONDED, S.PUBLISHED, S.CLOSED), S.ASSIGNED),
    "correct": ((S.RESPONDED, S.PUBLISHED, S.CLOSED), S.RESPONDED),
}


def check(command: str, state: State) -> State:
    """The state ``command`` leads to from ``state``, or TransitionNotAllowedError."""
    allowed, target = TRANSITIONS[command]
    if state not in allowed:
        names = ", ".join(s.value for s in allowed)
        raise TransitionNotAllowedError(
            f"cannot {command.replace('_', ' ')} a case that is {state.value} (only from: {names})",
            state=state.value,
        )
    return target or state
