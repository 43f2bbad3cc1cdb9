"""Every read model of SMC. Adding a capability adds its projection class here."""

from __future__ import annotations

from projections.base import SmcProjection
from projections.directory import DirectoryProjection
from projections.event_log import EventLogProjection
from projections.intake import IntakeProjection

PROJECTIONS: tuple[type[SmcProjection], ...] = (
    DirectoryProjection,
    EventLogProjection,
    IntakeProjection,
)


def by_name(name: str) -> type[SmcProjection]:
    for cls in PROJECTIONS:
        if cls.name == name:
            return cls
    known = ", ".join(c.name for c in PROJECTIONS)
    msg = f"no projection named {name!r} (known: {known})"
    raise KeyError(msg)
