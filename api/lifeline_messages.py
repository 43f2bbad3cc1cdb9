"""The ``/ws/lifeline`` protocol: strict message schemas, one ``type`` literal each.

Client -> server: ``hello`` (``since``: the last position it holds, or null; ``exercise``).
Server -> client: ``snapshot`` (everything at a position) or ``delta`` (the full current state
of every incident that changed after the client's position, and the warning areas if they
changed), then only ``delta`` messages. States replace earlier ones, so a repeated delta is
harmless and the client's position only moves forward.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Msg(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Hello(Msg):
    type: Literal["hello"]
    since: int | None = Field(default=None, ge=0)
    exercise: bool = False


class Cell(Msg):
    value: int
    unverified: int


class DistrictFigures(Msg):
    code: str
    figures: dict[str, Cell]


class Figures(Msg):
    as_of: str | None
    totals: dict[str, Cell]
    districts: list[DistrictFigures]
    sources: dict[str, int]
    mix: dict[str, int]


class TimelineEntry(Msg):
    at: str
    what: Literal["opened", "casualty", "damage", "closed"]
    position: int
    district: str | None = None
    source: str | None = None
    verified: bool | None = None
    figures: dict[str, int] | None = None
    supersedes: str | None = None


class ShelterState(Msg):
    id: str
    name_ko: str
    name_en: str
    address: str
    lon: float
    lat: float
    district: str
    capacity: int
    occupancy: int
    status: Literal["open", "full", "closed"]
    opened_at: str
    updated_at: str


class IncidentState(Msg):
    id: str
    title_ko: str
    title_en: str
    playbook_id: str
    status: Literal["Actual", "Exercise"]
    state: Literal["open", "closed"]
    districts: list[str]
    hashtags: list[str]
    opened_at: str
    closed_at: str | None
    figures: Figures
    reports: dict[str, int]
    timeline: list[TimelineEntry]
    shelters: list[ShelterState] = []


class WarningAreaShape(Msg):
    desc: dict[str, str]
    polygons: list[list[list[float]]]
    circles: list[list[float]]
    districts: list[str]


class WarningArea(Msg):
    id: str
    status: str
    state: str
    stage_id: str
    severity: str
    headline_ko: str
    headline_en: str
    instruction_ko: str
    instruction_en: str
    area: WarningAreaShape
    identifier: str
    sent: str
    expires_utc: str


class Snapshot(Msg):
    type: Literal["snapshot"] = "snapshot"
    position: int
    incidents: list[IncidentState]
    warnings: list[WarningArea]


class Delta(Msg):
    type: Literal["delta"] = "delta"
    position: int
    incidents: list[IncidentState]
    warnings: list[WarningArea] | None


class ErrorMsg(Msg):
    type: Literal["error"] = "error"
    detail: str


ServerMessage = Snapshot | Delta | ErrorMsg
