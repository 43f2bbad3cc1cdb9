"""The public record: every posting and reply, redacted before anything is disclosed, with
full-text search that works for Korean (see ``projections.public_search``)."""

from __future__ import annotations

from typing import Any

import domain.ledger
import domain.postings  # noqa: F401
from domain.auto_answer import AUTO_ACTOR
from domain.redaction import redact
from projections.base import SmcProjection, handles
from projections.ledger import utc
from projections.public_search import Plan, index_rows, search_ddl
from projections.public_triage import TRIAGE_DDL, TriageHandlers
from projections.views import Row, ViewTx

COLUMNS = (
    "id, channel, text, author_handle, created_at, state, unit, reply, request_class,"
    " deadline, updated_at, exercise, position, reply_auto, category, district"
)


class PublicProjection(TriageHandlers, SmcProjection):
    name = "public"
    tables = ("pub_postings", "pub_history", "pub_search", "pub_grams")
    ddl = (
        "CREATE TABLE IF NOT EXISTS pub_postings (id TEXT PRIMARY KEY, channel TEXT NOT NULL,"
        " text TEXT NOT NULL, author_handle TEXT, created_at TEXT NOT NULL,"
        " state TEXT NOT NULL, unit TEXT, reply TEXT, request_class TEXT, deadline TEXT,"
        " updated_at TEXT NOT NULL, exercise INTEGER NOT NULL, position BIGINT NOT NULL,"
        " case_id TEXT, draft_reply TEXT, reply_auto INTEGER NOT NULL DEFAULT 0,"
        " category TEXT, district TEXT, triage_id TEXT)",
        "CREATE INDEX IF NOT EXISTS pub_postings_case ON pub_postings (case_id)",
        "CREATE INDEX IF NOT EXISTS pub_postings_position ON pub_postings (position)",
        "CREATE INDEX IF NOT EXISTS pub_postings_unit ON pub_postings (unit, exercise, position)",
        "CREATE INDEX IF NOT EXISTS pub_postings_state ON pub_postings (state, exercise, position)",
        "CREATE TABLE IF NOT EXISTS pub_history (posting_id TEXT NOT NULL,"
        " position BIGINT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL,"
        " PRIMARY KEY (posting_id, position))",
        *TRIAGE_DDL,
    )

    def schema(self) -> tuple[str, ...]:
        return self.ddl + search_ddl(self.view.backend)

    def dumped_tables(self) -> tuple[str, ...]:
        return ("pub_postings", "pub_history")

    # -- writing ---------------------------------------------------------------------------
    @handles("Posting.Received")
    def _received(self, e: Any, tx: ViewTx, position: int) -> None:
        text = redact(e.text).text
        tx.execute(
            "INSERT INTO pub_postings (id, channel, text, author_handle, created_at, state,"
            " updated_at, exercise, position) VALUES (?, ?, ?, ?, ?, 'received', ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.channel,
                text,
                e.details.get("author_handle"),
                utc(e.created_at),
                e.timestamp.isoformat(),
                int(e.exercise),
                position,
            ],
        )
        index_rows(tx, self.view.backend, [(position, text)])

    def _reindex(self, tx: ViewTx, case_id: str) -> None:
        """The case's postings are found by their text and, once published, their reply."""
        rows = tx.all("SELECT position, text, reply FROM pub_postings WHERE case_id = ?", [case_id])
        body = [(r["position"], f"{r['text']} {r['reply'] or ''}") for r in rows]
        index_rows(tx, self.view.backend, body)

    @handles("Case.Opened")
    def _opened(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        tx.execute(
            "UPDATE pub_postings SET case_id = ? WHERE id = ?", [str(e.originator_id), e.posting_id]
        )

    def _case_state(
        self, e: Any, tx: ViewTx, position: int, state: str, shown: str = "", **cols: Any
    ) -> None:
        sets = "".join(f"{k} = ?, " for k in cols)
        tx.execute(
            f"UPDATE pub_postings SET {sets}state = ?, updated_at = ? WHERE case_id = ?",  # noqa: S608
            [*cols.values(), state, e.timestamp.isoformat(), str(e.originator_id)],
        )
        tx.execute(
            "INSERT INTO pub_history SELECT id, ?, ?, ? FROM pub_postings WHERE case_id = ?"
            " ON CONFLICT DO NOTHING",
            [position, shown or state, e.timestamp.isoformat(), str(e.originator_id)],
        )

    @handles("Case.Classified")
    def _classified(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(
            e, tx, position, "triaged", request_class=e.request_class, deadline=utc(e.deadline)
        )

    @handles("Case.Assigned", "Case.Transferred")
    def _assigned(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "assigned", unit=e.unit)

    @handles("Case.OpenedRouted")
    def _opened_routed(self, e: Any, tx: ViewTx, position: int) -> None:
        """Opened, classified and maybe assigned at once: one status change in the history,
        to the state the case is in."""
        self._opened(e, tx, position)
        columns = {"request_class": e.request_class, "deadline": utc(e.deadline)}
        if e.unit:
            self._case_state(e, tx, position, "assigned", **columns, unit=e.unit)
        else:
            self._case_state(e, tx, position, "triaged", **columns)

    @handles("Case.Designated")
    def _designated(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "designated")

    @handles("Case.ReviewStarted", "Case.CitizenReplied")
    def _review(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "under_review")

    @handles("Case.AwaitingCitizen")
    def _awaiting(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "awaiting_citizen")

    @handles("Case.Responded")
    def _responded(self, e: Any, tx: ViewTx, position: int) -> None:
        # Kept back (never shown) until the reply is published.
        self._case_state(e, tx, position, "responded", draft_reply=redact(e.text).text)

    @handles("Case.AutoAnswerCorrected")
    def _corrected(self, e: Any, tx: ViewTx, position: int) -> None:
        text = redact(e.text).text
        self._case_state(e, tx, position, "responded", "auto_answer_corrected", draft_reply=text)

    @handles("Case.AutoAnswerRetracted")
    def _retracted(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "assigned", "auto_answer_retracted", reply=None)
        tx.execute(
            "UPDATE pub_postings SET reply_auto = 0 WHERE case_id = ?", [str(e.originator_id)]
        )
        self._reindex(tx, str(e.originator_id))  # the retracted answer is no longer found

    @handles("Case.ReplyPublished")
    def _published(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE pub_postings SET reply = draft_reply WHERE case_id = ?", [str(e.originator_id)]
        )
        auto = int(e.actor == AUTO_ACTOR)
        shown = "auto_published" if auto else ""
        self._case_state(e, tx, position, "published", shown, reply_auto=auto)
        self._reindex(tx, str(e.originator_id))

    @handles("Case.Closed")
    def _closed(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "closed")

    @handles("Case.Reopened")
    def _reopened(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "assigned", reply=None)
        self._reindex(tx, str(e.originator_id))

    @handles("Case.Merged")
    def _merged(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "merged")

    @handles("Case.Withdrawn")
    def _withdrawn(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_state(e, tx, position, "withdrawn")

    # -- reading ---------------------------------------------------------------------------
    def search(
        self,
        q: str = "",
        *,
        state: str | None = None,
        unit: str | None = None,
        district: str | None = None,
        category: str | None = None,
        exercise: bool = False,
        limit: int = 20,
        offset: int = 0,
    ) -> list[Row]:
        where = ["p.exercise = ?"]
        params: list[Any] = [int(exercise)]
        chosen = (
            ("p.state", state),
            ("p.unit", unit),
            ("p.district", district),
            ("p.category", category),
        )
        for column, value in chosen:
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        cols = ", ".join(f"p.{c.strip()}" for c in COLUMNS.split(","))
        plan = Plan(cols, where, params)
        q = q.strip()
        steps = plan.sqlite(q) if self.view.backend == "sqlite" else plan.postgres(q)
        rows: list[Row] = []
        with self.view.read() as tx:
            for sql, args in steps:
                rows = tx.all(sql, [*args, limit, offset])
                if len(rows) == limit:
                    break
        return rows

    def posting(self, posting_id: str) -> Row | None:
        rows = self.query(
            f"SELECT {COLUMNS} FROM pub_postings WHERE id = ?",  # noqa: S608
            [posting_id],
        )
        return rows[0] if rows else None

    def history(self, posting_id: str) -> list[Row]:
        return self.query(
            "SELECT state, at FROM pub_history WHERE posting_id = ? ORDER BY position",
            [posting_id],
        )
