"""Shelters of a LIFELINE incident: the desk opens and updates them; anyone reads them
(JSON, or an RFC 7946 FeatureCollection for maps)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, status
from fastapi.responses import Response
from pydantic import Field

from api.bootstrap import Container
from api.deps import ContainerDep, PrincipalDep
from api.lifeline_geo import _dumps
from api.routes.lifeline import DESK, GEOJSON, VIEW, District, Key, _found, reads, written
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict, Written
from domain.context import Cause
from domain.shelters import MAX_CAPACITY, ShelterIn, ShelterService
from projections.lifeline_shelters import feature

router = APIRouter(prefix="/api/lifeline", tags=["lifeline"])
Status = Literal["open", "full", "closed"]
Count = Annotated[int, Field(ge=0, le=MAX_CAPACITY)]


class ShelterOpenIn(Strict):
    key: Key | None = None
    name_ko: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    lon: float
    lat: float
    district: District
    capacity: Annotated[int, Field(ge=1, le=MAX_CAPACITY)]
    occupancy: Count = 0
    status: Status = "open"


class ShelterUpdateIn(Strict):
    capacity: Annotated[int, Field(ge=1, le=MAX_CAPACITY)] | None = None
    occupancy: Count | None = None
    status: Status | None = None


def service(container: Container) -> ShelterService:
    return container.shelters


@router.post(
    "/incidents/{incident_id}/shelters", status_code=status.HTTP_201_CREATED, dependencies=[DESK]
)
def open_shelter(
    incident_id: UUID, body: ShelterOpenIn, container: ContainerDep, who: PrincipalDep
) -> Written:
    data = body.model_dump()
    data["key"] = body.key or secrets.token_hex(16)
    return written(service(container).open(Cause(who.actor), incident_id, ShelterIn(**data)))


@router.post("/incidents/{incident_id}/shelters/{shelter_id}", dependencies=[DESK])
def update_shelter(
    incident_id: UUID,
    shelter_id: UUID,
    body: ShelterUpdateIn,
    container: ContainerDep,
    who: PrincipalDep,
) -> Written:
    result = service(container).update(
        Cause(who.actor),
        incident_id,
        shelter_id,
        capacity=body.capacity,
        occupancy=body.occupancy,
        status=body.status,
    )
    return written(result)


@router.get("/incidents/{incident_id}/shelters")
def shelters(
    incident_id: UUID, container: ContainerDep, after: AfterQuery = None
) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    found: list[dict[str, Any]] = _found(reads(container).shelters(str(incident_id)))
    return found


@router.get("/incidents/{incident_id}/shelters.geojson")
def shelters_geojson(
    incident_id: UUID, container: ContainerDep, after: AfterQuery = None
) -> Response:
    wait_for(container, after, VIEW)
    rows = _found(reads(container).shelters(str(incident_id)))
    body = {"type": "FeatureCollection", "features": [feature(s) for s in rows]}
    return Response(_dumps(body), media_type=GEOJSON)
