"""Fan-out outbox read model: one row per delivery, for the dispatcher and the desk page."""

from __future__ import annotations

import json
from typing import Any

import domain.deliveries  # noqa: F401 - the events this projection reads
from projections.base import SmcProjection, handles
from projections.views import Row, ViewTx


class DeliveriesProjection(SmcProjection):
    name = "deliveries"
    tables = ("dlv_deliveries",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS dlv_deliveries (id TEXT PRIMARY KEY,"
        " identifier TEXT NOT NULL, warning_id TEXT NOT NULL, target TEXT NOT NULL,"
        " status TEXT NOT NULL, state TEXT NOT NULL, attempts BIGINT NOT NULL,"
        " remote_ids TEXT NOT NULL, reason TEXT NOT NULL, retry_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS dlv_deliveries_state ON dlv_deliveries (state)",
        "CREATE INDEX IF NOT EXISTS dlv_deliveries_warning ON dlv_deliveries (warning_id)",
    )

    @handles("Delivery.Requested")
    def _requested(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO dlv_deliveries VALUES (?, ?, ?, ?, ?, 'requested', 0, '[]', '', '', ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.identifier,
                e.warning_id,
                e.target,
                e.payload.get("status", ""),
                e.timestamp.isoformat(),
                position,
            ],
        )

    def _set(self, e: Any, tx: ViewTx, position: int, sets: str, params: list[Any]) -> None:
        tx.execute(
            f"UPDATE dlv_deliveries SET {sets}, updated_at = ?, position = ?"  # noqa: S608
            " WHERE id = ?",
            [*params, e.timestamp.isoformat(), position, str(e.originator_id)],
        )

    @handles("Delivery.Attempting")
    def _attempting(self, e: Any, tx: ViewTx, position: int) -> None:
        extra = "" if e.part else ", attempts = attempts + 1"
        self._set(e, tx, position, "state = 'attempting'" + extra, [])

    @handles("Delivery.PartPosted")
    def _part(self, e: Any, tx: ViewTx, position: int) -> None:
        row = tx.one("SELECT remote_ids FROM dlv_deliveries WHERE id = ?", [str(e.originator_id)])
        ids = json.loads(row["remote_ids"]) if row else []
        self._set(e, tx, position, "remote_ids = ?", [json.dumps([*ids, e.remote_id])])

    @handles("Delivery.Delivered")
    def _delivered(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, "state = 'delivered', reason = ''", [])

    @handles("Delivery.Failed")
    def _failed(self, e: Any, tx: ViewTx, position: int) -> None:
        state = "failed" if e.retry_at else "gave_up"
        sets = "state = ?, reason = ?, retry_at = ?"
        self._set(e, tx, position, sets, [state, e.reason, e.retry_at or ""])

    @handles("Delivery.Uncertain")
    def _uncertain(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, "state = 'uncertain', reason = ?", [e.reason])

    @handles("Delivery.Requeued")
    def _requeued(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, "state = 'requested', retry_at = '', attempts = 0", [])

    # -- queries ---------------------------------------------------------------------------
    def open_ids(self, limit: int = 500) -> list[str]:
        """Deliveries that may need work: requested, failed (to retry) or attempting."""
        rows = self.query(
            "SELECT id FROM dlv_deliveries WHERE state IN ('requested', 'failed', 'attempting')"
            " ORDER BY position LIMIT ?",
            [limit],
        )
        return [str(r["id"]) for r in rows]

    def open_by_target(self, limit: int = 500) -> list[list[str]]:
        """:meth:`open_ids` grouped by target, each group in the order it was requested."""
        rows = self.query(
            "SELECT id, target FROM dlv_deliveries WHERE state IN ('requested', 'failed',"
            " 'attempting') ORDER BY position LIMIT ?",
            [limit],
        )
        groups: dict[str, list[str]] = {}
        for r in rows:
            groups.setdefault(str(r["target"]), []).append(str(r["id"]))
        return list(groups.values())

    def for_warning(self, warning_id: str) -> list[Row]:
        return self.query(
            "SELECT id, identifier, target, status, state, attempts, remote_ids, reason, retry_at,"
            " updated_at FROM dlv_deliveries WHERE warning_id = ? ORDER BY identifier, target",
            [warning_id],
        )

    def counts(self) -> dict[str, int]:
        rows = self.query("SELECT state, COUNT(*) AS n FROM dlv_deliveries GROUP BY state")
        return {str(r["state"]): int(r["n"]) for r in rows}
