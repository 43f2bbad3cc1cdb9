"""Application service for staged warnings: draft, approve (two people), stage changes, CAP.

Playbooks, areas and fan-out targets are reached through small ports that the composition
root fills in, so the domain stays free of I/O. Every message is built here, complete, and
recorded in the same save as one :class:`~domain.deliveries.Delivery` per target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.context import Cause, current_time
from domain.errors import InvalidInputError, TransitionNotAllowedError
from domain.store import Commands, Recorded
from domain.warning_content import (
    AreaResolver,
    AreaSpec,
    ImportOutcome,
    PlaybookPort,
    StageContent,
    TargetsPort,
    build_message,
    cancel_texts,
    check_texts,
    deliveries_for,
    now_kst,
)
from domain.warnings import STATUSES, Action, ExternalWarning, StagedWarning, next_state


class WarningService:
    def __init__(
        self,
        commands: Commands,
        playbooks: PlaybookPort,
        areas: AreaResolver,
        targets: TargetsPort,
        *,
        sender: str,
        base_url: str,
    ) -> None:
        self.commands = commands
        self.store = commands.store
        self.playbooks = playbooks
        self.areas = areas
        self.targets = targets
        self.sender = sender
        self.base_url = base_url.rstrip("/")

    # -- helpers ----------------------------------------------------------------------------
    def _load(self, warning_id: UUID) -> StagedWarning:
        return self.store.load(warning_id, StagedWarning, "warning")

    def _cause(self, cause: Cause, warning_id: UUID) -> Cause:
        status = self._load(warning_id).status
        return Cause(cause.actor, exercise=status != "Actual")

    def _content(self, playbook_id: str, stage_id: str, area: dict[str, Any]) -> StageContent:
        try:
            return self.playbooks.content(playbook_id, stage_id, area, now_kst())
        except KeyError as exc:
            raise InvalidInputError(str(exc).strip("'\"")) from None

    def _run(
        self, cause: Cause, warning_id: UUID, change: Callable[[StagedWarning], list[Any]]
    ) -> Recorded:
        def command() -> Recorded:
            warning = self._load(warning_id)
            extra = change(warning)
            return Recorded(warning.id, self.commands.save(warning, *extra))

        return self.commands.run(self._cause(cause, warning_id), command)

    # -- drafting ---------------------------------------------------------------------------
    def draft(
        self,
        cause: Cause,
        *,
        key: str,
        playbook_id: str,
        stage_id: str,
        status: str,
        area: AreaSpec,
        texts: dict[str, Any] | None = None,
    ) -> Recorded:
        if status not in STATUSES:
            raise InvalidInputError(f"status must be one of {', '.join(STATUSES)}")
        resolved = self.areas(area)

        def command() -> Recorded:
            rendered = self._content(playbook_id, stage_id, resolved).texts
            checked = check_texts(rendered if texts is None else texts)
            warning = StagedWarning(
                key, cause.actor, playbook_id, stage_id, status, resolved, checked
            )
            if self.store.exists(warning.id):  # the same draft key again: idempotent
                return Recorded(warning.id, self.store.head())
            return Recorded(warning.id, self.commands.save(warning))

        return self.commands.run(Cause(cause.actor, exercise=status != "Actual"), command)

    def edit(
        self,
        cause: Cause,
        warning_id: UUID,
        *,
        stage_id: str,
        area: AreaSpec,
        texts: dict[str, Any],
    ) -> Recorded:
        resolved = self.areas(area)
        checked = check_texts(texts)

        def change(w: StagedWarning) -> list[Any]:
            self._content(w.playbook_id, stage_id, resolved)
            w.edit(stage_id, resolved, checked)
            return []

        return self._run(cause, warning_id, change)

    def submit(self, cause: Cause, warning_id: UUID) -> Recorded:
        def change(w: StagedWarning) -> list[Any]:
            w.submit()
            return []

        return self._run(cause, warning_id, change)

    def reject(self, cause: Cause, warning_id: UUID, role: str, reason: str) -> Recorded:
        reason = reason.strip()
        if not reason or len(reason) > 1000:
            raise InvalidInputError("a rejection needs a reason (1 to 1000 characters)")

        def change(w: StagedWarning) -> list[Any]:
            next_state(w.state, Action.REJECT)
            w.check_approver(cause.actor, role)
            w.reject(cause.actor, reason)
            return []

        return self._run(cause, warning_id, change)

    # -- messages ---------------------------------------------------------------------------
    def approve(self, cause: Cause, warning_id: UUID, role: str) -> Recorded:
        def change(w: StagedWarning) -> list[Any]:
            next_state(w.state, Action.APPROVE)
            w.check_approver(cause.actor, role)
            content = self._content(w.playbook_id, w.stage_id, w.area)
            message = self._message(w, Action.APPROVE, content, w.texts)
            w.approve(cause.actor, message)
            return deliveries_for(w, message, self.targets(w.status), self.base_url)

        return self._run(cause, warning_id, change)

    def change_stage(self, cause: Cause, warning_id: UUID, action: Action) -> Recorded:
        def change(w: StagedWarning) -> list[Any]:
            next_state(w.state, action)
            stage_id = self._neighbour(w, +1 if action is Action.ESCALATE else -1)
            content = self._content(w.playbook_id, stage_id, w.area)
            message = self._message(w, action, content, content.texts)
            w.change_stage(action, message)
            return deliveries_for(w, message, self.targets(w.status), self.base_url)

        return self._run(cause, warning_id, change)

    def all_clear(self, cause: Cause, warning_id: UUID) -> Recorded:
        def change(w: StagedWarning) -> list[Any]:
            next_state(w.state, Action.ALL_CLEAR)
            stage_id = self.playbooks.all_clear_stage(w.playbook_id)
            content = self._content(w.playbook_id, stage_id, w.area)
            message = self._message(w, Action.ALL_CLEAR, content, content.texts)
            w.all_clear(message)
            return deliveries_for(w, message, self.targets(w.status), self.base_url)

        return self._run(cause, warning_id, change)

    def cancel(self, cause: Cause, warning_id: UUID, reason: str) -> Recorded:
        reason = reason.strip() or "cancelled"

        def change(w: StagedWarning) -> list[Any]:
            next_state(w.state, Action.CANCEL)
            content = self._content(w.playbook_id, w.stage_id, w.area)
            texts = cancel_texts(w.messages[-1]["texts"], reason)
            message = self._message(w, Action.CANCEL, content, texts)
            w.cancel(reason, message)
            return deliveries_for(w, message, self.targets(w.status), self.base_url)

        return self._run(cause, warning_id, change)

    def expire(self, cause: Cause, warning_id: UUID) -> Recorded:
        def change(w: StagedWarning) -> list[Any]:
            due = w.expires
            if due is None or datetime.fromisoformat(due) > current_time():
                raise TransitionNotAllowedError("the warning has not reached its expiry time")
            w.expire()
            return []

        return self._run(cause, warning_id, change)

    def _neighbour(self, w: StagedWarning, step: int) -> str:
        clear = self.playbooks.all_clear_stage(w.playbook_id)
        ladder = [s for s in self.playbooks.stage_ids(w.playbook_id) if s != clear]
        index = ladder.index(w.stage_id) + step if w.stage_id in ladder else -1
        if not 0 <= index < len(ladder):
            where = "highest" if step > 0 else "lowest"
            raise TransitionNotAllowedError(f"the warning is already at its {where} stage")
        return ladder[index]

    def _message(
        self, w: StagedWarning, action: Action, c: StageContent, texts: dict[str, Any]
    ) -> dict[str, Any]:
        return build_message(w, action, c, texts, sender=self.sender, base_url=self.base_url)

    # -- CAP in -----------------------------------------------------------------------------
    def import_external(self, cause: Cause, alerts: Sequence[dict[str, Any]]) -> ImportOutcome:
        """Record other agencies' alerts (``sender``, ``identifier``, ``summary``, ``xml``)."""

        def command() -> ImportOutcome:
            new: dict[UUID, ExternalWarning] = {}
            dupes: list[str] = []
            for a in alerts:
                ext = ExternalWarning(a["sender"], a["identifier"], a["summary"], a["xml"])
                if ext.id in new or self.store.exists(ext.id):
                    dupes.append(a["identifier"])
                else:
                    new[ext.id] = ext
            position = self.commands.save(*new.values())
            return ImportOutcome([e.identifier for e in new.values()], dupes, position)

        return self.commands.run(cause, command)

    def get(self, warning_id: UUID) -> StagedWarning:
        return self._load(warning_id)
