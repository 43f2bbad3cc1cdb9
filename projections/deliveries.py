"""Fan-out outbox read model: one row per delivery, for the dispatcher and the desk page."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import domain.deliveries  # noqa: F401 - the events this projection reads
from projections.base import SmcProjection, handles
from projections.views import Row, ViewTx


class DeliveriesProjection(SmcProjection):
    name = "deliveries"
    tables = ("dlv_deliveries", "dlv_posts")
    ddl = (
        "CREATE TABLE IF NOT EXISTS dlv_deliveries (id TEXT PRIMARY KEY,"
        " identifier TEXT NOT NULL, warning_id TEXT NOT NULL, target TEXT NOT NULL,"
        " status TEXT NOT NULL, state TEXT NOT NULL, attempts BIGINT NOT NULL,"
        " remote_ids TEXT NOT NULL, reason TEXT NOT NULL, retry_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL, position BIGINT NOT NULL, requested_position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS dlv_deliveries_state ON dlv_deliveries (state)",
        "CREATE INDEX IF NOT EXISTS dlv_deliveries_warning ON dlv_deliveries (warning_id)",
        # every post that went out (a thread part counts as one), for the accounts' rate limits
        "CREATE TABLE IF NOT EXISTS dlv_posts (delivery_id TEXT NOT NULL, part BIGINT NOT NULL,"
        " target TEXT NOT NULL, posted_at TEXT NOT NULL, PRIMARY KEY (delivery_id, part))",
        "CREATE INDEX IF NOT EXISTS dlv_posts_time ON dlv_posts (posted_at)",
    )
    WORKABLE = "('requested', 'failed', 'attempting', 'rate_limited')"

    @handles("Delivery.Requested")
    def _requested(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO dlv_deliveries VALUES (?, ?, ?, ?, ?, 'requested', 0, '[]', '', '', ?, ?,"
            " ?) ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.identifier,
                e.warning_id,
                e.target,
                e.payload.get("status", ""),
                e.timestamp.isoformat(),
                position,
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
        did = str(e.originator_id)
        row = tx.one("SELECT remote_ids, target FROM dlv_deliveries WHERE id = ?", [did])
        ids = json.loads(row["remote_ids"]) if row else []
        self._set(e, tx, position, "remote_ids = ?", [json.dumps([*ids, e.remote_id])])
        if row:
            tx.execute(
                "INSERT INTO dlv_posts VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [did, e.part, row["target"], _utc(e)],
            )

    @handles("Delivery.Delivered")
    def _delivered(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, "state = 'delivered', reason = ''", [])

    @handles("Delivery.Failed")
    def _failed(self, e: Any, tx: ViewTx, position: int) -> None:
        state = "failed" if e.retry_at else "gave_up"
        sets = "state = ?, reason = ?, retry_at = ?"
        self._set(e, tx, position, sets, [state, e.reason, e.retry_at or ""])

    @handles("Delivery.RateLimited")
    def _rate_limited(self, e: Any, tx: ViewTx, position: int) -> None:
        sets = "state = 'rate_limited', reason = ?, retry_at = ?"
        self._set(e, tx, position, sets, [e.reason, e.until])

    @handles("Delivery.Uncertain")
    def _uncertain(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, "state = 'uncertain', reason = ?", [e.reason])
        # the interrupted post may have gone out: the rate limit counts it (part < 0)
        row = tx.one("SELECT target FROM dlv_deliveries WHERE id = ?", [str(e.originator_id)])
        if row:
            tx.execute(
                "INSERT INTO dlv_posts VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [str(e.originator_id), -position, row["target"], _utc(e)],
            )

    @handles("Delivery.Requeued")
    def _requeued(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, "state = 'requested', retry_at = '', attempts = 0", [])

    # -- queries ---------------------------------------------------------------------------
    def open_ids(self, limit: int = 500) -> list[str]:
        """Deliveries that may need work: requested, failed (to retry) or attempting."""
        rows = self.query(
            f"SELECT id FROM dlv_deliveries WHERE state IN {self.WORKABLE}"  # noqa: S608
            " ORDER BY requested_position LIMIT ?",
            [limit],
        )
        return [str(r["id"]) for r in rows]

    def open_by_target(self, limit: int = 500) -> list[list[str]]:
        """:meth:`open_ids` grouped by target; in each group warnings come before replies
        (``warning_id`` empty), each kind in the order it was requested."""
        rows = self.query(
            f"SELECT id, target FROM dlv_deliveries WHERE state IN {self.WORKABLE}"  # noqa: S608
            " ORDER BY CASE WHEN warning_id = '' THEN 1 ELSE 0 END, requested_position LIMIT ?",
            [limit],
        )
        groups: dict[str, list[str]] = {}
        for r in rows:
            groups.setdefault(str(r["target"]), []).append(str(r["id"]))
        return list(groups.values())

    def posts_since(self, since: str) -> list[tuple[str, str]]:
        """(target, posted_at) of every post recorded after ``since`` (UTC ISO; rate limits),
        interrupted (uncertain) attempts included."""
        rows = self.query(
            "SELECT target, posted_at FROM dlv_posts WHERE posted_at > ? ORDER BY posted_at",
            [since],
        )
        return [(str(r["target"]), str(r["posted_at"])) for r in rows]

    def for_warning(self, warning_id: str) -> list[Row]:
        return self.query(
            "SELECT id, identifier, target, status, state, attempts, remote_ids, reason, retry_at,"
            " updated_at FROM dlv_deliveries WHERE warning_id = ? ORDER BY identifier, target",
            [warning_id],
        )

    def counts(self) -> dict[str, int]:
        rows = self.query("SELECT state, COUNT(*) AS n FROM dlv_deliveries GROUP BY state")
        return {str(r["state"]): int(r["n"]) for r in rows}


def _utc(e: Any) -> str:
    return str(e.timestamp.astimezone(UTC).isoformat())
