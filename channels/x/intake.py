"""X postings and rejections, as the domain's intake takes them."""

from __future__ import annotations

from dataclasses import fields

from channels.x.model import NormalizedPosting, Rejection
from domain.intake_service import IncomingRejection
from domain.postings import IncomingPosting

SHARED = tuple(
    f.name for f in fields(IncomingPosting) if f.name in NormalizedPosting.__dataclass_fields__
)


def to_incoming(p: NormalizedPosting) -> IncomingPosting:
    """The same fields under the same names (X's matching rules stay at the edge)."""
    return IncomingPosting(**{name: getattr(p, name) for name in SHARED})


def to_rejection(r: Rejection, channel: str = "x") -> IncomingRejection:
    where = f"line {r.line_no}: " if r.line_no else ""
    return IncomingRejection(channel, f"{where}{r.reason}", r.raw_excerpt, r.source_id)
