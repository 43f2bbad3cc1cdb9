"""LIFELINE figures computed from update rows, each with the updates that produced it.

A figure is the sum of the *live* updates (not superseded) of one district and field;
verified and unverified statements are kept apart, so "value" is what the city confirms.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from domain.incidents import CASUALTY_FIELDS, DAMAGE_FIELDS, OFFICIAL_SOURCES

FIELDS = CASUALTY_FIELDS + DAMAGE_FIELDS
Row = dict[str, Any]


def _empty() -> dict[str, Any]:
    return {"value": 0, "unverified": 0, "updates": []}


def _add(cell: dict[str, Any], row: Row, amount: int) -> None:
    cell["value" if row["verified"] else "unverified"] += amount
    cell["updates"].append(row["id"])


def live(rows: Iterable[Row]) -> list[Row]:
    return [r for r in rows if not r["superseded_by"]]


def compute(rows: Sequence[Row]) -> dict[str, Any]:
    """Totals, per-district figures, source mix and "as of" from an incident's update rows."""
    totals = {f: _empty() for f in FIELDS}
    districts: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    sources: dict[str, int] = defaultdict(int)
    mix = {"official": 0, "citizen": 0}
    for row in live(rows):
        figures: dict[str, int] = json.loads(row["figures"])
        for name, amount in figures.items():
            _add(totals[name], row, amount)
            _add(districts[row["district"]].setdefault(name, _empty()), row, amount)
        sources[row["source"]] += 1
        if row["verified"]:
            mix["official" if row["source"] in OFFICIAL_SOURCES else "citizen"] += 1
    return {
        "as_of": max((r["at"] for r in rows), default=None),
        "totals": totals,
        "districts": [{"code": c, "figures": districts[c]} for c in sorted(districts)],
        "sources": dict(sorted(sources.items())),
        "mix": mix,
    }


def brief(figures: dict[str, Any]) -> dict[str, Any]:
    """The same figures without provenance lists (what pages and WebSocket deltas carry)."""

    def cells(group: dict[str, Any]) -> dict[str, dict[str, int]]:
        return {k: {"value": v["value"], "unverified": v["unverified"]} for k, v in group.items()}

    return {
        "as_of": figures["as_of"],
        "totals": cells(figures["totals"]),
        "districts": [
            {"code": d["code"], "figures": cells(d["figures"])} for d in figures["districts"]
        ],
        "sources": figures["sources"],
        "mix": figures["mix"],
    }


def revisions(rows: Sequence[Row], field: str, district: str | None) -> list[Row]:
    """Every update (live or superseded) that stated this field, oldest first."""
    out = []
    for row in rows:
        figures = json.loads(row["figures"])
        if field in figures and (district is None or row["district"] == district):
            out.append({**public_update(row), "amount": figures[field]})
    return out


def public_update(row: Row) -> Row:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "district": row["district"],
        "source": row["source"],
        "verified": bool(row["verified"]),
        "figures": json.loads(row["figures"]),
        "supersedes": row["supersedes"],
        "superseded_by": row["superseded_by"] or None,
        "live": not row["superseded_by"],
        "note": row["note"],
        "location": [row["lon"], row["lat"]] if row["lon"] is not None else None,
        "at": row["at"],
        "position": row["position"],
        "event": "smc:Incident.CasualtyUpdated"
        if row["kind"] == "casualty"
        else "smc:Incident.DamageUpdated",
    }
