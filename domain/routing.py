"""From triage to the ledger: every new posting gets its case in the same transaction,
classified with its deadline and, when the machine is sure enough of the destination,
assigned to the department or district office at once (the seed's "most postings reach the
right desk with no human touch"). Unsure ones wait, triaged, in the triage queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.auto_answer import AutoAnswerer
from domain.base import SmcAggregate
from domain.intake_premap import MappedTriage, TriageRecord
from domain.intake_prepare import Decisions
from domain.intake_service import Saved, Triaged, Triager, as_list
from domain.ledger import Case
from domain.ledger_service import LedgerService
from domain.postings import IncomingPosting, Posting
from domain.triage import Triage


def unit_of(destination: str | None) -> str | None:
    """Triage destinations (``dept:BUS``, ``gu:11680``) as ledger units."""
    if not destination:
        return None
    kind, _, code = destination.partition(":")
    unit_kind = {
        "dept": "department",
        "department": "department",
        "gu": "district",
        "district": "district",
    }.get(kind)
    return f"{unit_kind}:{code}" if unit_kind and code else None


class RoutingTriager:
    def __init__(
        self,
        inner: Triager,
        ledger: LedgerService,
        assign_threshold: float,
        auto_answer: AutoAnswerer | None = None,
    ) -> None:
        self.inner = inner
        self.ledger = ledger
        self.assign_threshold = assign_threshold
        self.auto_answer = auto_answer

    def triage(self, posting: Posting, item: IncomingPosting) -> Sequence[Saved]:
        return self._routed(posting, self.inner.triage(posting, item))

    def triage_many(
        self,
        pairs: Sequence[tuple[Posting, IncomingPosting]],
        decided: Sequence[Decisions] | None = None,
        mapped: Sequence[MappedTriage | None] | None = None,
    ) -> list[Triaged]:
        triaged = self.inner.triage_many(pairs, decided, mapped)
        return [self._routed(p, t) for (p, _item), t in zip(pairs, triaged, strict=True)]

    def _routed(self, posting: Posting, decided: Triaged) -> list[Saved]:
        out = as_list(decided)
        if posting.case_id is not None:
            return out  # a near-duplicate is a mention of an existing case, not a new one
        triage = next((a for a in out if isinstance(a, (Triage, TriageRecord))), None)
        decisions = triage.decisions if triage else {}
        case = self._case(posting, decisions)
        out.append(case)
        if self.auto_answer is not None:
            out.extend(self.auto_answer.apply(case, posting, decisions))
        return out

    def rerouted(self, triage: Triage, by: str) -> list[SmcAggregate]:
        """A person corrected or accepted triage: the posting's case follows the corrected
        request class (new deadline) and destination (assigned, or transferred while nobody
        has answered yet). Nothing changes for a case without one, or one already answered."""
        case_id = Case.create_id(triage.posting_id)
        if not self.ledger.store.exists(case_id):
            return []  # a near-duplicate: its case is another posting's
        case = self.ledger.store.load(case_id, Case, "case")
        klass = triage.current.get("request_class")
        unit = unit_of(triage.current.get("destination"))
        changed = self.ledger.reroute(case, klass, unit, f"triage corrected by {by}")
        return [case] if changed else []

    def _case(self, posting: Posting, decisions: dict[str, Any]) -> Case:
        klass = (decisions.get("request_class") or {}).get("value")
        dest = decisions.get("destination") or {}
        sure = float(dest.get("confidence") or 0.0) >= self.assign_threshold
        unit = unit_of(dest.get("value")) if sure else None
        reason = f"triage {dest.get('version', '')}: {dest.get('reason', '')}"[:300]
        return self.ledger.new_case(posting, klass, unit, reason)
