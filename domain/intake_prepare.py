"""What intake works out for a posting without looking at anything stored: its near-duplicate
fingerprint (normalised text, shingles, MinHash signature), the triage engine's decisions and
the triage event made from them (``domain.intake_premap``).

Pure, and picklable with its engine, so a long replay can have it done in a second process
while the first one stores (``channels/x/pipeline.py``): the two cores of a small server then
share the work. ``IntakeService.ingest`` takes the result per posting and skips those steps;
what depends on the store (duplicates, the near-duplicate lookup, cases) is still decided by
the writer, in order. The engine is the one the preparer was given: a replay decides with the
city's rules as they were when it started.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from domain.context import Cause
from domain.intake_premap import MappedTriage, TriageAhead
from domain.intake_types import validate
from domain.neardup import Fingerprint, fingerprint_of
from domain.postings import IncomingPosting
from domain.triage import FieldDecision
from domain.triage_engine import Posted, TriageEngine, unknown_decisions

Decisions = dict[str, FieldDecision]


@dataclass(frozen=True, slots=True)
class Prepared:
    """For one incoming posting: its fingerprint (None: too short to compare), triage's
    decisions (None: not decided here, e.g. a retweet, or no engine) and the triage event made
    from them (None: not made here)."""

    fingerprint: Fingerprint | None
    decisions: Decisions | None
    triage: MappedTriage | None = None

    def __reduce__(self) -> tuple[Any, ...]:  # faster than the slots dataclass default
        return (Prepared, (self.fingerprint, self.decisions, self.triage))


def decide_one(engine: TriageEngine, posted: Posted) -> Decisions:
    """The engine's decisions; an unexpected failure is recorded as the reason, never raised."""
    try:
        return engine.decide(posted)
    except Exception as exc:  # a bad posting must not stop intake
        return unknown_decisions(f"triage failed: {type(exc).__name__}: {exc}"[:300])


def decide_all(engine: TriageEngine, posteds: Sequence[Posted]) -> list[Decisions]:
    """A batch at once; if the batch fails, each posting on its own, so one bad posting's
    failure is recorded against it alone."""
    try:
        return engine.decide_many(posteds)
    except Exception:  # decided one by one below, each failure recorded against its posting
        return [decide_one(engine, p) for p in posteds]


class Preparer:
    """Prepares batches of incoming postings (see the module's docstring)."""

    def __init__(
        self, min_chars: int, engine: TriageEngine | None = None, ahead: TriageAhead | None = None
    ) -> None:
        self.min_chars = min_chars
        self.engine = engine
        self.ahead = ahead

    def for_cause(self, cause: Cause) -> Preparer:
        """The same preparer making triage events as ``cause`` (the replay's)."""
        if self.ahead is None or self.ahead.cause == cause:
            return self
        return type(self)(self.min_chars, self.engine, replace(self.ahead, cause=cause))

    def prepare(self, postings: Sequence[IncomingPosting]) -> list[Prepared]:
        """One ``Prepared`` per posting, in order. Retweets and items intake will reject get
        neither part; a fingerprint has its shingles and signature computed already."""
        fingerprints: list[Fingerprint | None] = []
        wanted: list[int] = []
        for i, item in enumerate(postings):
            taken = not item.is_retweet and validate(item) is None
            fp = fingerprint_of(item.text, self.min_chars) if taken else None
            if fp is not None:
                fp.shingled()
            fingerprints.append(fp)
            if taken:
                wanted.append(i)
        decided: dict[int, Decisions] = {}
        if self.engine is not None and wanted:
            posteds = [Posted.of(postings[i]) for i in wanted]
            decided = dict(zip(wanted, decide_all(self.engine, posteds), strict=True))
        return [
            Prepared(fp, decided.get(i), self._triage(postings[i], decided.get(i)))
            for i, fp in enumerate(fingerprints)
        ]

    def _triage(self, item: IncomingPosting, decisions: Decisions | None) -> MappedTriage | None:
        """The triage event made ahead; None if it cannot be (the writer then makes the
        batch's triage itself, and meets the same problem where it is reported as before)."""
        if self.ahead is None or decisions is None:
            return None
        try:
            return self.ahead.make(item.posting_id, decisions)
        except Exception:
            return None
