"""Reads of the LIFELINE view. Each public function takes one open read transaction, so a
snapshot (position, incidents, warnings) is consistent with itself."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from projections.lifeline import WARNINGS
from projections.lifeline_figures import brief, compute
from projections.lifeline_shelters import shelters
from projections.views import Row, ViewTx

INCIDENT_COLUMNS = (
    "id, key, playbook_id, title_ko, title_en, districts, hashtags, status, state, opened_at,"
    " closed_at, updated_at, exercise, position"
)
TIMELINE = 30
ACTIVE = ("issued", "all_clear")


def position(tx: ViewTx) -> int:
    row = tx.one("SELECT MAX(position) AS p FROM ll_changes")
    return int(row["p"]) if row and row["p"] is not None else 0


def incidents(tx: ViewTx, exercise: bool) -> list[Row]:
    rows = tx.all(
        f"SELECT {INCIDENT_COLUMNS} FROM ll_incidents WHERE exercise = ?"  # noqa: S608
        " ORDER BY state DESC, updated_at DESC, id",
        [int(exercise)],
    )
    return [_incident(r) for r in rows]


def incident(tx: ViewTx, incident_id: str) -> Row | None:
    row = tx.one(
        f"SELECT {INCIDENT_COLUMNS} FROM ll_incidents WHERE id = ?",  # noqa: S608
        [incident_id],
    )
    return None if row is None else _incident(row)


def _incident(row: Row) -> Row:
    out = dict(row)
    out["districts"] = json.loads(out["districts"])
    out["hashtags"] = json.loads(out["hashtags"])
    out["exercise"] = bool(out["exercise"])
    return out


def updates(tx: ViewTx, incident_id: str) -> list[Row]:
    return tx.all("SELECT * FROM ll_updates WHERE incident_id = ? ORDER BY position", [incident_id])


def reports(tx: ViewTx, incident_id: str, limit: int = 20_000) -> list[Row]:
    return tx.all(
        "SELECT posting_id, district, lon, lat, excerpt, photo_url, created_at, how, state,"
        " linked_at FROM ll_reports WHERE incident_id = ? ORDER BY position LIMIT ?",
        [incident_id, limit],
    )


def report_counts(tx: ViewTx, incident_id: str) -> dict[str, int]:
    rows = tx.all(
        "SELECT state, COUNT(*) AS n FROM ll_reports WHERE incident_id = ? GROUP BY state",
        [incident_id],
    )
    counts = {"unverified": 0, "verified": 0, "false": 0}
    counts.update({r["state"]: int(r["n"]) for r in rows})
    return counts


def warnings(tx: ViewTx, exercise: bool, now_utc: str) -> list[Row]:
    status = "Exercise" if exercise else "Actual"
    rows = tx.all(
        "SELECT id, status, state, stage_id, severity, headline_ko, headline_en, instruction_ko,"
        " instruction_en, area, identifier, sent, expires_utc FROM ll_warnings"
        " WHERE status = ? AND state IN (?, ?) AND expires_utc > ? ORDER BY sent DESC, id",
        [status, *ACTIVE, now_utc],
    )
    for r in rows:
        area = json.loads(r.pop("area"))
        r["area"] = {
            "desc": area.get("desc", {}),
            "polygons": area.get("polygons", []),
            "circles": area.get("circles", []),
            "districts": [g[1] for g in area.get("geocodes", [])],
        }
    return rows


def timeline(rows: list[Row], inc: Row) -> list[Row]:
    entries: list[Row] = [{"at": inc["opened_at"], "what": "opened", "position": 0}]
    for r in rows:
        entries.append(
            {
                "at": r["at"],
                "what": r["kind"],
                "district": r["district"],
                "source": r["source"],
                "verified": bool(r["verified"]),
                "figures": json.loads(r["figures"]),
                "supersedes": r["supersedes"],
                "position": r["position"],
            }
        )
    if inc["state"] == "closed":
        entries.append({"at": inc["closed_at"], "what": "closed", "position": inc["position"]})
    return sorted(entries, key=lambda e: (e["at"], e["position"]), reverse=True)[:TIMELINE]


def state(tx: ViewTx, inc: Row) -> Row:
    """An incident as pages and WebSocket messages show it (figures without provenance)."""
    rows = updates(tx, inc["id"])
    return {
        "id": inc["id"],
        "title_ko": inc["title_ko"],
        "title_en": inc["title_en"],
        "playbook_id": inc["playbook_id"],
        "status": inc["status"],
        "state": inc["state"],
        "districts": inc["districts"],
        "hashtags": inc["hashtags"],
        "opened_at": inc["opened_at"],
        "closed_at": inc["closed_at"] or None,
        "figures": brief(compute(rows)),
        "reports": report_counts(tx, inc["id"]),
        "timeline": timeline(rows, inc),
        "shelters": shelters(tx, inc["id"]),
    }


@dataclass
class Changes:
    position: int
    incidents: list[str] = field(default_factory=list)
    warnings: bool = False


def changes_after(tx: ViewTx, since: int, exercise: bool) -> Changes:
    rows = tx.all(
        "SELECT position, incident_id FROM ll_changes WHERE position > ? AND exercise = ?"
        " ORDER BY position",
        [since, int(exercise)],
    )
    out = Changes(position=max([since, *(int(r["position"]) for r in rows)]))
    seen: dict[str, None] = {}
    for r in rows:
        if r["incident_id"] == WARNINGS:
            out.warnings = True
        else:
            seen[r["incident_id"]] = None
    out.incidents = list(seen)
    return out


def snapshot(tx: ViewTx, exercise: bool, now_utc: str) -> Row:
    return {
        "position": position(tx),
        "incidents": [state(tx, i) for i in incidents(tx, exercise)],
        "warnings": warnings(tx, exercise, now_utc),
    }


def delta(tx: ViewTx, changes: Changes, exercise: bool, now_utc: str) -> Row:
    found = [incident(tx, i) for i in changes.incidents]
    return {
        "position": changes.position,
        "incidents": [state(tx, i) for i in found if i is not None],
        "warnings": warnings(tx, exercise, now_utc) if changes.warnings else None,
    }
