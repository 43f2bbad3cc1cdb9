"""The category and district of each public posting, from triage (what a citizen filters the
public record by). Triage's events come after the posting's own, so the row exists; a person's
correction of either field moves the posting too."""

from __future__ import annotations

from typing import Any

from projections.base import handles
from projections.views import ViewTx

TRIAGE_DDL = (
    "CREATE INDEX IF NOT EXISTS pub_postings_triage ON pub_postings (triage_id)",
    "CREATE INDEX IF NOT EXISTS pub_postings_district"
    " ON pub_postings (district, exercise, position)",
    "CREATE INDEX IF NOT EXISTS pub_postings_category"
    " ON pub_postings (category, exercise, position)",
)
FIELDS = ("category", "district")


class TriageHandlers:
    """Mixed into ``PublicProjection``."""

    @handles("Triage.Decided")
    def _triage_decided(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        values = [(e.decisions.get(f) or {}).get("value") for f in FIELDS]
        tx.execute(
            "UPDATE pub_postings SET category = ?, district = ?, triage_id = ? WHERE id = ?",
            [*values, str(e.originator_id), e.posting_id],
        )

    @handles("Triage.Corrected")
    def _triage_corrected(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        if e.field in FIELDS:
            tx.execute(
                f"UPDATE pub_postings SET {e.field} = ? WHERE triage_id = ?",  # noqa: S608
                [e.new, str(e.originator_id)],
            )
