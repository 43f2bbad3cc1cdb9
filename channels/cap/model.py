"""OASIS CAP 1.2 messages as frozen dataclasses of primitives.

Coordinates are held as (x=lon, y=lat) everywhere inside SMC; the swap to CAP's
"lat,lon" text happens only in :mod:`channels.cap.geo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"

Status = Literal["Actual", "Exercise", "System", "Test", "Draft"]
MsgType = Literal["Alert", "Update", "Cancel", "Ack", "Error"]
Scope = Literal["Public", "Restricted", "Private"]
Category = Literal[
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
]
ResponseType = Literal[
    "Shelter",
    "Evacuate",
    "Prepare",
    "Execute",
    "Avoid",
    "Monitor",
    "Assess",
    "AllClear",
    "None",
]
Urgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Certainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]

STATUSES: tuple[str, ...] = get_args(Status)
MSG_TYPES: tuple[str, ...] = get_args(MsgType)
SCOPES: tuple[str, ...] = get_args(Scope)
CATEGORIES: tuple[str, ...] = get_args(Category)
RESPONSE_TYPES: tuple[str, ...] = get_args(ResponseType)
URGENCIES: tuple[str, ...] = get_args(Urgency)
SEVERITIES: tuple[str, ...] = get_args(Severity)
CERTAINTIES: tuple[str, ...] = get_args(Certainty)

Point = tuple[float, float]
"""(x=lon, y=lat)."""
Ring = tuple[Point, ...]
Circle = tuple[float, float, float]
"""(lon, lat, radius_km)."""
NamedValue = tuple[str, str]
"""(valueName, value), as in CAP geocode, parameter and eventCode."""
Reference = tuple[str, str, datetime]
"""(sender, identifier, sent) of an earlier message."""


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


@dataclass(frozen=True)
class CapArea:
    area_desc: str
    polygons: tuple[Ring, ...] = ()
    circles: tuple[Circle, ...] = ()
    geocodes: tuple[NamedValue, ...] = ()
    altitude: float | None = None
    ceiling: float | None = None


@dataclass(frozen=True)
class CapResource:
    resource_desc: str
    mime_type: str
    size: int | None = None
    uri: str | None = None
    deref_uri: str | None = None
    digest: str | None = None


@dataclass(frozen=True, kw_only=True)
class CapInfo:
    language: str = "en-US"
    category: tuple[Category, ...]
    event: str
    response_types: tuple[ResponseType, ...] = ()
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    sender_name: str | None = None
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    web: str | None = None
    parameters: tuple[NamedValue, ...] = ()
    areas: tuple[CapArea, ...] = ()
    audience: str | None = None
    event_codes: tuple[NamedValue, ...] = ()
    contact: str | None = None
    resources: tuple[CapResource, ...] = ()

    def __post_init__(self) -> None:
        if not self.category:
            raise ValueError("CAP info needs at least one category")
        for name in ("effective", "onset", "expires"):
            _require_aware(name, getattr(self, name))


@dataclass(frozen=True, kw_only=True)
class CapAlert:
    identifier: str
    sender: str
    sent: datetime
    status: Status
    msg_type: MsgType
    scope: Scope
    references: tuple[Reference, ...] = ()
    note: str | None = None
    incidents: str | None = None
    infos: tuple[CapInfo, ...] = ()
    source: str | None = None
    restriction: str | None = None
    addresses: str | None = None
    codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_aware("sent", self.sent)
        for _, _, ref_sent in self.references:
            _require_aware("references sent", ref_sent)
