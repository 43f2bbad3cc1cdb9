"""Event log read model: who did what, when, to which aggregate — the audit trail."""

from __future__ import annotations

from typing import Any

from projections.base import ANY_EVENT, SmcProjection, handles
from projections.views import Row, ViewTx


class EventLogProjection(SmcProjection):
    name = "event_log"
    tables = ("log_events",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS log_events (position BIGINT PRIMARY KEY,"
        " originator_id TEXT NOT NULL, version BIGINT NOT NULL, kind TEXT NOT NULL,"
        " actor TEXT NOT NULL, exercise INTEGER NOT NULL, at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS log_events_originator ON log_events (originator_id)",
    )

    @handles(ANY_EVENT)
    def _log(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO log_events VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (position) DO NOTHING",
            [
                position,
                str(e.originator_id),
                e.originator_version,
                getattr(type(e), "TOPIC", type(e).__qualname__).removeprefix("smc:"),
                getattr(e, "actor", "system:unknown"),
                int(getattr(e, "exercise", False)),
                e.timestamp.isoformat(),
            ],
        )

    def history(self, originator_id: str, limit: int = 200) -> list[Row]:
        return self.query(
            "SELECT position, version, kind, actor, exercise, at FROM log_events"
            " WHERE originator_id = ? ORDER BY position LIMIT ?",
            [originator_id, limit],
        )

    def recent(self, limit: int = 50) -> list[Row]:
        return self.query(
            "SELECT position, originator_id, kind, actor, exercise, at FROM log_events"
            " ORDER BY position DESC LIMIT ?",
            [limit],
        )
