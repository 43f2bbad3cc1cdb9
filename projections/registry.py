"""Every read model of SMC. Adding a capability adds its projection class here."""

from __future__ import annotations

from projections.auto_answer import AutoAnswerProjection
from projections.base import SmcProjection
from projections.deliveries import DeliveriesProjection
from projections.directory import DirectoryProjection
from projections.event_log import EventLogProjection
from projections.follow import FollowProjection
from projections.intake import IntakeProjection
from projections.ledger import LedgerProjection
from projections.lifeline import LifelineProjection
from projections.missing_persons import MissingPersonsProjection
from projections.open311 import Open311Projection
from projections.public import PublicProjection
from projections.templates import TemplatesProjection
from projections.triage import TriageProjection
from projections.warnings import WarningsProjection

PROJECTIONS: tuple[type[SmcProjection], ...] = (
    DirectoryProjection,
    EventLogProjection,
    IntakeProjection,
    LedgerProjection,
    PublicProjection,
    TemplatesProjection,
    WarningsProjection,
    DeliveriesProjection,
    Open311Projection,
    LifelineProjection,
    MissingPersonsProjection,
    TriageProjection,
    FollowProjection,
    AutoAnswerProjection,
)


def by_name(name: str) -> type[SmcProjection]:
    for cls in PROJECTIONS:
        if cls.name == name:
            return cls
    known = ", ".join(c.name for c in PROJECTIONS)
    msg = f"no projection named {name!r} (known: {known})"
    raise KeyError(msg)
