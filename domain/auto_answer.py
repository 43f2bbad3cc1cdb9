"""Auto-answer: a simple-class posting that matches the knowledge base with high confidence
gets the answer drafted on its case — or, where the department (or district office) allows
it, answered and published at once through the usual reply path and outbox. Recorded as the
actor ``system:auto-answer``; an official can retract or correct it (see Case.retract)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.context import Cause, acting, current_cause, current_time
from domain.errors import NotFoundError
from domain.knowledge_base import KnowledgeBase, eligible
from domain.ledger import Case, State
from domain.postings import Posting
from domain.store import Commands, Recorded, SmcStore

AUTO_ACTOR = "system:auto-answer"


class AutoAnswerPolicy(SmcAggregate):
    """Whether a unit (``department:BUS``, ``district:11680``) lets answers go out unreviewed."""

    @staticmethod
    def create_id(unit: str) -> UUID:
        return ids.natural_id("auto-answer-policy", unit)

    @event("Set")
    def __init__(self, unit: str, send: bool) -> None:
        self.unit = unit
        self.send = send

    def change(self, send: bool) -> None:
        if send != self.send:
            self._changed(unit=self.unit, send=send)

    @event("Changed")
    def _changed(self, unit: str, send: bool) -> None:
        del unit  # in the event for the read model
        self.send = send


Deliver = Callable[[Case, Posting], Sequence[SmcAggregate]]


class AutoAnswerer:
    """Runs inside the intake command, on the case it has just opened (see domain/routing.py)."""

    def __init__(
        self, kb: KnowledgeBase, threshold: float, store: SmcStore, deliver: Deliver
    ) -> None:
        self.kb = kb
        self.threshold = threshold
        self.store = store
        self.deliver = deliver

    def sends(self, unit: str) -> bool:
        try:
            policy = self.store.load(AutoAnswerPolicy.create_id(unit), AutoAnswerPolicy, "policy")
        except NotFoundError:
            return False
        return policy.send

    def apply(
        self, case: Case, posting: Posting, decisions: Mapping[str, Any]
    ) -> list[SmcAggregate]:
        """Draft (and, where allowed, send) the answer; the deliveries to save with the case."""
        if not eligible(case.request_class, decisions) or case.state not in (
            State.TRIAGED,
            State.ASSIGNED,
        ):
            return []
        found = self.kb.match(posting.text)
        if found is None or found.confidence < self.threshold:
            return []
        send = case.unit is not None and self.sends(case.unit)
        text, lang, entry = found.render(reference=posting.source_id), found.lang, found.entry
        cause = Cause(AUTO_ACTOR, exercise=current_cause().exercise)
        with acting(cause, current_time()):
            case.draft_auto_answer(entry.id, entry.version, found.confidence, text, lang, send)
            if not send:
                return []
            case.respond(text, f"kb:{entry.id}@{entry.version}", lang, automatic=True)
            case.publish()
            return list(self.deliver(case, posting))


class AutoAnswerSettings:
    """Which units send automatic answers (lead or admin decides)."""

    def __init__(self, commands: Commands) -> None:
        self.commands = commands
        self.store = commands.store

    def set(self, cause: Cause, unit: str, send: bool) -> Recorded:
        def command() -> Recorded:
            pid = AutoAnswerPolicy.create_id(unit)
            try:
                policy = self.store.load(pid, AutoAnswerPolicy, "policy")
                policy.change(send)
            except NotFoundError:
                policy = AutoAnswerPolicy(unit, send)
            return Recorded(policy.id, self.commands.save(policy))

        return self.commands.run(cause, command)
