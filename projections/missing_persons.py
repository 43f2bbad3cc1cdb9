"""Missing-persons read model: records with their name keys, notes with moderation state.

Private fields (exact address, contact details) live in their own columns and only the staff
queries return them. The public queries filter by exercise, expiry and retention.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import domain.incidents  # the incident lifecycle, for retention
import domain.missing_persons  # noqa: F401 - the events this projection reads
from domain.missing_persons import RETENTION_DAYS
from domain.person_names import name_keys, query_keys
from projections.base import SmcProjection, handles
from projections.lifeline import utc
from projections.views import Row, ViewTx

PUBLIC_COLUMNS = (
    "p.id, p.incident_id, p.full_name, p.alternate_names, p.public, p.status, p.expiry_date,"
    " p.updated_at"
)


class MissingPersonsProjection(SmcProjection):
    name = "missing_persons"
    tables = ("mp_persons", "mp_notes", "mp_incidents")
    ddl = (
        "CREATE TABLE IF NOT EXISTS mp_persons (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL,"
        " full_name TEXT NOT NULL, alternate_names TEXT NOT NULL, search TEXT NOT NULL,"
        " public TEXT NOT NULL, private TEXT NOT NULL, status TEXT NOT NULL,"
        " expiry_date TEXT NOT NULL, exercise INTEGER NOT NULL, created_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS mp_notes (id TEXT PRIMARY KEY, person_id TEXT NOT NULL,"
        " status TEXT NOT NULL, text TEXT NOT NULL, author_name TEXT NOT NULL,"
        " last_known_location TEXT NOT NULL, contact TEXT NOT NULL, moderation TEXT NOT NULL,"
        " moderated_by TEXT NOT NULL, at TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS mp_notes_person ON mp_notes (person_id, position)",
        "CREATE TABLE IF NOT EXISTS mp_incidents (id TEXT PRIMARY KEY, closed_at TEXT NOT NULL)",
    )

    @handles("Incident.Opened")
    def _opened(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        tx.execute(
            "INSERT INTO mp_incidents VALUES (?, '') ON CONFLICT (id) DO NOTHING",
            [str(e.originator_id)],
        )

    @handles("Incident.Closed")
    def _closed(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        tx.execute(
            "UPDATE mp_incidents SET closed_at = ? WHERE id = ?",
            [utc(e.timestamp), str(e.originator_id)],
        )

    @handles("PersonRecord.Registered")
    def _registered(self, e: Any, tx: ViewTx, position: int) -> None:
        names = [e.names["full_name"], *e.names.get("alternate_names", [])]
        at = utc(e.timestamp)
        tx.execute(
            "INSERT INTO mp_persons VALUES (?, ?, ?, ?, ?, ?, ?, 'information_sought', ?, ?, ?,"
            " ?, ?) ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.incident_id,
                e.names["full_name"],
                json.dumps(e.names.get("alternate_names", []), ensure_ascii=False),
                name_keys(names),
                json.dumps(e.public, ensure_ascii=False),
                json.dumps(e.private, ensure_ascii=False),
                utc(datetime.fromisoformat(e.expiry_date)),
                int(e.exercise),
                at,
                at,
                position,
            ],
        )

    @handles("PersonRecord.NoteAdded")
    def _note(self, e: Any, tx: ViewTx, position: int) -> None:
        n = e.note
        tx.execute(
            "INSERT INTO mp_notes VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', '', ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                e.note_id,
                str(e.originator_id),
                n["status"],
                n["text"],
                n.get("author_name", ""),
                n.get("last_known_location", ""),
                json.dumps(n.get("author_contact", {}), ensure_ascii=False),
                utc(e.timestamp),
                position,
            ],
        )

    @handles("PersonRecord.NoteModerated")
    def _moderated(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        pid = str(e.originator_id)
        tx.execute(
            "UPDATE mp_notes SET moderation = ?, moderated_by = ? WHERE id = ?",
            [e.decision, e.actor, e.note_id],
        )
        latest = tx.one(
            "SELECT status FROM mp_notes WHERE person_id = ? AND moderation = 'approved'"
            " ORDER BY position DESC LIMIT 1",
            [pid],
        )
        status = latest["status"] if latest else "information_sought"
        tx.execute(
            "UPDATE mp_persons SET status = ?, updated_at = ? WHERE id = ?",
            [status, utc(e.timestamp), pid],
        )

    # -- public reads -----------------------------------------------------------------------
    @staticmethod
    def _policy(exercise: bool, now: datetime, retention_days: int) -> tuple[list[str], list[Any]]:
        """What the public may see: the view's records, before their expiry, and no longer
        than ``retention_days`` after their incident was closed."""
        where = ["p.exercise = ?", "p.expiry_date > ?", "(i.closed_at = '' OR i.closed_at > ?)"]
        return where, [int(exercise), utc(now), utc(now - timedelta(days=retention_days))]

    def _public_rows(self, where: list[str], params: list[Any]) -> list[Row]:
        rows = self.query(
            f"SELECT {PUBLIC_COLUMNS} FROM mp_persons p JOIN mp_incidents i"  # noqa: S608
            f" ON i.id = p.incident_id WHERE {' AND '.join(where)}"
            " ORDER BY p.full_name, p.id LIMIT 50",
            params,
        )
        return [self._public(r) for r in rows]

    def search(
        self,
        query: str,
        *,
        exercise: bool,
        now: datetime,
        incident_id: str | None = None,
        retention_days: int = RETENTION_DAYS,
    ) -> list[Row]:
        where, params = self._policy(exercise, now, retention_days)
        for key in query_keys(query):
            where.append("p.search LIKE ?")
            params.append(f"%{key}%")
        if incident_id:
            where.append("p.incident_id = ?")
            params.append(incident_id)
        return self._public_rows(where, params)

    def public_person(
        self, person_id: str, *, exercise: bool, now: datetime, retention_days: int = RETENTION_DAYS
    ) -> Row | None:
        """One record as the public may see it, or None (unknown, expired, other view)."""
        where, params = self._policy(exercise, now, retention_days)
        found = self._public_rows([*where, "p.id = ?"], [*params, person_id])
        return found[0] if found else None

    def note_state(self, person_id: str, note_id: str) -> Row | None:
        """A note's claim and moderation state, for the relative who sent it (no contact)."""
        rows = self.query(
            "SELECT id, status, moderation, at FROM mp_notes WHERE id = ? AND person_id = ?",
            [note_id, person_id],
        )
        return rows[0] if rows else None

    def _public(self, row: Row) -> Row:
        out = dict(row)
        out["alternate_names"] = json.loads(out["alternate_names"])
        out.update(json.loads(out.pop("public")))
        out["notes"] = self.query(
            "SELECT id, status, text, author_name, last_known_location, at FROM mp_notes"
            " WHERE person_id = ? AND moderation = 'approved' ORDER BY position",
            [row["id"]],
        )
        return out

    # -- staff reads ------------------------------------------------------------------------
    def full(self, person_id: str) -> Row | None:
        rows = self.query("SELECT * FROM mp_persons WHERE id = ?", [person_id])
        if not rows:
            return None
        out = dict(rows[0])
        for key in ("alternate_names", "public", "private"):
            out[key] = json.loads(out[key])
        out["exercise"] = bool(out["exercise"])
        out["notes"] = self.query(
            "SELECT * FROM mp_notes WHERE person_id = ? ORDER BY position", [person_id]
        )
        return out

    def pending(self, limit: int = 100) -> list[Row]:
        """Notes awaiting moderation, with the private contact (staff only)."""
        rows = self.query(
            "SELECT n.id, n.person_id, p.full_name, p.exercise, n.status, n.text, n.author_name,"
            " n.last_known_location, n.contact, n.at FROM mp_notes n"
            " JOIN mp_persons p ON p.id = n.person_id"
            " WHERE n.moderation = 'pending' ORDER BY n.position LIMIT ?",
            [limit],
        )
        for r in rows:
            r["contact"] = json.loads(r["contact"])
            r["exercise"] = bool(r["exercise"])
        return rows
