"""Application service for the ledger: open, classify, route, answer and close cases, with
deadlines on the city's business calendar and no silent overwrites between two officials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from domain.calendar import BusinessCalendar
from domain.context import Cause, current_time
from domain.deadline_policy import Deadline, DeadlinePolicy
from domain.errors import ConcurrencyConflictError, InvalidInputError
from domain.escalation import Escalates, escalation_mail
from domain.ledger import TRANSITIONS, Case, State
from domain.postings import Posting
from domain.reply_outbox import ReplyOutbox
from domain.store import Commands, Recorded

UNIT_KINDS = ("department", "district")


def check_unit(unit: str) -> str:
    kind, _, code = unit.partition(":")
    if kind not in UNIT_KINDS or not code.strip():
        raise InvalidInputError("a unit is 'department:<CODE>' or 'district:<SIG_CD>'")
    return f"{kind}:{code.strip().upper() if kind == 'department' else code.strip()}"


class LedgerService:
    def __init__(
        self,
        commands: Commands,
        calendar: BusinessCalendar,
        policy: DeadlinePolicy | None = None,
        emergency: Callable[[], bool] = lambda: False,
        reply_account: str = "seoul_smc",
        escalates: Escalates = lambda _unit: False,
    ) -> None:
        self.replies = ReplyOutbox(commands.store, reply_account)
        self.escalates = escalates
        self.commands = commands
        self.store = commands.store
        self.calendar = calendar
        self.policy = policy or DeadlinePolicy.default()
        self.emergency = emergency

    # -- helpers ---------------------------------------------------------------------------
    def _act(
        self,
        cause: Cause,
        case_id: UUID,
        expected_version: int | None,
        change: Callable[[Case], None],
    ) -> Recorded:
        def command() -> Recorded:
            case = self.store.load(case_id, Case, "case")
            if expected_version is not None and case.version != expected_version:
                raise ConcurrencyConflictError(
                    "someone else changed this case first; here is its current state",
                    state=case.state.value,
                    version=case.version,
                    official=case.official,
                    unit=case.unit,
                )
            change(case)
            return Recorded(case.id, self.commands.save(case))

        return self.commands.run(cause, command)

    def _wall_clock(self, request_class: str) -> bool:
        return self.policy.counts_wall_clock(request_class, emergency=self.emergency())

    # -- commands --------------------------------------------------------------------------
    def open(self, cause: Cause, posting_id: str, channel: str, received_at: datetime) -> Recorded:
        """Open the case of a posting (idempotent: an existing case is returned as it is)."""

        def command() -> Recorded:
            case_id = Case.create_id(posting_id)
            if self.store.exists(case_id):
                return Recorded(case_id, self.store.head())
            case = Case(posting_id, channel, received_at)
            return Recorded(case.id, self.commands.save(case))

        return self.commands.run(cause, command)

    def open_posting(self, cause: Cause, posting_id: UUID) -> Recorded:
        """Open the case of a stored posting, by its id (NotFoundError if there is none)."""
        posting = self.store.load(posting_id, Posting, "posting")
        return self.open(cause, str(posting.id), posting.channel, posting.created_at)

    def new_case(
        self, posting: Posting, request_class: str | None, unit: str | None, reason: str
    ) -> Case:
        """A posting's case, classified and assigned as far as triage knows (inside a command;
        the caller saves it together with the posting)."""
        if request_class is None or request_class not in self.policy.rules:
            return Case(str(posting.id), posting.channel, posting.created_at)
        emergency = self.emergency()
        deadline = Deadline.compute(
            posting.created_at, request_class, self.calendar, self.policy, emergency=emergency
        )
        return Case.open_routed(  # one event for Opened + Classified (+ Assigned)
            str(posting.id),
            posting.channel,
            posting.created_at,
            (request_class, deadline, emergency),
            (check_unit(unit) if unit is not None else None, reason),
        )

    def reroute(self, case: Case, request_class: str | None, unit: str | None, reason: str) -> bool:
        """Follow a triage correction (inside a command; the caller saves). True if changed."""
        version = case.version
        if (
            request_class is not None
            and request_class in self.policy.rules
            and request_class != case.request_class
            and case.state in (State.RECEIVED, *TRANSITIONS["reclassify"][0])
        ):
            emergency = self.emergency()
            deadline = Deadline.compute(
                case.received_at, request_class, self.calendar, self.policy, emergency=emergency
            )
            case.classify(request_class, deadline, emergency)
        if unit is not None and unit != case.unit:
            if case.state is State.TRIAGED:
                case.assign(check_unit(unit), reason)
            elif case.state in TRANSITIONS["transfer"][0]:
                case.transfer(check_unit(unit), reason)
        return case.version != version

    def classify(
        self, cause: Cause, case_id: UUID, request_class: str, expected_version: int | None = None
    ) -> Recorded:
        try:
            self.policy.rule(request_class)
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None

        def change(case: Case) -> None:
            emergency = self.emergency()
            deadline = Deadline.compute(
                case.received_at, request_class, self.calendar, self.policy, emergency=emergency
            )
            case.classify(request_class, deadline, emergency)

        return self._act(cause, case_id, expected_version, change)

    def assign(
        self,
        cause: Cause,
        case_id: UUID,
        unit: str,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Recorded:
        unit = check_unit(unit)
        return self._act(cause, case_id, expected_version, lambda c: c.assign(unit, reason))

    def transfer(
        self,
        cause: Cause,
        case_id: UUID,
        unit: str,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        unit = check_unit(unit)
        if not reason.strip():
            raise InvalidInputError("a transfer needs a reason")
        return self._act(cause, case_id, expected_version, lambda c: c.transfer(unit, reason))

    def send_back(
        self, cause: Cause, case_id: UUID, reason: str, expected_version: int | None = None
    ) -> Recorded:
        return self._act(cause, case_id, expected_version, lambda c: c.send_back(reason))

    def designate(
        self, cause: Cause, case_id: UUID, official: str, expected_version: int | None = None
    ) -> Recorded:
        if not official.strip():
            raise InvalidInputError("designate whom? give the official's user name")
        return self._act(cause, case_id, expected_version, lambda c: c.designate(official))

    def start_review(
        self, cause: Cause, case_id: UUID, expected_version: int | None = None
    ) -> Recorded:
        return self._act(cause, case_id, expected_version, lambda c: c.start_review())

    def await_citizen(
        self, cause: Cause, case_id: UUID, question: str, expected_version: int | None = None
    ) -> Recorded:
        def change(case: Case) -> None:
            remaining = None
            if case.deadline is not None and case.request_class is not None:
                wall = self._wall_clock(case.request_class)
                left = Deadline.remaining(
                    case.deadline, current_time(), self.calendar, wall_clock=wall
                )
                remaining = left.total_seconds()
            case.await_citizen(question, remaining)

        return self._act(cause, case_id, expected_version, change)

    def citizen_replied(self, cause: Cause, case_id: UUID, text: str) -> Recorded:
        def change(case: Case) -> None:
            deadline = None
            if case.remaining_seconds is not None and case.request_class is not None:
                deadline = Deadline.resume(
                    timedelta(seconds=case.remaining_seconds),
                    current_time(),
                    self.calendar,
                    wall_clock=self._wall_clock(case.request_class),
                )
            case.citizen_replied(text, deadline)

        return self._act(cause, case_id, None, change)

    def respond(
        self,
        cause: Cause,
        case_id: UUID,
        text: str,
        *,
        template_id: str | None = None,
        lang: str = "ko",
        automatic: bool = False,
        expected_version: int | None = None,
    ) -> Recorded:
        return self._act(
            cause,
            case_id,
            expected_version,
            lambda c: c.respond(text, template_id, lang, automatic),
        )

    def publish(self, cause: Cause, case_id: UUID) -> Recorded:
        """Publish the reply: on the public record at once, and back through the channel it
        came from (an X reply through the outbox, in the same transaction)."""

        def command() -> Recorded:
            case = self.store.load(case_id, Case, "case")
            case.publish()
            delivery = self.replies.deliveries(case)
            return Recorded(case.id, self.commands.save(case, *delivery))

        return self.commands.run(cause, command)

    def retract(
        self, cause: Cause, case_id: UUID, reason: str, expected_version: int | None = None
    ) -> Recorded:
        """Take back an automatic answer; the case goes back to its department's inbox."""
        if not reason.strip():
            raise InvalidInputError("say why the automatic answer is retracted")
        return self._act(cause, case_id, expected_version, lambda c: c.retract(reason))

    def correct(
        self,
        cause: Cause,
        case_id: UUID,
        text: str,
        *,
        template_id: str | None = None,
        lang: str = "ko",
        expected_version: int | None = None,
    ) -> Recorded:
        """Replace an automatic answer with an official's (published with ``publish``)."""
        return self._act(
            cause, case_id, expected_version, lambda c: c.correct(text, template_id, lang)
        )

    def close(self, cause: Cause, case_id: UUID, expected_version: int | None = None) -> Recorded:
        return self._act(cause, case_id, expected_version, lambda c: c.close())

    def reopen(
        self,
        cause: Cause,
        case_id: UUID,
        reason: str,
        *,
        by_citizen: bool = False,
        expected_version: int | None = None,
    ) -> Recorded:
        return self._act(cause, case_id, expected_version, lambda c: c.reopen(reason, by_citizen))

    def merge(
        self, cause: Cause, case_id: UUID, into: UUID, expected_version: int | None = None
    ) -> Recorded:
        self.store.load(into, Case, "case to merge into")
        return self._act(cause, case_id, expected_version, lambda c: c.merge(str(into)))

    def withdraw(
        self, cause: Cause, case_id: UUID, reason: str, expected_version: int | None = None
    ) -> Recorded:
        return self._act(cause, case_id, expected_version, lambda c: c.withdraw(reason))

    def record_missed(self, cause: Cause, case_id: UUID, deadline: datetime) -> bool:
        """Record DeadlineMissed once; False when it was already recorded or no longer due.
        The lead's mail, when the unit has one, is queued in the same transaction."""

        def command() -> bool:
            case = self.store.load(case_id, Case, "case")
            if not case.record_missed(deadline):
                return False
            mail = [escalation_mail(case, deadline)] if self.escalates(case.unit) else []
            self.commands.save(case, *mail)
            return True

        return self.commands.run(cause, command)

    def state(self, case_id: UUID) -> State:
        return self.store.load(case_id, Case, "case").state
