"""Shelters in the LIFELINE view: one row per shelter, kept current by its events.

A mixin of :class:`projections.lifeline.LifelineProjection`, so that a shelter change is an
incident change in ``ll_changes`` and reaches the WebSocket clients like a casualty update.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import domain.shelters  # noqa: F401  (the events this mixin reads)
from projections.base import handles
from projections.views import Row, ViewTx

SHELTER_DDL = (
    "CREATE TABLE IF NOT EXISTS ll_shelters (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL,"
    " name_ko TEXT NOT NULL, name_en TEXT NOT NULL, address TEXT NOT NULL,"
    " lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL, district TEXT NOT NULL,"
    " capacity INTEGER NOT NULL, occupancy INTEGER NOT NULL, status TEXT NOT NULL,"
    " opened_at TEXT NOT NULL, updated_at TEXT NOT NULL, actor TEXT NOT NULL,"
    " exercise INTEGER NOT NULL, opened_position BIGINT NOT NULL, position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ll_shelters_incident ON ll_shelters (incident_id, opened_position)",
)
COLUMNS = (
    "id, name_ko, name_en, address, lon, lat, district, capacity, occupancy, status,"
    " opened_at, updated_at"
)


def utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def shelters(tx: ViewTx, incident_id: str) -> list[Row]:
    """An incident's shelters, in the order they were opened."""
    return tx.all(
        f"SELECT {COLUMNS} FROM ll_shelters WHERE incident_id = ? ORDER BY opened_position",  # noqa: S608
        [incident_id],
    )


def feature(s: Row) -> Row:
    """A shelter as an RFC 7946 Feature ([lon, lat])."""
    props = {k: s[k] for k in s if k not in ("lon", "lat")}
    point = {"type": "Point", "coordinates": [s["lon"], s["lat"]]}
    return {"type": "Feature", "geometry": point, "properties": {"kind": "shelter", **props}}


class ShelterHandlers:
    """Handlers of the Shelter events (mixed into the LIFELINE projection)."""

    def _touch(self, e: Any, tx: ViewTx, position: int) -> None:
        raise NotImplementedError  # provided by LifelineProjection

    @handles("Shelter.Opened")
    def _shelter_opened(self, e: Any, tx: ViewTx, position: int) -> None:
        at = utc(e.timestamp)
        tx.execute(
            "INSERT INTO ll_shelters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id), e.incident_id, e.name["ko"], e.name["en"], e.address,
                e.location[0], e.location[1], e.district, e.capacity, e.occupancy, e.status,
                at, at, e.actor, int(e.exercise), position, position,
            ],
        )  # fmt: skip
        self._touch(e, tx, position)

    @handles("Shelter.Updated")
    def _shelter_updated(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE ll_shelters SET capacity = ?, occupancy = ?, status = ?, updated_at = ?,"
            " actor = ?, position = ? WHERE id = ?",
            [
                e.capacity, e.occupancy, e.status, utc(e.timestamp), e.actor, position,
                str(e.originator_id),
            ],
        )  # fmt: skip
        self._touch(e, tx, position)
