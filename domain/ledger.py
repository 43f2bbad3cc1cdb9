"""The posting-assignment ledger: one Case per posting, moved through an explicit table of
allowed transitions, every step an event carrying who did it and when."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.base import SmcAggregate
from domain.errors import InvalidInputError, TransitionNotAllowedError
from domain.ledger_states import NOT_FINAL, OPEN_WORK, TRANSITIONS, S, State, check

__all__ = ["NOT_FINAL", "OPEN_WORK", "TRANSITIONS", "Case", "State", "check"]


def _key(deadline: datetime) -> str:
    return f"{deadline.timestamp():.0f}"  # the same instant whatever its time zone


class Case(SmcAggregate):
    """The work item for one posting (near-duplicates are merged into one case)."""

    @staticmethod
    def create_id(posting_id: str) -> UUID:
        return ids.natural_id("case", posting_id)

    @event("Opened")
    def __init__(self, posting_id: str, channel: str, received_at: datetime) -> None:
        self.posting_id = posting_id
        self.channel = channel
        self.received_at = received_at
        self.state = State.RECEIVED
        self.request_class: str | None = None
        self.deadline: datetime | None = None
        self.unit: str | None = None  # "department:BUS" or "district:11680"
        self.official: str | None = None
        self.reply: str | None = None
        self.remaining_seconds: float | None = None
        self.missed: list[str] = []
        self.merged_into: str | None = None
        self.auto_reply = False  # the current reply was sent by the auto-answerer

    class OpenedRouted(SmcAggregate.Created):
        """Opened, classified and, with a unit, assigned in one event: what intake records
        for a new posting triage has decided (the same state as ``Opened`` + ``Classified``
        + ``Assigned``, one event instead of three)."""

        posting_id: str
        channel: str
        received_at: datetime
        request_class: str
        deadline: datetime | None
        emergency: bool
        unit: str | None
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Case)  # only a Case is created by it
            aggregate.request_class = self.request_class
            aggregate.deadline = self.deadline
            aggregate.unit = self.unit
            aggregate.state = State.ASSIGNED if self.unit else State.TRIAGED

    @classmethod
    def open_routed(
        cls,
        posting_id: str,
        channel: str,
        received_at: datetime,
        classified: tuple[str, datetime | None, bool],
        assigned: tuple[str | None, str],
    ) -> Case:
        """A new case, classified (request class, deadline, emergency) and assigned (unit or
        None, reason) at once; see ``OpenedRouted``."""
        (request_class, deadline, emergency), (unit, reason) = classified, assigned
        return cls._create(
            cls.OpenedRouted,
            posting_id=posting_id,
            channel=channel,
            received_at=received_at,
            request_class=request_class,
            deadline=deadline,
            emergency=emergency,
            unit=unit,
            reason=reason if unit else "",
        )

    def _go(self, command: str) -> State:
        return check(command, self.state)

    # -- classification and deadlines ------------------------------------------------------
    def classify(self, request_class: str, deadline: datetime | None, emergency: bool) -> None:
        """Set the request class and its deadline (first time, or a correction later)."""
        self._go("classify" if self.state is State.RECEIVED else "reclassify")
        self._classified(request_class=request_class, deadline=deadline, emergency=emergency)

    @event("Classified")
    def _classified(self, request_class: str, deadline: datetime | None, emergency: bool) -> None:
        del emergency
        self.request_class = request_class
        self.deadline = deadline
        if self.state is State.RECEIVED:
            self.state = State.TRIAGED

    def record_missed(self, deadline: datetime) -> bool:
        """Once per deadline; True when recorded."""
        if self.deadline != deadline or _key(deadline) in self.missed:
            return False
        if self.state not in (S.TRIAGED, S.ASSIGNED, S.DESIGNATED, S.UNDER_REVIEW):
            return False
        self._deadline_missed(deadline=deadline, unit=self.unit or "")
        return True

    @event("DeadlineMissed")
    def _deadline_missed(self, deadline: datetime, unit: str) -> None:
        del unit
        self.missed.append(_key(deadline))

    # -- routing -----------------------------------------------------------------------------
    def assign(self, unit: str, reason: str) -> None:
        self._go("assign")
        self._assigned(unit=unit, reason=reason)

    @event("Assigned")
    def _assigned(self, unit: str, reason: str) -> None:
        del reason
        self.unit = unit
        self.state = State.ASSIGNED

    def transfer(self, unit: str, reason: str) -> None:
        self._go("transfer")
        if unit == self.unit:
            raise TransitionNotAllowedError(f"the case is already with {unit}")
        self._transferred(from_unit=self.unit or "", unit=unit, reason=reason)

    @event("Transferred")
    def _transferred(self, from_unit: str, unit: str, reason: str) -> None:
        del from_unit, reason
        self.unit = unit
        self.official = None
        self.state = State.ASSIGNED

    def send_back(self, reason: str) -> None:
        self._go("send_back")
        self._sent_back(reason=reason)

    @event("SentBackToTriage")
    def _sent_back(self, reason: str) -> None:
        del reason
        self.unit = None
        self.official = None
        self.state = State.RECEIVED

    def designate(self, official: str) -> None:
        self._go("designate")
        self._designated(official=official)

    @event("Designated")
    def _designated(self, official: str) -> None:
        self.official = official
        self.state = State.DESIGNATED

    # -- working on it ----------------------------------------------------------------------
    def start_review(self) -> None:
        self._go("start_review")
        self._review_started()

    @event("ReviewStarted")
    def _review_started(self) -> None:
        self.state = State.UNDER_REVIEW

    def await_citizen(self, question: str, remaining_seconds: float | None) -> None:
        self._go("await_citizen")
        self._awaiting(question=question, remaining_seconds=remaining_seconds)

    @event("AwaitingCitizen")
    def _awaiting(self, question: str, remaining_seconds: float | None) -> None:
        del question
        self.remaining_seconds = remaining_seconds
        self.state = State.AWAITING_CITIZEN

    def citizen_replied(self, text: str, deadline: datetime | None) -> None:
        self._go("citizen_replied")
        self._citizen_replied(text=text, deadline=deadline)

    @event("CitizenReplied")
    def _citizen_replied(self, text: str, deadline: datetime | None) -> None:
        del text
        self.deadline = deadline
        self.remaining_seconds = None
        self.state = State.UNDER_REVIEW

    def respond(self, text: str, template_id: str | None, lang: str, automatic: bool) -> None:
        self._go("auto_respond" if automatic else "respond")
        if not text.strip():
            raise InvalidInputError("a reply needs text")
        self._responded(text=text, template_id=template_id, lang=lang, automatic=automatic)

    @event("Responded")
    def _responded(self, text: str, template_id: str | None, lang: str, automatic: bool) -> None:
        del template_id, lang
        self.reply = text
        self.auto_reply = automatic
        self.state = State.RESPONDED

    # -- auto-answer -------------------------------------------------------------------------
    def draft_auto_answer(
        self, entry_id: str, entry_version: int, confidence: float, text: str, lang: str, send: bool
    ) -> None:
        self._go("draft_auto_answer")
        self._auto_drafted(
            entry_id=entry_id,
            entry_version=entry_version,
            confidence=confidence,
            text=text,
            lang=lang,
            send=send,
        )

    @event("AutoAnswerDrafted")
    def _auto_drafted(
        self, entry_id: str, entry_version: int, confidence: float, text: str, lang: str, send: bool
    ) -> None:
        del entry_id, entry_version, confidence, text, lang, send  # the draft is for the desk

    def _check_automatic(self, command: str) -> None:
        self._go(command)
        if not self.auto_reply:
            raise TransitionNotAllowedError(
                f"only an automatic answer can be {command}ed; an official wrote this reply",
                state=self.state.value,
            )

    def retract(self, reason: str) -> None:
        """Take back an automatic answer: an official must answer the case again."""
        self._check_automatic("retract")
        self._retracted(reason=reason)

    @event("AutoAnswerRetracted")
    def _retracted(self, reason: str) -> None:
        del reason
        self.reply = None
        self.auto_reply = False
        self.state = State.ASSIGNED

    def correct(self, text: str, template_id: str | None, lang: str) -> None:
        """Replace an automatic answer with an official's; publishing it sends it out."""
        self._check_automatic("correct")
        if not text.strip():
            raise InvalidInputError("a corrected reply needs text")
        self._corrected(text=text, template_id=template_id, lang=lang)

    @event("AutoAnswerCorrected")
    def _corrected(self, text: str, template_id: str | None, lang: str) -> None:
        del template_id, lang
        self.reply = text
        self.auto_reply = False
        self.state = State.RESPONDED

    def publish(self) -> None:
        self._go("publish")
        self._published()

    @event("ReplyPublished")
    def _published(self) -> None:
        self.state = State.PUBLISHED

    def close(self) -> None:
        self._go("close")
        self._closed()

    @event("Closed")
    def _closed(self) -> None:
        self.state = State.CLOSED

    def reopen(self, reason: str, by_citizen: bool) -> None:
        self._go("reopen")
        self._reopened(reason=reason, by_citizen=by_citizen)

    @event("Reopened")
    def _reopened(self, reason: str, by_citizen: bool) -> None:
        del reason, by_citizen
        self.reply = None
        self.state = State.ASSIGNED

    def merge(self, into_case: str) -> None:
        self._go("merge")
        if into_case == str(self.id):
            raise TransitionNotAllowedError("a case cannot be merged into itself")
        self._merged(into_case=into_case)

    @event("Merged")
    def _merged(self, into_case: str) -> None:
        self.merged_into = into_case
        self.state = State.MERGED

    def withdraw(self, reason: str) -> None:
        self._go("withdraw")
        self._withdrawn(reason=reason)

    @event("Withdrawn")
    def _withdrawn(self, reason: str) -> None:
        del reason
        self.state = State.WITHDRAWN
