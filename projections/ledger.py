"""Ledger read model: every case with its state, unit, official and deadline (the inboxes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import domain.ledger  # noqa: F401 - the events this projection reads
from projections.base import SmcProjection, handles
from projections.ledger_districts import DISTRICT_DDL, DistrictHandlers
from projections.views import Row, ViewTx


def utc(value: datetime | None) -> str | None:
    """Times are compared as text in the views, so they are all stored in UTC."""
    return value.astimezone(UTC).isoformat() if value is not None else None


OPEN_STATES = ("triaged", "assigned", "designated", "under_review", "awaiting_citizen")
# Written as literals (never bound parameters) so that both planners match the partial indexes.
OPEN_SQL = f"state IN ({', '.join(repr(s) for s in OPEN_STATES)})"
NO_DEADLINE = "9999"  # due_key of a case without a deadline: after every real deadline
CASE_COLUMNS = (
    "id, posting_id, channel, state, request_class, deadline, unit, official, received_at,"
    " updated_at, reply, missed, version, exercise, position"
)


class LedgerProjection(DistrictHandlers, SmcProjection):
    name = "ledger"
    tables = ("ledger_cases", "ledger_missed", "ledger_counts", "ledger_districts")
    ddl = (
        "CREATE TABLE IF NOT EXISTS ledger_cases (id TEXT PRIMARY KEY, posting_id TEXT NOT NULL,"
        " channel TEXT NOT NULL, state TEXT NOT NULL, request_class TEXT, deadline TEXT,"
        " unit TEXT, official TEXT, received_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " reply TEXT, missed INTEGER NOT NULL, version BIGINT NOT NULL, exercise INTEGER NOT NULL,"
        " position BIGINT NOT NULL, first_reply_at TEXT, reopened INTEGER NOT NULL DEFAULT 0,"
        f" due_key TEXT NOT NULL DEFAULT '{NO_DEADLINE}', district TEXT)",
        "CREATE INDEX IF NOT EXISTS ledger_cases_inbox ON ledger_cases (unit, state, deadline)",
        "CREATE INDEX IF NOT EXISTS ledger_cases_posting ON ledger_cases (posting_id)",
        # The inboxes: open cases only, in the order they are shown (deadline, then arrival).
        "CREATE INDEX IF NOT EXISTS ledger_open_unit ON ledger_cases"
        f" (unit, exercise, due_key, position) WHERE {OPEN_SQL}",
        "CREATE INDEX IF NOT EXISTS ledger_open_all ON ledger_cases"
        f" (exercise, due_key, position) WHERE {OPEN_SQL}",
        "CREATE INDEX IF NOT EXISTS ledger_open_channel ON ledger_cases"
        f" (unit, channel, exercise, due_key, position) WHERE {OPEN_SQL}",
        "CREATE INDEX IF NOT EXISTS ledger_open_official ON ledger_cases"
        f" (official, exercise, due_key, position) WHERE {OPEN_SQL}",
        "CREATE INDEX IF NOT EXISTS ledger_open_district ON ledger_cases"
        f" (unit, district, exercise, due_key, position) WHERE {OPEN_SQL}",
        # Open and undesignated counts per unit, kept by the handlers (no COUNT(*) per page).
        "CREATE TABLE IF NOT EXISTS ledger_counts (unit TEXT NOT NULL, exercise INTEGER NOT NULL,"
        " open BIGINT NOT NULL, undesignated BIGINT NOT NULL, PRIMARY KEY (unit, exercise))",
        "CREATE TABLE IF NOT EXISTS ledger_missed (case_id TEXT NOT NULL, deadline TEXT NOT NULL,"
        " unit TEXT NOT NULL, at TEXT NOT NULL, position BIGINT NOT NULL,"
        " PRIMARY KEY (case_id, deadline))",
        *DISTRICT_DDL,
    )

    def _set(self, e: Any, tx: ViewTx, position: int, **columns: Any) -> None:
        case_id = str(e.originator_id)
        old = tx.one(
            "SELECT state, unit, official, exercise FROM ledger_cases WHERE id = ?", [case_id]
        )
        if "deadline" in columns:
            columns["due_key"] = columns["deadline"] or NO_DEADLINE
        sets = "".join(f"{k} = ?, " for k in columns)
        tx.execute(
            f"UPDATE ledger_cases SET {sets}updated_at = ?, version = ?, position = ?"  # noqa: S608
            " WHERE id = ?",
            [*columns.values(), e.timestamp.isoformat(), e.originator_version, position, case_id],
        )
        if old is not None:
            self._count(tx, old, -1)
            self._count(tx, {**old, **{k: v for k, v in columns.items() if k in old}}, 1)

    def _count(self, tx: ViewTx, row: Row, delta: int) -> None:
        """Keep ``ledger_counts`` in step: ``row`` left (-1) or joined (+1) the open cases."""
        if row["state"] not in OPEN_STATES:
            return
        tx.execute(
            "INSERT INTO ledger_counts VALUES (?, ?, ?, ?) ON CONFLICT (unit, exercise)"
            " DO UPDATE SET open = ledger_counts.open + excluded.open,"
            " undesignated = ledger_counts.undesignated + excluded.undesignated",
            [row["unit"] or "", row["exercise"], delta, delta if row["official"] is None else 0],
        )

    def recount(self, tx: ViewTx) -> None:
        """Recompute ``ledger_counts`` from the cases (for rows written in bulk, e.g. by bench)."""
        tx.execute("DELETE FROM ledger_counts")
        tx.execute(
            "INSERT INTO ledger_counts SELECT coalesce(unit, ''), exercise, COUNT(*),"  # noqa: S608
            f" SUM(CASE WHEN official IS NULL THEN 1 ELSE 0 END) FROM ledger_cases WHERE {OPEN_SQL}"
            " GROUP BY coalesce(unit, ''), exercise"
        )

    @handles("Case.Opened")
    def _opened(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            f"INSERT INTO ledger_cases ({CASE_COLUMNS}) VALUES (?, ?, ?, 'received', NULL, NULL,"  # noqa: S608
            " NULL, NULL, ?, ?, NULL, 0, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.posting_id,
                e.channel,
                utc(e.received_at),
                e.timestamp.isoformat(),
                e.originator_version,
                int(e.exercise),
                position,
            ],
        )
        self.opened_district(tx, str(e.originator_id), e.posting_id)

    @handles("Case.Classified")
    def _classified(self, e: Any, tx: ViewTx, position: int) -> None:
        found = tx.one("SELECT state FROM ledger_cases WHERE id = ?", [str(e.originator_id)])
        state = found["state"] if found else "received"
        self._set(
            e,
            tx,
            position,
            state="triaged" if state == "received" else state,
            request_class=e.request_class,
            deadline=utc(e.deadline),
        )

    @handles("Case.Assigned", "Case.Transferred")
    def _assigned(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, unit=e.unit, official=None, state="assigned")

    @handles("Case.OpenedRouted")
    def _opened_routed(self, e: Any, tx: ViewTx, position: int) -> None:
        """The same row as ``Opened``, ``Classified`` and (with a unit) ``Assigned``."""
        self._opened(e, tx, position)
        self._classified(e, tx, position)
        if e.unit:
            self._assigned(e, tx, position)

    @handles("Case.SentBackToTriage")
    def _sent_back(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, unit=None, official=None, state="received")

    @handles("Case.Designated")
    def _designated(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, official=e.official, state="designated")

    @handles("Case.ReviewStarted")
    def _review(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, state="under_review")

    @handles("Case.AwaitingCitizen")
    def _awaiting(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, state="awaiting_citizen")

    @handles("Case.CitizenReplied")
    def _replied(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, state="under_review", deadline=utc(e.deadline))

    @handles("Case.Responded", "Case.AutoAnswerCorrected")
    def _responded(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE ledger_cases SET first_reply_at = ? WHERE id = ? AND first_reply_at IS NULL",
            [e.timestamp.astimezone(UTC).isoformat(), str(e.originator_id)],
        )
        self._set(e, tx, position, state="responded", reply=e.text)

    @handles("Case.ReplyPublished")
    def _published(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, state="published")

    @handles("Case.Closed")
    def _closed(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, state="closed")

    @handles("Case.Reopened")
    def _reopened(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE ledger_cases SET reopened = reopened + 1 WHERE id = ?", [str(e.originator_id)]
        )
        self._set(e, tx, position, state="assigned", reply=None)

    @handles("Case.AutoAnswerRetracted")
    def _retracted(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, state="assigned", reply=None)

    @handles("Case.Merged")
    def _merged(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, state="merged")

    @handles("Case.Withdrawn")
    def _withdrawn(self, e: Any, tx: ViewTx, position: int) -> None:
        self._set(e, tx, position, state="withdrawn")

    @handles("Case.DeadlineMissed")
    def _missed(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO ledger_missed VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [str(e.originator_id), utc(e.deadline), e.unit, e.timestamp.isoformat(), position],
        )
        tx.execute(
            "UPDATE ledger_cases SET missed = missed + 1 WHERE id = ?", [str(e.originator_id)]
        )
        self._set(e, tx, position)

    # -- queries ---------------------------------------------------------------------------
    def case(self, case_id: str) -> Row | None:
        rows = self.query(
            f"SELECT {CASE_COLUMNS} FROM ledger_cases WHERE id = ?",  # noqa: S608
            [case_id],
        )
        return rows[0] if rows else None

    def case_for_posting(self, posting_id: str) -> Row | None:
        rows = self.query(
            f"SELECT {CASE_COLUMNS} FROM ledger_cases WHERE posting_id = ?",  # noqa: S608
            [posting_id],
        )
        return rows[0] if rows else None

    def inbox(
        self,
        unit: str | None,
        *,
        official: str | None = None,
        request_class: str | None = None,
        channel: str | None = None,
        district: str | None = None,
        overdue_at: str | None = None,
        limit: int = 50,
        offset: int = 0,
        exercise: bool = False,
    ) -> list[Row]:
        """Open cases by deadline (none last), then arrival: one range of a partial index."""
        where = [OPEN_SQL, "exercise = ?"]
        params: list[Any] = [int(exercise)]
        for column, value in (
            ("unit", unit),
            ("official", official),
            ("request_class", request_class),
            ("channel", channel),
            ("district", district),
        ):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if overdue_at:
            where.append("due_key < ?")
            params.append(overdue_at)
        return self.query(
            f"SELECT {CASE_COLUMNS} FROM ledger_cases WHERE {' AND '.join(where)}"  # noqa: S608
            " ORDER BY due_key, position LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )

    def counts(self, unit: str | None, now: str, exercise: bool = False) -> Row:
        """Open and undesignated from the kept counts; overdue by one index range."""
        unit_sql, params = ("unit = ? AND ", [unit]) if unit else ("", [])
        with self.view.read() as tx:
            kept = tx.one(
                "SELECT SUM(open) AS open, SUM(undesignated) AS undesignated"  # noqa: S608
                f" FROM ledger_counts WHERE {unit_sql}exercise = ?",
                [*params, int(exercise)],
            )
            late = tx.one(
                f"SELECT COUNT(*) AS overdue FROM ledger_cases WHERE {OPEN_SQL} AND"  # noqa: S608
                f" {unit_sql}exercise = ? AND due_key < ?",
                [*params, int(exercise), now],
            )
        row = {**(kept or {}), **(late or {})}
        return {k: int(row.get(k) or 0) for k in ("open", "overdue", "undesignated")}

    def due(self, now: str, limit: int = 500) -> list[Row]:
        """Open cases whose deadline passed and whose miss is not yet recorded."""
        states = ", ".join(f"'{s}'" for s in OPEN_STATES if s != "awaiting_citizen")
        return self.query(
            f"SELECT id, deadline FROM ledger_cases c WHERE state IN ({states})"  # noqa: S608
            " AND deadline IS NOT NULL AND deadline < ? AND NOT EXISTS (SELECT 1 FROM"
            " ledger_missed m WHERE m.case_id = c.id AND m.deadline = c.deadline) LIMIT ?",
            [now, limit],
        )

    def missed(self, start: str, end: str) -> list[Row]:
        return self.query(
            "SELECT m.case_id, m.deadline, m.unit, m.at, c.posting_id, c.request_class"
            " FROM ledger_missed m JOIN ledger_cases c ON c.id = m.case_id"
            " WHERE m.deadline >= ? AND m.deadline < ? ORDER BY m.unit, m.deadline",
            [start, end],
        )

    def received_between(self, start: str, end: str) -> list[Row]:
        """Cases received in [start, end) with what the performance report needs."""
        return self.query(
            "SELECT unit, official, state, received_at, deadline, first_reply_at, reopened"
            " FROM ledger_cases WHERE received_at >= ? AND received_at < ? AND exercise = 0",
            [start, end],
        )
