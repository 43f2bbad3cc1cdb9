"""Open311 read model: service requests (postings from the Open311 API and the public report
form) and the agencies that may be responsible for them.

What is here now: the request as the citizen sent it (code, description, address, point,
photo) and when it arrived. ``status`` is ``open``, ``status_notes`` and ``expected_datetime``
are empty, and ``updated_datetime`` is the time it was received: they are placeholders until
the case ledger (a later issue) records answers and deadlines and this projection handles
those events too. Contact details never reach this view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import domain.directory
import domain.postings  # noqa: F401 - the posting events this projection reads
from domain.redaction import redact
from projections.base import SmcProjection, handles
from projections.views import Row, ViewTx

CHANNELS = ("open311", "web")
COLUMNS = (
    "service_request_id, channel, service_code, description, address, lat, lon, media_url,"
    " status, status_notes, requested_datetime, updated_datetime, expected_datetime, exercise,"
    " unit"
)


class Open311Projection(SmcProjection):
    name = "open311"
    tables = ("open311_requests", "open311_agencies")
    ddl = (
        "CREATE TABLE IF NOT EXISTS open311_requests (id TEXT PRIMARY KEY,"
        " service_request_id TEXT NOT NULL, channel TEXT NOT NULL, service_code TEXT,"
        " description TEXT NOT NULL, address TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION,"
        " media_url TEXT, status TEXT NOT NULL, status_notes TEXT,"
        " requested_datetime TEXT NOT NULL, updated_datetime TEXT NOT NULL,"
        " expected_datetime TEXT, exercise INTEGER NOT NULL, position BIGINT NOT NULL,"
        " case_id TEXT, unit TEXT, draft_notes TEXT)",
        "CREATE INDEX IF NOT EXISTS open311_requests_case ON open311_requests (case_id)",
        "CREATE UNIQUE INDEX IF NOT EXISTS open311_requests_sid"
        " ON open311_requests (service_request_id)",
        "CREATE INDEX IF NOT EXISTS open311_requests_requested"
        " ON open311_requests (requested_datetime)",
        "CREATE TABLE IF NOT EXISTS open311_agencies (id TEXT PRIMARY KEY, code TEXT NOT NULL,"
        " name_ko TEXT NOT NULL, name_en TEXT NOT NULL, position BIGINT NOT NULL)",
    )

    @handles("Posting.Received")
    def _received(self, e: Any, tx: ViewTx, position: int) -> None:
        if e.channel not in CHANNELS:
            return
        d = e.details
        media = d.get("media_urls") or []
        tx.execute(
            "INSERT INTO open311_requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " NULL, NULL, NULL) ON CONFLICT DO NOTHING",
            [
                str(e.originator_id),
                e.source_id,
                e.channel,
                d.get("service_code"),
                redact(e.text).text,
                d.get("address"),
                d.get("lat"),
                d.get("lon"),
                media[0] if media else None,
                "open",
                None,
                utc(e.created_at),
                utc(e.timestamp),
                None,
                int(e.exercise),
                position,
            ],
        )

    # -- the ledger fills status, notes, deadline and the responsible unit ------------------
    @handles("Case.Opened")
    def _case_opened(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        tx.execute(
            "UPDATE open311_requests SET case_id = ? WHERE id = ?",
            [str(e.originator_id), e.posting_id],
        )

    def _case(self, e: Any, tx: ViewTx, **columns: Any) -> None:
        sets = "".join(f"{k} = ?, " for k in columns)
        tx.execute(
            f"UPDATE open311_requests SET {sets}updated_datetime = ? WHERE case_id = ?",  # noqa: S608
            [*columns.values(), utc(e.timestamp), str(e.originator_id)],
        )

    @handles("Case.Classified", "Case.CitizenReplied")
    def _case_deadline(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        self._case(e, tx, expected_datetime=utc(e.deadline) if e.deadline else None)

    @handles("Case.Assigned", "Case.Transferred")
    def _case_unit(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        self._case(e, tx, unit=e.unit)

    @handles("Case.OpenedRouted")
    def _case_opened_routed(self, e: Any, tx: ViewTx, position: int) -> None:
        self._case_opened(e, tx, position)
        self._case_deadline(e, tx, position)
        if e.unit:
            self._case_unit(e, tx, position)

    @handles("Case.Responded", "Case.AutoAnswerCorrected")
    def _case_answer(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        self._case(e, tx, draft_notes=redact(e.text).text)  # kept back until published

    @handles("Case.ReplyPublished")
    def _case_published(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        tx.execute(
            "UPDATE open311_requests SET status_notes = draft_notes WHERE case_id = ?",
            [str(e.originator_id)],
        )
        self._case(e, tx)

    @handles("Case.Closed", "Case.Merged", "Case.Withdrawn")
    def _case_closed(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        self._case(e, tx, status="closed")

    @handles("Case.Reopened", "Case.AutoAnswerRetracted")
    def _case_reopened(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        self._case(e, tx, status="open", status_notes=None)

    @handles("Department.Registered")
    def _department(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO open311_agencies VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [str(e.originator_id), e.code, e.name_ko, e.name_en, position],
        )

    @handles("Department.Renamed")
    def _renamed(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE open311_agencies SET name_ko = ?, name_en = ?, position = ? WHERE id = ?",
            [e.name_ko, e.name_en, position, str(e.originator_id)],
        )

    # -- queries ---------------------------------------------------------------------------
    def requests(
        self,
        *,
        ids: Sequence[str] = (),
        service_codes: Sequence[str] = (),
        statuses: Sequence[str] = (),
        start: str | None = None,
        end: str | None = None,
        limit: int = 1000,
    ) -> list[Row]:
        where: list[str] = ["1 = 1"]
        params: list[str] = []
        for column, values in (
            ("service_request_id", ids),
            ("service_code", service_codes),
            ("status", statuses),
        ):
            if values:
                where.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if start:
            where.append("requested_datetime >= ?")
            params.append(start)
        if end:
            where.append("requested_datetime <= ?")
            params.append(end)
        return self.query(
            f"SELECT {COLUMNS} FROM open311_requests WHERE {' AND '.join(where)}"  # noqa: S608
            " ORDER BY requested_datetime DESC, position DESC LIMIT ?",
            [*params, limit],
        )

    def request(self, service_request_id: str) -> Row | None:
        found = self.requests(ids=[service_request_id], limit=1)
        return found[0] if found else None

    def agencies(self) -> dict[str, Row]:
        rows = self.query("SELECT code, name_ko, name_en FROM open311_agencies")
        return {r["code"]: r for r in rows}


def utc(value: Any) -> str:
    """UTC ISO text with seconds, so text comparison orders the rows by time."""
    from datetime import UTC

    return str(value.astimezone(UTC).isoformat(timespec="seconds"))
