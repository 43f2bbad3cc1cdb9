"""Auto-answer read model: the answer drafted (or sent) for each case, what became of it, and
which units let answers go out without review."""

from __future__ import annotations

from typing import Any

import domain.ledger  # noqa: F401 - the events this projection reads
from domain.auto_answer import AUTO_ACTOR
from projections.base import SmcProjection, handles
from projections.views import Row, ViewTx

COLUMNS = "case_id, entry_id, entry_version, confidence, text, lang, send, status, at, position"


class AutoAnswerProjection(SmcProjection):
    name = "auto_answer"
    tables = ("aa_cases", "aa_policies")
    ddl = (
        "CREATE TABLE IF NOT EXISTS aa_cases (case_id TEXT PRIMARY KEY, entry_id TEXT NOT NULL,"
        " entry_version INTEGER NOT NULL, confidence REAL NOT NULL, text TEXT NOT NULL,"
        " lang TEXT NOT NULL, send INTEGER NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL,"
        " exercise INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS aa_cases_status ON aa_cases (status, position)",
        "CREATE TABLE IF NOT EXISTS aa_policies (unit TEXT PRIMARY KEY, send INTEGER NOT NULL,"
        " actor TEXT NOT NULL, at TEXT NOT NULL, position BIGINT NOT NULL)",
    )

    @handles("Case.AutoAnswerDrafted")
    def _drafted(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            f"INSERT INTO aa_cases ({COLUMNS}, exercise) VALUES (?, ?, ?, ?, ?, ?, ?, 'drafted',"  # noqa: S608
            " ?, ?, ?) ON CONFLICT (case_id) DO NOTHING",
            [
                str(e.originator_id),
                e.entry_id,
                e.entry_version,
                e.confidence,
                e.text,
                e.lang,
                int(e.send),
                e.timestamp.isoformat(),
                position,
                int(e.exercise),
            ],
        )

    def _status(self, e: Any, tx: ViewTx, position: int, status: str) -> None:
        tx.execute(
            "UPDATE aa_cases SET status = ?, position = ? WHERE case_id = ?",
            [status, position, str(e.originator_id)],
        )

    @handles("Case.ReplyPublished")
    def _published(self, e: Any, tx: ViewTx, position: int) -> None:
        if e.actor == AUTO_ACTOR:
            self._status(e, tx, position, "sent")

    @handles("Case.AutoAnswerRetracted")
    def _retracted(self, e: Any, tx: ViewTx, position: int) -> None:
        self._status(e, tx, position, "retracted")

    @handles("Case.AutoAnswerCorrected")
    def _corrected(self, e: Any, tx: ViewTx, position: int) -> None:
        self._status(e, tx, position, "corrected")

    @handles("AutoAnswerPolicy.Set", "AutoAnswerPolicy.Changed")
    def _policy(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO aa_policies VALUES (?, ?, ?, ?, ?) ON CONFLICT (unit) DO UPDATE SET"
            " send = excluded.send, actor = excluded.actor, at = excluded.at,"
            " position = excluded.position",
            [e.unit, int(e.send), e.actor, e.timestamp.isoformat(), position],
        )

    # -- queries ---------------------------------------------------------------------------
    def for_case(self, case_id: str) -> Row | None:
        rows = self.query(
            f"SELECT {COLUMNS} FROM aa_cases WHERE case_id = ?",  # noqa: S608
            [case_id],
        )
        return rows[0] if rows else None

    def answers(self, status: str | None = None, limit: int = 50) -> list[Row]:
        where, params = ("AND status = ?", [status]) if status else ("", [])
        return self.query(
            f"SELECT {COLUMNS} FROM aa_cases WHERE exercise = 0 {where}"  # noqa: S608
            " ORDER BY position DESC LIMIT ?",
            [*params, limit],
        )

    def policies(self) -> list[Row]:
        return self.query("SELECT unit, send, actor, at FROM aa_policies ORDER BY unit")
