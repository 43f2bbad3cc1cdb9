"""Reads of the ledger view for a department lead: the escalations (deadlines the watcher
recorded as missed, on cases still open), what falls due soon, and the load per official."""

from __future__ import annotations

from typing import Any

from projections.ledger import OPEN_STATES, LedgerProjection
from projections.views import Row

# awaiting the citizen pauses the clock: such a case is neither due soon nor overdue
WORKING = tuple(s for s in OPEN_STATES if s != "awaiting_citizen")
LEAD_COLUMNS = (
    "c.id, c.posting_id, c.state, c.request_class, c.deadline, c.unit, c.official, c.missed,"
    " c.version"
)


def _scope(unit: str | None, states: tuple[str, ...]) -> tuple[str, list[Any]]:
    where = f"c.state IN ({', '.join('?' * len(states))}) AND c.exercise = 0"
    params: list[Any] = list(states)
    if unit:
        where += " AND c.unit = ?"
        params.append(unit)
    return where, params


def missed_open(view: LedgerProjection, unit: str | None, limit: int = 200) -> list[Row]:
    """Open cases with a recorded DeadlineMissed, the longest overdue first."""
    where, params = _scope(unit, OPEN_STATES)
    return view.query(
        f"SELECT {LEAD_COLUMNS}, (SELECT MAX(m.at) FROM ledger_missed m WHERE m.case_id = c.id)"  # noqa: S608
        f" AS missed_at FROM ledger_cases c WHERE {where} AND c.missed > 0"
        " ORDER BY c.deadline, c.position LIMIT ?",
        [*params, limit],
    )


def due_soon(
    view: LedgerProjection, unit: str | None, now: str, until: str, limit: int = 200
) -> list[Row]:
    """Cases being worked on whose deadline falls in [now, until)."""
    where, params = _scope(unit, WORKING)
    return view.query(
        f"SELECT {LEAD_COLUMNS} FROM ledger_cases c WHERE {where}"  # noqa: S608
        " AND c.deadline >= ? AND c.deadline < ? ORDER BY c.deadline, c.position LIMIT ?",
        [*params, now, until, limit],
    )


def per_official(view: LedgerProjection, unit: str | None, now: str, until: str) -> list[Row]:
    """Open, overdue, due-soon and missed counts for each official (and the undesignated)."""
    where, params = _scope(unit, OPEN_STATES)
    working = ", ".join(f"'{s}'" for s in WORKING)
    rows = view.query(
        "SELECT COALESCE(c.official, '') AS official, COUNT(*) AS open,"  # noqa: S608
        f" SUM(CASE WHEN c.state IN ({working}) AND c.deadline < ? THEN 1 ELSE 0 END)"
        " AS overdue,"
        f" SUM(CASE WHEN c.state IN ({working}) AND c.deadline >= ? AND c.deadline < ?"
        " THEN 1 ELSE 0 END) AS due_soon,"
        " SUM(CASE WHEN c.missed > 0 THEN 1 ELSE 0 END) AS missed"
        f" FROM ledger_cases c WHERE {where} GROUP BY COALESCE(c.official, '')"
        " ORDER BY COALESCE(c.official, '')",
        [now, now, until, *params],
    )
    return [{k: (v if k == "official" else int(v or 0)) for k, v in r.items()} for r in rows]
