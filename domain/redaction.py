"""Redaction of personal data before a posting or reply is disclosed.

``redact(text)`` replaces phone numbers, e-mail addresses, resident registration numbers,
bank account numbers, card numbers and vehicle plates by a visible marker per kind, e.g.
``[전화번호/phone]``. Matching runs on a normalised copy of the text (full-width forms folded to
ASCII, dash and space look-alikes unified) that has exactly the original's length, so offsets
carry over and everything outside the findings stays byte-for-byte as written.

Guarantees (tested): redaction is idempotent, and never makes a text longer: when a finding is
shorter than its marker the short Korean marker (e.g. ``[전화번호]``) is used, so disclosures
keep fitting channels with length limits. See docs/deadlines-and-redaction.md for the rules.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from domain.redaction_patterns import (
    PRIORITY,
    Candidate,
    Context,
    Kind,
    email_candidates,
    masked_rrn_candidates,
    number_candidates,
    plate_candidates,
)

__all__ = ["MARKERS", "SHORT_MARKERS", "Finding", "Kind", "Redacted", "normalise", "redact"]

MARKERS: dict[Kind, str] = {
    Kind.PHONE: "[전화번호/phone]",
    Kind.EMAIL: "[이메일/email]",
    Kind.RRN: "[주민등록번호/RRN]",
    Kind.ACCOUNT: "[계좌번호/account]",
    Kind.CARD: "[카드번호/card]",
    Kind.PLATE: "[차량번호/plate]",
}
SHORT_MARKERS: dict[Kind, str] = {
    Kind.PHONE: "[전화번호]",
    Kind.EMAIL: "[이메일]",
    Kind.RRN: "[주민번호]",
    Kind.ACCOUNT: "[계좌번호]",
    Kind.CARD: "[카드번호]",
    Kind.PLATE: "[차량번호]",
}
_ALL_MARKERS = sorted({*MARKERS.values(), *SHORT_MARKERS.values()}, key=len, reverse=True)
_MARKER_RE = re.compile("|".join(re.escape(m) for m in _ALL_MARKERS))
_MAX_ROUNDS = 4


def _fold_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII
    for cp in (0x00A0, 0x3000, 0x202F, 0x205F, *range(0x2000, 0x200B)):
        table[cp] = " "
    for cp in (*range(0x2010, 0x2016), 0x2212, 0xFE58, 0xFE63, 0x3161, 0x30FC):
        table[cp] = "-"  # hyphens, dashes, minus, Hangul ㅡ and ー used as dashes
    return table


_FOLD = _fold_table()


@dataclass(frozen=True, slots=True)
class Finding:
    """One redacted span, as offsets into the *original* text."""

    kind: Kind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Redacted:
    text: str
    findings: tuple[Finding, ...]

    @property
    def changed(self) -> bool:
        return bool(self.findings)

    def counts(self) -> dict[Kind, int]:
        """How many findings of each kind (for the disclosure log)."""
        return dict(Counter(f.kind for f in self.findings))


def normalise(text: str) -> str:
    """The matching form of ``text``: same length, folded characters, markers blanked out."""
    folded = text.translate(_FOLD)
    if "[" in folded:
        folded = _MARKER_RE.sub(lambda m: "\x00" * len(m.group()), folded)
    return folded


def redact(text: str) -> Redacted:
    """Replace personal data in ``text`` by markers; report what was replaced and where."""
    spans = _find(text)
    if not spans:
        return Redacted(text, ())
    out = _apply(text, spans)
    for _ in range(_MAX_ROUNDS):  # a safety net: a replacement can change a sentence's context
        extra = _find(out)
        if not extra:
            break
        spans = _resolve([*spans, *(_map_back(c, spans) for c in extra)])
        out = _apply(text, spans)
    return Redacted(out, tuple(Finding(c.kind, c.start, c.end) for c in spans))


def _find(text: str) -> list[Candidate]:
    norm = normalise(text)
    found = list(email_candidates(norm))
    if any(ch.isdigit() for ch in norm):
        ctx = Context(norm)
        found += number_candidates(norm, ctx)
        found += masked_rrn_candidates(norm)
        found += plate_candidates(norm, ctx)
    return _resolve(found)


def _resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Best first (usual form, then longest, then leftmost); drop what overlaps a better one."""
    ranked = sorted(
        candidates, key=lambda c: (-c.score, c.start - c.end, c.start, PRIORITY.index(c.kind))
    )
    kept: list[Candidate] = []
    for c in ranked:
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _marker(c: Candidate) -> str:
    marker = MARKERS[c.kind]
    return marker if c.end - c.start >= len(marker) else SHORT_MARKERS[c.kind]


def _apply(text: str, spans: list[Candidate]) -> str:
    pieces, pos = [], 0
    for c in spans:
        pieces += [text[pos : c.start], _marker(c)]
        pos = c.end
    pieces.append(text[pos:])
    return "".join(pieces)


def _map_back(c: Candidate, spans: list[Candidate]) -> Candidate:
    """Move a span found in the redacted text back to original offsets (it lies between markers)."""
    shift = 0
    for s in spans:
        if s.start - shift >= c.end:  # this marker comes after the span
            break
        shift += (s.end - s.start) - len(_marker(s))
    return Candidate(c.kind, c.start + shift, c.end + shift, c.score)
