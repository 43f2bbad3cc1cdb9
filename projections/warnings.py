"""Warnings read model: warnings, their CAP messages (rendered XML), external warnings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import domain.warnings  # noqa: F401 - the events this projection reads
from projections.base import SmcProjection, handles
from projections.cap_messages import render_message
from projections.views import Row, ViewTx

CURRENT_STATES = ("issued", "all_clear")


def _utc(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).isoformat(timespec="seconds")


class WarningsProjection(SmcProjection):
    name = "warnings"
    tables = ("wrn_warnings", "wrn_messages", "wrn_external")
    ddl = (
        "CREATE TABLE IF NOT EXISTS wrn_warnings (id TEXT PRIMARY KEY, playbook_id TEXT NOT NULL,"
        " stage_id TEXT NOT NULL, status TEXT NOT NULL, state TEXT NOT NULL,"
        " headline_ko TEXT NOT NULL, headline_en TEXT NOT NULL, area_ko TEXT NOT NULL,"
        " area_en TEXT NOT NULL, drafter TEXT NOT NULL, approver TEXT NOT NULL,"
        " reject_reason TEXT NOT NULL, expires TEXT NOT NULL, messages BIGINT NOT NULL,"
        " updated_at TEXT NOT NULL, texts TEXT NOT NULL, area TEXT NOT NULL,"
        " position BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS wrn_messages (identifier TEXT PRIMARY KEY,"
        " warning_id TEXT NOT NULL, sequence BIGINT NOT NULL, msg_type TEXT NOT NULL,"
        " action TEXT NOT NULL, status TEXT NOT NULL, stage_id TEXT NOT NULL,"
        " sent TEXT NOT NULL, expires_utc TEXT NOT NULL, headline_ko TEXT NOT NULL,"
        " headline_en TEXT NOT NULL, severity TEXT NOT NULL, latest INTEGER NOT NULL,"
        " xml TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS wrn_messages_warning ON wrn_messages (warning_id)",
        "CREATE TABLE IF NOT EXISTS wrn_external (id TEXT PRIMARY KEY, sender TEXT NOT NULL,"
        " identifier TEXT NOT NULL, sent TEXT NOT NULL, status TEXT NOT NULL,"
        " msg_type TEXT NOT NULL, event TEXT NOT NULL, headline TEXT NOT NULL,"
        " severity TEXT NOT NULL, area TEXT NOT NULL, xml TEXT NOT NULL,"
        " position BIGINT NOT NULL)",
    )

    @handles("StagedWarning.Drafted")
    def _drafted(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO wrn_warnings VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, '', '', '', 0,"
            " ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.playbook_id,
                e.stage_id,
                e.status,
                e.texts["ko"]["headline"],
                e.texts["en"]["headline"],
                e.area["desc"]["ko"],
                e.area["desc"]["en"],
                e.drafter,
                e.timestamp.isoformat(),
                json.dumps(e.texts, ensure_ascii=False),
                json.dumps(e.area, ensure_ascii=False),
                position,
            ],
        )

    @handles("StagedWarning.Edited")
    def _edited(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE wrn_warnings SET stage_id = ?, headline_ko = ?, headline_en = ?, area_ko = ?,"
            " area_en = ?, texts = ?, area = ?, updated_at = ?, position = ? WHERE id = ?",
            [
                e.stage_id,
                e.texts["ko"]["headline"],
                e.texts["en"]["headline"],
                e.area["desc"]["ko"],
                e.area["desc"]["en"],
                json.dumps(e.texts, ensure_ascii=False),
                json.dumps(e.area, ensure_ascii=False),
                e.timestamp.isoformat(),
                position,
                str(e.originator_id),
            ],
        )

    def _state(self, e: Any, tx: ViewTx, position: int, state: str, extra: str = "") -> None:
        sets = f"state = ?, updated_at = ?, position = ?{extra}"
        tx.execute(
            f"UPDATE wrn_warnings SET {sets} WHERE id = ?",  # noqa: S608 - fixed fragments
            [state, e.timestamp.isoformat(), position, str(e.originator_id)],
        )

    @handles("StagedWarning.Submitted")
    def _submitted(self, e: Any, tx: ViewTx, position: int) -> None:
        self._state(e, tx, position, "submitted", ", reject_reason = ''")

    @handles("StagedWarning.Rejected")
    def _rejected(self, e: Any, tx: ViewTx, position: int) -> None:
        self._state(e, tx, position, "draft")
        tx.execute(
            "UPDATE wrn_warnings SET reject_reason = ? WHERE id = ?",
            [e.reason, str(e.originator_id)],
        )

    @handles("StagedWarning.Expired")
    def _expired(self, e: Any, tx: ViewTx, position: int) -> None:
        self._state(e, tx, position, "expired")

    @handles("StagedWarning.Issued")
    def _issued(self, e: Any, tx: ViewTx, position: int) -> None:
        self._message(e, tx, position, "issued")
        tx.execute(
            "UPDATE wrn_warnings SET approver = ? WHERE id = ?", [e.approver, str(e.originator_id)]
        )

    @handles("StagedWarning.Updated")
    def _updated(self, e: Any, tx: ViewTx, position: int) -> None:
        self._message(e, tx, position, "issued")

    @handles("StagedWarning.AllCleared")
    def _all_cleared(self, e: Any, tx: ViewTx, position: int) -> None:
        self._message(e, tx, position, "all_clear")

    @handles("StagedWarning.Cancelled")
    def _cancelled(self, e: Any, tx: ViewTx, position: int) -> None:
        self._message(e, tx, position, "cancelled")

    def _message(self, e: Any, tx: ViewTx, position: int, state: str) -> None:
        m, wid = e.message, str(e.originator_id)
        tx.execute("UPDATE wrn_messages SET latest = 0 WHERE warning_id = ?", [wid])
        tx.execute(
            "INSERT INTO wrn_messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"
            " ON CONFLICT (identifier) DO NOTHING",
            [
                m["identifier"],
                wid,
                m["sequence"],
                m["msg_type"],
                m["action"],
                m["status"],
                m["stage_id"],
                m["sent"],
                _utc(m["expires"]),
                m["texts"]["ko"]["headline"],
                m["texts"]["en"]["headline"],
                m["severity"],
                render_message(m),
                position,
            ],
        )
        tx.execute(
            "UPDATE wrn_warnings SET state = ?, stage_id = ?, headline_ko = ?, headline_en = ?,"
            " expires = ?, messages = ?, updated_at = ?, position = ? WHERE id = ?",
            [
                state,
                m["stage_id"],
                m["texts"]["ko"]["headline"],
                m["texts"]["en"]["headline"],
                m["expires"],
                m["sequence"],
                e.timestamp.isoformat(),
                position,
                wid,
            ],
        )

    @handles("ExternalWarning.Imported")
    def _imported(self, e: Any, tx: ViewTx, position: int) -> None:
        s = e.summary
        tx.execute(
            "INSERT INTO wrn_external VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.sender,
                e.identifier,
                s.get("sent", ""),
                s.get("status", ""),
                s.get("msg_type", ""),
                s.get("event", ""),
                s.get("headline", ""),
                s.get("severity", ""),
                s.get("area", ""),
                e.xml,
                position,
            ],
        )

    # -- queries ---------------------------------------------------------------------------
    def warnings(self, limit: int = 200) -> list[Row]:
        return self.query(
            "SELECT id, playbook_id, stage_id, status, state, headline_ko, headline_en, area_ko,"
            " area_en, drafter, approver, reject_reason, expires, messages, updated_at"
            " FROM wrn_warnings ORDER BY updated_at DESC, id LIMIT ?",
            [limit],
        )

    def warning(self, warning_id: str) -> Row | None:
        rows = self.query("SELECT * FROM wrn_warnings WHERE id = ?", [warning_id])
        return rows[0] if rows else None

    def messages(self, warning_id: str) -> list[Row]:
        return self.query(
            "SELECT identifier, sequence, msg_type, action, status, stage_id, sent, severity,"
            " headline_ko, headline_en FROM wrn_messages WHERE warning_id = ? ORDER BY sequence",
            [warning_id],
        )

    def message_xml(self, identifier: str) -> str | None:
        rows = self.query("SELECT xml FROM wrn_messages WHERE identifier = ?", [identifier])
        return str(rows[0]["xml"]) if rows else None

    def current(self, status: str, now: datetime, limit: int = 100) -> list[Row]:
        """The latest message of every warning with this status that has not expired."""
        return self.query(
            "SELECT identifier, warning_id, msg_type, status, sent, severity, headline_ko,"
            " headline_en FROM wrn_messages WHERE latest = 1 AND status = ? AND expires_utc > ?"
            " ORDER BY sent DESC LIMIT ?",
            [status, now.astimezone(UTC).isoformat(timespec="seconds"), limit],
        )

    def due_to_expire(self, now: datetime) -> list[str]:
        rows = self.query(
            "SELECT warning_id FROM wrn_messages m JOIN wrn_warnings w ON w.id = m.warning_id"
            " WHERE m.latest = 1 AND m.expires_utc <= ? AND w.state IN ('issued', 'all_clear')",
            [now.astimezone(UTC).isoformat(timespec="seconds")],
        )
        return [str(r["warning_id"]) for r in rows]

    def external(self, limit: int = 100) -> list[Row]:
        return self.query(
            "SELECT id, sender, identifier, sent, status, msg_type, event, headline, severity,"
            " area FROM wrn_external ORDER BY sent DESC LIMIT ?",
            [limit],
        )
