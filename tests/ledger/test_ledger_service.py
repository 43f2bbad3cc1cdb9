"""Ledger stories: deadlines on the business calendar, pauses, conflicts, missed deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.bootstrap import Container
from domain.calendar import BusinessCalendar
from domain.clock import FixedClock
from domain.context import Cause
from domain.errors import ConcurrencyConflictError, InvalidInputError, TransitionNotAllowedError
from domain.ledger import Case, State
from domain.ledger_service import LedgerService

KST = ZoneInfo("Asia/Seoul")
KIM = Cause("system:test")


@pytest.fixture
def ledger(container: Container) -> LedgerService:
    return LedgerService(container.commands, BusinessCalendar.korean(range(2025, 2028)))


def opened(ledger: LedgerService, clock: FixedClock, at: datetime, cls: str = "simple") -> Case:
    clock.set(at)
    r = ledger.open(KIM, f"posting-{at.isoformat()}", "open311", at)
    ledger.classify(KIM, r.id, cls)
    return ledger.store.load(r.id, Case, "case")


def test_three_working_hours_from_friday_evening(ledger: LedgerService, clock: FixedClock) -> None:
    case = opened(ledger, clock, datetime(2026, 7, 17 - 1, 17, 0, tzinfo=KST))  # Thu 16 Jul
    assert case.deadline == datetime(2026, 7, 20, 11, 0, tzinfo=KST)  # Fri 17 Jul is a holiday
    friday = opened(ledger, clock, datetime(2026, 7, 10, 17, 0, tzinfo=KST))
    assert friday.deadline == datetime(2026, 7, 13, 11, 0, tzinfo=KST)


def test_day_before_chuseok(ledger: LedgerService, clock: FixedClock) -> None:
    case = opened(ledger, clock, datetime(2026, 9, 23, 17, 0, tzinfo=KST))
    assert case.deadline == datetime(2026, 9, 28, 11, 0, tzinfo=KST)
    review = opened(ledger, clock, datetime(2026, 7, 13, 10, 0, tzinfo=KST), "review")
    assert review.deadline == datetime(2026, 7, 16, 10, 0, tzinfo=KST)


def test_full_story_with_pause(ledger: LedgerService, clock: FixedClock) -> None:
    case = opened(ledger, clock, datetime(2026, 7, 13, 10, 0, tzinfo=KST))
    cid = case.id
    ledger.assign(KIM, cid, "department:bus", "rule: bus")
    ledger.designate(KIM, cid, "kim.official")
    clock.set(datetime(2026, 7, 13, 11, 0, tzinfo=KST))  # 2 working hours left
    ledger.await_citizen(KIM, cid, "어느 정류장인가요?")
    clock.set(datetime(2026, 7, 14, 9, 0, tzinfo=KST))  # the clock was paused overnight
    ledger.citizen_replied(KIM, cid, "강남역 11번 출구")
    assert ledger.store.load(cid, Case, "case").deadline == datetime(2026, 7, 14, 11, 0, tzinfo=KST)
    ledger.respond(KIM, cid, "확인했습니다. 조치하겠습니다.", template_id="bus-stop-ko")
    ledger.publish(KIM, cid)
    ledger.close(KIM, cid)
    assert ledger.state(cid) is State.CLOSED
    ledger.reopen(KIM, cid, "아직 그대로입니다", by_citizen=True)
    assert ledger.state(cid) is State.ASSIGNED


def test_two_officials_at_once_one_wins_the_other_gets_the_state(
    ledger: LedgerService, clock: FixedClock
) -> None:
    case = opened(ledger, clock, datetime(2026, 7, 13, 10, 0, tzinfo=KST))
    ledger.assign(KIM, case.id, "department:BUS")
    seen = ledger.store.load(case.id, Case, "case").version
    ledger.designate(KIM, case.id, "kim.official", expected_version=seen)
    with pytest.raises(ConcurrencyConflictError) as err:
        ledger.designate(KIM, case.id, "lee.official", expected_version=seen)
    assert err.value.extra["state"] == "designated"
    assert err.value.extra["official"] == "kim.official"


def test_bad_commands_are_clear(ledger: LedgerService, clock: FixedClock) -> None:
    case = opened(ledger, clock, datetime(2026, 7, 13, 10, 0, tzinfo=KST))
    with pytest.raises(InvalidInputError, match="department:<CODE>"):
        ledger.assign(KIM, case.id, "BUS")
    with pytest.raises(TransitionNotAllowedError, match="cannot publish a case that is triaged"):
        ledger.publish(KIM, case.id)
    with pytest.raises(InvalidInputError, match="no deadline rule"):
        ledger.classify(KIM, case.id, "urgent-ish")


def test_deadline_missed_is_recorded_once(ledger: LedgerService, clock: FixedClock) -> None:
    case = opened(ledger, clock, datetime(2026, 7, 13, 10, 0, tzinfo=KST))
    ledger.assign(KIM, case.id, "department:BUS")
    deadline = ledger.store.load(case.id, Case, "case").deadline
    assert deadline is not None
    clock.set(deadline + timedelta(minutes=1))
    assert ledger.record_missed(KIM, case.id, deadline) is True
    assert ledger.record_missed(KIM, case.id, deadline) is False
    assert ledger.open(KIM, case.posting_id, "open311", deadline).id == case.id
