"""CAP 1.2 date-time text (section 3.3.2): ``2026-07-14T15:00:00+09:00``.

No fractional seconds, no "Z"; UTC is written "-00:00" as the spec requires.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

CAP_TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d")


def format_cap_time(value: datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"CAP times need a timezone: {value!r}")
    if offset % timedelta(minutes=1):
        raise ValueError(f"CAP time offsets are whole minutes: {offset}")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes <= 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{value.strftime('%Y-%m-%dT%H:%M:%S')}{sign}{hours:02d}:{mins:02d}"


def parse_cap_time(text: str) -> datetime:
    """Parse CAP date-time text into an aware datetime; raises ValueError otherwise."""
    stripped = text.strip()
    if not CAP_TIME_RE.fullmatch(stripped):
        raise ValueError(f"{stripped!r} is not a CAP date-time (YYYY-MM-DDThh:mm:ss+hh:mm)")
    return datetime.fromisoformat(stripped)
