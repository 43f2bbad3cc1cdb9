"""BusinessCalendar: working-time arithmetic on the Korean public-holiday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import SEOUL, BusinessCalendar

CAL = BusinessCalendar.korean(range(2025, 2029))
H = timedelta(hours=1)


def kst(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SEOUL)


def test_korean_calendar_knows_chuseok_and_hangul_day_2026() -> None:
    assert {date(2026, 9, 24), date(2026, 9, 25), date(2026, 9, 26)} <= CAL.holidays
    assert date(2026, 10, 9) in CAL.holidays
    assert CAL.day_length == timedelta(hours=9)


@pytest.mark.parametrize(
    ("start", "expected", "why"),
    [
        (kst(2026, 7, 10, 17), kst(2026, 7, 13, 11), "Friday 17:00 -> Monday 11:00"),
        (kst(2026, 9, 23, 17), kst(2026, 9, 28, 11), "before Chuseok 2026"),
        (kst(2026, 10, 8, 17), kst(2026, 10, 12, 11), "before Hangul Day 2026"),
        (kst(2026, 7, 11, 10), kst(2026, 7, 13, 12), "Saturday start begins Monday 09:00"),
        (kst(2026, 7, 14, 8), kst(2026, 7, 14, 12), "08:00 start begins at 09:00"),
        (kst(2026, 7, 14, 18), kst(2026, 7, 15, 12), "start at closing begins next day"),
        (kst(2026, 7, 14, 15), kst(2026, 7, 14, 18), "lands exactly on closing time"),
        (kst(2026, 7, 14, 22), kst(2026, 7, 15, 12), "evening start"),
    ],
)
def test_three_working_hours(start: datetime, expected: datetime, why: str) -> None:
    assert CAL.add_working(start, 3 * H) == expected, why


def test_zero_duration_is_the_next_opening() -> None:
    assert CAL.add_working(kst(2026, 7, 11, 10), timedelta(0)) == kst(2026, 7, 13, 9)
    assert CAL.next_opening(kst(2026, 7, 14, 10)) == kst(2026, 7, 14, 10)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (kst(2026, 7, 13, 10), 3, kst(2026, 7, 16, 10)),  # Monday 10:00 -> Thursday 10:00
        (kst(2026, 7, 23, 10), 3, kst(2026, 7, 28, 10)),  # Thursday -> Tuesday, over a weekend
        (kst(2026, 7, 20, 10), 5, kst(2026, 7, 27, 10)),  # 5 days = one week
        (kst(2026, 7, 13, 10), 5, kst(2026, 7, 21, 10)),  # Constitution Day 2026-07-17 skipped
        (kst(2026, 7, 13, 9), 3, kst(2026, 7, 15, 18)),  # from an opening: closing of day 3
        (kst(2026, 12, 30, 14), 3, kst(2027, 1, 5, 14)),  # New Year's Day and a weekend
        (kst(2026, 12, 30, 14), 5, kst(2027, 1, 7, 14)),
        (kst(2026, 7, 11, 12), 3, kst(2026, 7, 15, 18)),  # Saturday: counts from Monday 09:00
    ],
)
def test_working_days(start: datetime, days: int, expected: datetime) -> None:
    assert CAL.add_working_days(start, days) == expected


def test_inputs_in_utc_work_and_outputs_are_in_seoul() -> None:
    friday_17_kst = datetime(2026, 7, 10, 8, tzinfo=UTC)
    result = CAL.add_working(friday_17_kst, 3 * H)
    assert result == kst(2026, 7, 13, 11)
    assert result.utcoffset() == timedelta(hours=9)
    assert CAL.is_working_time(datetime(2026, 7, 13, 0, tzinfo=UTC))  # 09:00 KST
    assert not CAL.is_working_time(datetime(2026, 7, 13, 9, tzinfo=UTC))  # 18:00 KST


def test_is_working_time_edges() -> None:
    assert CAL.is_working_time(kst(2026, 7, 14, 9))
    assert CAL.is_working_time(kst(2026, 7, 14, 17, 59))
    assert not CAL.is_working_time(kst(2026, 7, 14, 18))
    assert not CAL.is_working_time(kst(2026, 7, 11, 12))  # Saturday
    assert not CAL.is_working_time(kst(2026, 9, 25, 12))  # Chuseok


def test_working_time_between() -> None:
    assert CAL.working_time_between(kst(2026, 7, 10, 17), kst(2026, 7, 13, 11)) == 3 * H
    assert CAL.working_time_between(kst(2026, 7, 13, 11), kst(2026, 7, 10, 17)) == -3 * H
    assert CAL.working_time_between(kst(2026, 7, 11), kst(2026, 7, 12, 23)) == timedelta(0)
    assert CAL.working_time_between(kst(2026, 9, 23, 9), kst(2026, 9, 29, 9)) == 18 * H


def test_negative_duration_counts_backwards() -> None:
    assert CAL.add_working(kst(2026, 7, 13, 11), -3 * H) == kst(2026, 7, 10, 17)


def test_naive_datetimes_are_rejected_clearly() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working(datetime(2026, 7, 10, 17), H)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.working_time_between(kst(2026, 7, 10), datetime(2026, 7, 11))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.is_working_time(datetime(2026, 7, 10))  # noqa: DTZ001


def test_outside_the_covered_years_raises() -> None:
    with pytest.raises(ValueError, match="outside the years"):
        CAL.add_working(kst(2031, 1, 2, 10), H)


def test_invalid_calendars_are_rejected() -> None:
    with pytest.raises(ValueError, match="before work_end"):
        BusinessCalendar(work_start=time(18), work_end=time(9))
    with pytest.raises(ValueError, match="workdays"):
        BusinessCalendar(workdays=frozenset({7}))
    with pytest.raises(ValueError, match="workdays"):
        BusinessCalendar(workdays=frozenset())


def test_custom_calendar_with_extra_holiday_and_saturday_work() -> None:
    cal = BusinessCalendar.korean(
        range(2026, 2027), workdays=frozenset(range(6)), holidays={date(2026, 7, 11)}
    )
    assert cal.add_working(kst(2026, 7, 10, 17), 3 * H) == kst(2026, 7, 13, 11)
    assert cal.add_working(kst(2026, 7, 24, 17), 3 * H) == kst(2026, 7, 25, 11)  # Saturday


starts = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2028, 6, 1),  # noqa: DTZ001
    timezones=st.just(SEOUL),
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(weeks=4))


@settings(max_examples=300, deadline=None)
@given(start=starts, duration=durations)
def test_add_working_then_measure_gives_the_duration_back(
    start: datetime, duration: timedelta
) -> None:
    end = CAL.add_working(start, duration)
    assert end >= start
    assert CAL.working_time_between(start, end) == duration


@settings(max_examples=200, deadline=None)
@given(start=starts, duration=durations)
def test_backwards_is_the_inverse(start: datetime, duration: timedelta) -> None:
    end = CAL.add_working(start, duration)
    assert CAL.working_time_between(CAL.add_working(end, -duration), end) == duration
