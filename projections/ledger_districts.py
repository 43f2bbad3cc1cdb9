"""The posting's district on its case row, so a department's inbox can be filtered by district.

Triage decides a posting's district (and people correct it) in events of the ``Triage``
aggregate, which intake stores *before* the case's own event; so the ledger view keeps each
posting's district by triage id (``ledger_districts``) and copies it onto the case row when the
case is opened and whenever it changes afterwards."""

from __future__ import annotations

from typing import Any

from projections.base import handles
from projections.views import ViewTx

DISTRICT_DDL = (
    "CREATE TABLE IF NOT EXISTS ledger_districts (triage_id TEXT PRIMARY KEY,"
    " posting_id TEXT NOT NULL, district TEXT)",
    "CREATE INDEX IF NOT EXISTS ledger_districts_posting ON ledger_districts (posting_id)",
)


class DistrictHandlers:
    """Mixed into ``LedgerProjection``."""

    @handles("Triage.Decided")
    def _district_decided(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        value = (e.decisions.get("district") or {}).get("value")
        tx.execute(
            "INSERT INTO ledger_districts VALUES (?, ?, ?) ON CONFLICT (triage_id) DO NOTHING",
            [str(e.originator_id), e.posting_id, value],
        )
        self._case_district(tx, e.posting_id, value)

    @handles("Triage.Corrected")
    def _district_corrected(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        if e.field != "district":
            return
        found = tx.one(
            "SELECT posting_id FROM ledger_districts WHERE triage_id = ?", [str(e.originator_id)]
        )
        if found is None:
            return
        tx.execute(
            "UPDATE ledger_districts SET district = ? WHERE triage_id = ?",
            [e.new, str(e.originator_id)],
        )
        self._case_district(tx, found["posting_id"], e.new)

    @staticmethod
    def _case_district(tx: ViewTx, posting_id: str, district: str | None) -> None:
        sql = "UPDATE ledger_cases SET district = ? WHERE posting_id = ?"
        tx.execute(sql, [district, posting_id])

    @staticmethod
    def opened_district(tx: ViewTx, case_id: str, posting_id: str) -> None:
        """A new case row takes its posting's district (decided before the case was opened)."""
        tx.execute(
            "UPDATE ledger_cases SET district = (SELECT MAX(district) FROM ledger_districts"
            " WHERE posting_id = ?) WHERE id = ?",
            [posting_id, case_id],
        )
