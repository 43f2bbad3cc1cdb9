"""Business calendar: which instants are working time, and arithmetic in working time.

Pure: no clock reads. Every datetime going in must be timezone-aware (naive ones raise
``ValueError``); every datetime coming out is in the calendar's zone. Arithmetic is done in
UTC, so the results stay right in zones with daylight saving time too.

Working time is the half-open window ``[work_start, work_end)`` of every working day (a day in
``workdays`` that is not in ``holidays``). A deadline that lands exactly on a closing time is
that closing time: it carries the same amount of working time as the next opening.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_data

SEOUL = ZoneInfo("Asia/Seoul")
_MAX_SCAN_DAYS = 366 * 30
_ZERO = timedelta(0)

Window = tuple[datetime, datetime]


def require_aware(value: datetime, name: str) -> None:
    """Raise ``ValueError`` unless ``value`` carries a timezone."""
    if value.tzinfo is None or value.utcoffset() is None:
        msg = (
            f"{name} must be timezone-aware, got the naive datetime {value.isoformat()}; "
            "attach a zone, e.g. ZoneInfo('Asia/Seoul') or UTC"
        )
        raise ValueError(msg)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours, working weekdays (Monday = 0) and public holidays in one zone.

    ``years``, when given, is the range the holiday list is known to cover; touching a day
    outside it raises ``ValueError`` instead of silently treating its holidays as working days.
    """

    work_start: time = time(9)
    work_end: time = time(18)
    workdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[date] = frozenset()
    tz: tzinfo = SEOUL
    years: range | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_window_of", {})  # a day's window, once worked out
        if self.work_start.tzinfo is not None or self.work_end.tzinfo is not None:
            msg = "work_start and work_end are local wall times; give them without tzinfo"
            raise ValueError(msg)
        if not self.work_start < self.work_end:
            msg = f"work_start {self.work_start} must be before work_end {self.work_end}"
            raise ValueError(msg)
        if not self.workdays or not self.workdays <= set(range(7)):
            msg = f"workdays must be a non-empty subset of 0..6 (Monday = 0), got {self.workdays}"
            raise ValueError(msg)

    @classmethod
    def korean(cls, years: range, **kw: Any) -> BusinessCalendar:
        """Seoul office hours with the public holidays of the Republic of Korea for ``years``."""
        official = holidays_data.country_holidays("KR", years=list(years))
        extra = frozenset(kw.pop("holidays", frozenset()))
        return cls(holidays=frozenset(official.keys()) | extra, years=years, **kw)

    @property
    def day_length(self) -> timedelta:
        """The working time of one working day (9 hours for 09:00-18:00)."""
        day = date(2000, 1, 3)
        return datetime.combine(day, self.work_end) - datetime.combine(day, self.work_start)

    def is_working_day(self, day: date) -> bool:
        if self.years is not None and day.year not in self.years:
            msg = (
                f"{day} is outside the years this calendar has holidays for "
                f"({self.years.start}..{self.years.stop - 1}); build it with a wider range"
            )
            raise ValueError(msg)
        return day.weekday() in self.workdays and day not in self.holidays

    def is_working_time(self, dt: datetime) -> bool:
        require_aware(dt, "dt")
        local = dt.astimezone(self.tz)
        in_hours = self.work_start <= local.time() < self.work_end
        return in_hours and self.is_working_day(local.date())

    def next_opening(self, dt: datetime) -> datetime:
        """``dt`` itself when it is working time, else the start of the next working window."""
        return self.add_working(dt, _ZERO)

    def add_working(self, start: datetime, duration: timedelta) -> datetime:
        """The instant after ``duration`` of working time counted from ``start``.

        A start outside working hours begins counting at the next opening. A negative
        duration counts backwards (used when resuming an overdue, paused deadline).
        """
        require_aware(start, "start")
        if duration < _ZERO:
            return self._subtract_working(start, -duration)
        cursor, left = start.astimezone(UTC), duration
        for opens, closes in self._windows(cursor, forward=True):
            if closes <= cursor:
                continue
            begin = max(opens, cursor)
            if left <= closes - begin:
                return (begin + left).astimezone(self.tz)
            left -= closes - begin
        raise AssertionError("unreachable: _windows raises first")  # pragma: no cover

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """``days`` working days = ``days`` x :attr:`day_length` of working time."""
        if days < 0:
            msg = f"days must be >= 0, got {days}"
            raise ValueError(msg)
        return self.add_working(start, days * self.day_length)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b)``; negative when ``b`` is before ``a``."""
        require_aware(a, "a")
        require_aware(b, "b")
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        if b < a:
            return -self.working_time_between(b, a)
        total = _ZERO
        for opens, closes in self._windows(a, forward=True):
            if opens >= b:
                break
            total += max(_ZERO, min(closes, b) - max(opens, a))
        return total

    def _subtract_working(self, end: datetime, duration: timedelta) -> datetime:
        cursor, left = end.astimezone(UTC), duration
        for opens, closes in self._windows(cursor, forward=False):
            if opens >= cursor:
                continue
            stop = min(closes, cursor)
            if left <= stop - opens:
                return (stop - left).astimezone(self.tz)
            left -= stop - opens
        raise AssertionError("unreachable: _windows raises first")  # pragma: no cover

    def _window(self, day: date) -> Window:
        known: dict[date, Window] = self.__dict__["_window_of"]
        window = known.get(day)
        if window is None:
            opens = datetime.combine(day, self.work_start, self.tz).astimezone(UTC)
            closes = datetime.combine(day, self.work_end, self.tz).astimezone(UTC)
            window = known[day] = (opens, closes)
        return window

    def _windows(self, around: datetime, *, forward: bool) -> Iterator[Window]:
        """Working windows from the local day of ``around`` onwards (or backwards)."""
        day = around.astimezone(self.tz).date()
        step = timedelta(days=1 if forward else -1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_working_day(day):
                yield self._window(day)
            day += step
        msg = f"no working time within {_MAX_SCAN_DAYS} days of {around.isoformat()}"
        raise ValueError(msg)
