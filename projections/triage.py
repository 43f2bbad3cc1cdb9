"""Triage read model: each posting's decisions (current values and the machine's), the review
queue, people's verdicts per field and week (how often the machine was right), hand-offs."""

from __future__ import annotations

import json
from typing import Any

import domain.deliveries
import domain.postings
import domain.triage
from projections.base import SmcProjection, handles
from projections.views import Row, ViewTx

VALUES = ("category", "request_class", "info_type", "district", "destination")
ITEM_COLUMNS = (
    "i.id, i.posting_id, i.decided_at, i.category, i.request_class, i.info_type, i.district,"
    " i.destination, i.decisions, i.min_confidence, i.status, i.corrections, i.handoff,"
    " i.exercise, i.position, p.channel, p.account, p.text, p.created_at"
)


def _week(event: Any) -> str:
    year, week, _ = event.timestamp.isocalendar()
    return f"{year}-W{week:02d}"


class TriageProjection(SmcProjection):
    name = "triage"
    tables = (
        "triage_postings",
        "triage_items",
        "triage_reviews",
        "triage_handoffs",
        "triage_config",
        "triage_outbox",
    )
    ddl = (
        "CREATE TABLE IF NOT EXISTS triage_postings (id TEXT PRIMARY KEY, channel TEXT NOT NULL,"
        " account TEXT, text TEXT NOT NULL, created_at TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS triage_items (id TEXT PRIMARY KEY, posting_id TEXT NOT NULL,"
        " decided_at TEXT NOT NULL, category TEXT, request_class TEXT, info_type TEXT,"
        " district TEXT, destination TEXT, decisions TEXT NOT NULL,"
        " min_confidence DOUBLE PRECISION NOT NULL, status TEXT NOT NULL,"
        " corrections INTEGER NOT NULL, handoff TEXT, exercise INTEGER NOT NULL,"
        " position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS triage_items_queue ON triage_items (status, min_confidence)",
        "CREATE TABLE IF NOT EXISTS triage_reviews (triage_id TEXT NOT NULL, field TEXT NOT NULL,"
        " week TEXT NOT NULL, correct INTEGER NOT NULL, PRIMARY KEY (triage_id, field))",
        "CREATE TABLE IF NOT EXISTS triage_handoffs (triage_id TEXT NOT NULL,"
        " position BIGINT NOT NULL, destination TEXT NOT NULL, adapter TEXT NOT NULL,"
        " ok INTEGER NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL,"
        " PRIMARY KEY (triage_id, position))",
        "CREATE TABLE IF NOT EXISTS triage_config (name TEXT PRIMARY KEY,"
        " taxonomy_version TEXT NOT NULL, rules_version TEXT NOT NULL, digest TEXT NOT NULL,"
        " at TEXT NOT NULL, position BIGINT NOT NULL)",
        # hand-offs through the Delivery outbox (domain.handoff_outbox), one per district
        "CREATE TABLE IF NOT EXISTS triage_outbox (delivery_id TEXT PRIMARY KEY,"
        " posting_id TEXT NOT NULL, destination TEXT NOT NULL, adapter TEXT NOT NULL,"
        " state TEXT NOT NULL, attempts INTEGER NOT NULL, reference TEXT NOT NULL,"
        " reason TEXT NOT NULL, retry_at TEXT NOT NULL, at TEXT NOT NULL,"
        " position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS triage_outbox_posting ON triage_outbox (posting_id)",
    )

    @handles("Posting.Received")
    def _posting(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO triage_postings VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.channel,
                e.details.get("account"),
                e.text[:2000],
                e.created_at.isoformat(),
                position,
            ],
        )

    @handles("Triage.Decided")
    def _decided(self, e: Any, tx: ViewTx, position: int) -> None:
        values = [(e.decisions.get(k) or {}).get("value") for k in VALUES]
        tx.execute(
            "INSERT INTO triage_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.posting_id,
                e.timestamp.isoformat(),
                *values,
                json.dumps(e.decisions, ensure_ascii=False),
                e.min_confidence,
                "open",
                0,
                None,
                int(e.exercise),
                position,
            ],
        )

    @handles("Triage.Corrected")
    def _corrected(self, e: Any, tx: ViewTx, position: int) -> None:
        if e.field not in VALUES:
            return
        tx.execute(
            f"UPDATE triage_items SET {e.field} = ?, corrections = corrections + 1,"  # noqa: S608
            " position = ? WHERE id = ?",
            [e.new, position, str(e.originator_id)],
        )
        tx.execute(
            "INSERT INTO triage_reviews VALUES (?, ?, ?, 0)"
            " ON CONFLICT (triage_id, field) DO UPDATE SET correct = 0",
            [str(e.originator_id), e.field, _week(e)],
        )

    @handles("Triage.Accepted")
    def _accepted(self, e: Any, tx: ViewTx, position: int) -> None:
        tid = str(e.originator_id)
        tx.execute(
            "UPDATE triage_items SET status = 'accepted', position = ? WHERE id = ?",
            [position, tid],
        )
        for field in e.fields:
            tx.execute(
                "INSERT INTO triage_reviews VALUES (?, ?, ?, 1)"
                " ON CONFLICT (triage_id, field) DO NOTHING",
                [tid, field, _week(e)],
            )

    @handles("Triage.HandedOff", "Triage.HandOffFailed")
    def _handoff(self, e: Any, tx: ViewTx, position: int) -> None:
        ok = type(e).__name__ == "HandedOff"
        detail = e.reference if ok else e.error
        tid = str(e.originator_id)
        tx.execute(
            "INSERT INTO triage_handoffs VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (triage_id, position) DO NOTHING",
            [tid, position, e.destination, e.adapter, int(ok), detail, e.timestamp.isoformat()],
        )
        state = f"{'sent' if ok else 'failed'}: {e.adapter} {detail}"[:300]
        tx.execute("UPDATE triage_items SET handoff = ? WHERE id = ?", [state, tid])

    @handles("Delivery.Requested")
    def _outbox_requested(self, e: Any, tx: ViewTx, position: int) -> None:
        if e.payload.get("kind") != "handoff":
            return
        tx.execute(
            "INSERT INTO triage_outbox VALUES (?, ?, ?, ?, 'requested', 0, '', '', '', ?, ?)"
            " ON CONFLICT (delivery_id) DO NOTHING",
            [
                str(e.originator_id),
                e.payload["posting_id"],
                e.payload["destination"],
                e.payload.get("adapter", ""),
                e.timestamp.isoformat(),
                position,
            ],
        )
        self._summary(tx, str(e.originator_id))

    @handles(
        "Delivery.Attempting",
        "Delivery.Delivered",
        "Delivery.Failed",
        "Delivery.Uncertain",
        "Delivery.Requeued",
    )
    def _outbox_step(self, e: Any, tx: ViewTx, position: int) -> None:
        kind = type(e).__name__
        sets, params = {
            "Attempting": ("state = 'attempting', attempts = attempts + 1", []),
            "Delivered": ("state = 'delivered', reason = '', reference = ?", [
                ", ".join(getattr(e, "remote_ids", []))
            ]),
            "Failed": ("state = ?, reason = ?, retry_at = ?", [
                "failed" if getattr(e, "retry_at", None) else "gave_up",
                getattr(e, "reason", ""), getattr(e, "retry_at", None) or "",
            ]),
            "Uncertain": ("state = 'uncertain', reason = ?", [getattr(e, "reason", "")]),
            "Requeued": ("state = 'requested', attempts = 0, retry_at = ''", []),
        }[kind]  # fmt: skip
        did = str(e.originator_id)
        tx.execute(
            f"UPDATE triage_outbox SET {sets}, at = ?, position = ?"  # noqa: S608
            " WHERE delivery_id = ?",
            [*params, e.timestamp.isoformat(), position, did],
        )
        self._summary(tx, did)

    def _summary(self, tx: ViewTx, did: str) -> None:
        row = tx.one("SELECT * FROM triage_outbox WHERE delivery_id = ?", [did])
        if row is None:
            return  # not a hand-off
        detail = row["reference"] or row["reason"]
        when = f" (retry at {row['retry_at'][:19]})" if row["state"] == "failed" else ""
        state = f"{row['state']}{when}: {row['adapter']} {row['destination']} {detail}"
        tx.execute(
            "UPDATE triage_items SET handoff = ? WHERE id = ?",
            [state.strip()[:300], str(domain.triage.triage_id(row["posting_id"]))],
        )

    @handles("TriageConfig.Reloaded")
    def _reloaded(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO triage_config VALUES ('main', ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE"
            " SET taxonomy_version = excluded.taxonomy_version,"
            " rules_version = excluded.rules_version, digest = excluded.digest,"
            " at = excluded.at, position = excluded.position",
            [e.taxonomy_version, e.rules_version, e.digest, e.timestamp.isoformat(), position],
        )

    # -- queries ---------------------------------------------------------------------------
    def _items(self, where: str, params: list[Any], limit: int) -> list[Row]:
        rows = self.query(
            f"SELECT {ITEM_COLUMNS} FROM triage_items i"  # noqa: S608
            f" LEFT JOIN triage_postings p ON p.id = i.posting_id WHERE {where}"
            " ORDER BY i.position DESC LIMIT ?",
            [*params, limit],
        )
        return [decode(r) for r in rows]

    def queue(self, threshold: float, limit: int = 50) -> list[Row]:
        """Open decisions the machine was not sure enough of."""
        return self._items("i.status = 'open' AND i.min_confidence < ?", [threshold], limit)

    def recent(self, limit: int = 50) -> list[Row]:
        return self._items("1 = 1", [], limit)

    def item(self, posting_id: str) -> Row | None:
        rows = self._items("i.posting_id = ?", [posting_id], 1)
        return rows[0] if rows else None

    def accuracy(self) -> list[Row]:
        """Per week and field: how many decisions people reviewed and how many were right."""
        rows = self.query(
            "SELECT week, field, COUNT(*) AS reviewed, SUM(correct) AS correct"
            " FROM triage_reviews GROUP BY week, field ORDER BY week, field"
        )
        for row in rows:
            row["correct"] = int(row["correct"] or 0)
            row["rate"] = round(row["correct"] / row["reviewed"], 4) if row["reviewed"] else None
        return rows

    def history(self, limit: int = 1_000_000) -> list[Row]:
        """Postings a person confirmed or corrected, with the final values (training data)."""
        return self.query(
            "SELECT p.text, p.channel, p.account, i.category, i.request_class, i.info_type,"
            " i.district, i.destination FROM triage_items i"
            " JOIN triage_postings p ON p.id = i.posting_id"
            " WHERE i.status = 'accepted' AND i.exercise = 0 ORDER BY i.position LIMIT ?",
            [limit],
        )

    def handoffs(self, posting_id: str) -> list[Row]:
        return self.query(
            "SELECT h.destination, h.adapter, h.ok, h.detail, h.at FROM triage_handoffs h"
            " JOIN triage_items i ON i.id = h.triage_id WHERE i.posting_id = ?"
            " ORDER BY h.position",
            [posting_id],
        )

    def outbox(self, posting_id: str) -> list[Row]:
        """The posting's hand-offs through the outbox, with their state."""
        return self.query(
            "SELECT delivery_id, destination, adapter, state, attempts, reference, reason,"
            " retry_at, at FROM triage_outbox WHERE posting_id = ? ORDER BY position",
            [posting_id],
        )

    def config(self) -> Row | None:
        rows = self.query("SELECT * FROM triage_config WHERE name = 'main'")
        return rows[0] if rows else None

    def counts(self) -> Row:
        return self.query(
            "SELECT COUNT(*) AS decided,"
            " SUM(CASE WHEN status = 'open' THEN 0 ELSE 1 END) AS reviewed,"
            " SUM(corrections) AS corrections FROM triage_items"
        )[0]


def decode(row: Row) -> Row:
    out = dict(row)
    out["decisions"] = json.loads(out["decisions"])
    out["exercise"] = bool(out["exercise"])
    return out
