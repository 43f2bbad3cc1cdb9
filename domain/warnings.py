"""Staged warnings: drafted from a playbook, approved by a second person, issued as CAP 1.2.

The lifecycle is the explicit table :data:`ALLOWED_TRANSITIONS`; every public command checks it
(and its own rules) and then records one event. Messages that leave the city (issue, update,
all-clear, cancel) are recorded *self-contained*: the event carries the rendered texts, areas,
CAP fields and the playbook version as sent, so a later playbook change never alters history.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.errors import PermissionDeniedError, TransitionNotAllowedError

STATUSES: tuple[str, ...] = ("Actual", "Exercise", "Test")
"""CAP ``status`` values a warning may have; everything it causes carries the same status."""


class WarningState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ISSUED = "issued"
    ALL_CLEAR = "all_clear"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    REJECT = "reject"
    APPROVE = "approve"
    ESCALATE = "escalate"
    DEESCALATE = "deescalate"
    ALL_CLEAR = "all_clear"
    CANCEL = "cancel"
    EXPIRE = "expire"


S, A = WarningState, Action
ALLOWED_TRANSITIONS: Mapping[tuple[WarningState, Action], WarningState] = {
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.REJECT): S.DRAFT,
    (S.SUBMITTED, A.APPROVE): S.ISSUED,
    (S.ISSUED, A.ESCALATE): S.ISSUED,
    (S.ISSUED, A.DEESCALATE): S.ISSUED,
    (S.ISSUED, A.ALL_CLEAR): S.ALL_CLEAR,
    (S.ISSUED, A.CANCEL): S.CANCELLED,
    (S.ALL_CLEAR, A.CANCEL): S.CANCELLED,
    (S.ISSUED, A.EXPIRE): S.EXPIRED,
    (S.ALL_CLEAR, A.EXPIRE): S.EXPIRED,
}
"""(state, action) -> next state. Anything not listed is refused."""

MESSAGE_ACTIONS: Mapping[Action, str] = {
    A.APPROVE: "Alert",
    A.ESCALATE: "Update",
    A.DEESCALATE: "Update",
    A.ALL_CLEAR: "Update",
    A.CANCEL: "Cancel",
}
"""Actions that send a CAP message, with its ``msgType``."""

APPROVER_ROLE = "approver"


def next_state(state: WarningState, action: Action) -> WarningState:
    try:
        return ALLOWED_TRANSITIONS[(state, action)]
    except KeyError:
        msg = f"cannot {action.value.replace('_', '-')} a warning that is {state.value}"
        raise TransitionNotAllowedError(msg, state=state.value, action=action.value) from None


def cap_identifier(sender: str, warning_id: UUID, sequence: int) -> str:
    """Deterministic CAP identifier: the same warning and sequence always give the same one."""
    return f"{sender.replace('@', '.')}.{warning_id.hex}.{sequence}"


class StagedWarning(SmcAggregate):
    """One warning of the city, from its draft to its end."""

    @staticmethod
    def create_id(key: str) -> UUID:
        return ids.natural_id("warning", key)

    @event("Drafted")
    def __init__(
        self,
        key: str,
        drafter: str,
        playbook_id: str,
        stage_id: str,
        status: str,
        area: dict[str, Any],
        texts: dict[str, Any],
    ) -> None:
        self.key = key
        self.drafter = drafter
        self.playbook_id = playbook_id
        self.stage_id = stage_id
        self.status = status
        self.area = area
        self.texts = texts
        self.state = WarningState.DRAFT
        self.reject_reason = ""
        self.approver = ""
        self.messages: list[dict[str, Any]] = []

    # -- commands: check, then record -------------------------------------------------------
    def edit(self, stage_id: str, area: dict[str, Any], texts: dict[str, Any]) -> None:
        next_state(self.state, A.EDIT)
        self._edited(stage_id=stage_id, area=area, texts=texts)

    def submit(self) -> None:
        next_state(self.state, A.SUBMIT)
        self._submitted()

    def reject(self, approver: str, reason: str) -> None:
        next_state(self.state, A.REJECT)
        self._rejected(by=approver, reason=reason)

    def check_approver(self, approver: str, role: str) -> None:
        """The two-person rule: never the drafter, and only someone with the approver role."""
        if role != APPROVER_ROLE:
            raise PermissionDeniedError("only an approver may approve or reject a warning")
        if approver == self.drafter:
            raise PermissionDeniedError("the drafter of a warning can never approve it")

    def approve(self, approver: str, message: dict[str, Any]) -> None:
        next_state(self.state, A.APPROVE)
        self._issued(approver=approver, message=message)

    def change_stage(self, action: Action, message: dict[str, Any]) -> None:
        if action not in (A.ESCALATE, A.DEESCALATE):
            raise ValueError(f"{action} is not a stage change")
        next_state(self.state, action)
        self._updated(direction=action.value, message=message)

    def all_clear(self, message: dict[str, Any]) -> None:
        next_state(self.state, A.ALL_CLEAR)
        self._all_cleared(message=message)

    def cancel(self, reason: str, message: dict[str, Any]) -> None:
        next_state(self.state, A.CANCEL)
        self._cancelled(reason=reason, message=message)

    def expire(self) -> None:
        next_state(self.state, A.EXPIRE)
        self._expired()

    # -- what the next message must carry ----------------------------------------------------
    @property
    def next_sequence(self) -> int:
        return len(self.messages) + 1

    def references(self) -> list[list[str]]:
        """Every earlier message of this warning as CAP (sender, identifier, sent) triples."""
        return [[m["sender"], m["identifier"], m["sent"]] for m in self.messages]

    @property
    def expires(self) -> str | None:
        return str(self.messages[-1]["expires"]) if self.messages else None

    # -- events: assign only -----------------------------------------------------------------
    @event("Edited")
    def _edited(self, stage_id: str, area: dict[str, Any], texts: dict[str, Any]) -> None:
        self.stage_id, self.area, self.texts = stage_id, area, texts

    @event("Submitted")
    def _submitted(self) -> None:
        self.state = WarningState.SUBMITTED

    @event("Rejected")
    def _rejected(self, by: str, reason: str) -> None:
        self.state = WarningState.DRAFT
        self.reject_reason = reason
        self.rejected_by = by

    @event("Issued")
    def _issued(self, approver: str, message: dict[str, Any]) -> None:
        self.state = WarningState.ISSUED
        self.approver = approver
        self._remember(message)

    @event("Updated")
    def _updated(self, direction: str, message: dict[str, Any]) -> None:
        self.last_change = direction
        self._remember(message)

    @event("AllCleared")
    def _all_cleared(self, message: dict[str, Any]) -> None:
        self.state = WarningState.ALL_CLEAR
        self._remember(message)

    @event("Cancelled")
    def _cancelled(self, reason: str, message: dict[str, Any]) -> None:
        self.state = WarningState.CANCELLED
        self.cancel_reason = reason
        self._remember(message)

    @event("Expired")
    def _expired(self) -> None:
        self.state = WarningState.EXPIRED

    def _remember(self, message: dict[str, Any]) -> None:
        self.stage_id = str(message.get("stage_id", self.stage_id))
        self.messages.append(message)


class ExternalWarning(SmcAggregate):
    """A CAP message another agency issued, imported and shown on the desk and LIFELINE."""

    @staticmethod
    def create_id(sender: str, identifier: str) -> UUID:
        return ids.natural_id("external-warning", sender, identifier)

    @event("Imported")
    def __init__(self, sender: str, identifier: str, summary: dict[str, Any], xml: str) -> None:
        self.sender = sender
        self.identifier = identifier
        self.summary = summary
        self.xml = xml
