"""The weekly/monthly/semi-annual performance report per department and per official."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

OPEN = {"triaged", "assigned", "designated", "under_review", "awaiting_citizen"}


def _hours(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() / 3600


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 2)


def summarise(rows: Iterable[dict[str, Any]], now: str, key: str) -> list[dict[str, Any]]:
    """Per ``key`` ("unit" or "official"): received, answered, answered on time, median and
    90th-percentile hours to first reply, overdue now, reopened."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["state"] != "merged":  # a merged duplicate is not a work item of its own
            groups[row[key] or "—"].append(row)
    out = []
    for name, items in sorted(groups.items()):
        answered = [r for r in items if r["first_reply_at"]]
        hours = [_hours(r["received_at"], r["first_reply_at"]) for r in answered]
        on_time = [
            r for r in answered if r["deadline"] is None or r["first_reply_at"] <= r["deadline"]
        ]
        overdue = [
            r
            for r in items
            if r["state"] in OPEN
            and r["deadline"]
            and r["deadline"] < now
            and not r["first_reply_at"]
        ]
        out.append(
            {
                key: name,
                "received": len(items),
                "answered": len(answered),
                "answered_on_time": len(on_time),
                "median_hours_to_reply": round(statistics.median(hours), 2) if hours else None,
                "p90_hours_to_reply": _p90(hours),
                "overdue_now": len(overdue),
                "reopened": sum(int(r["reopened"]) for r in items),
            }
        )
    return out
