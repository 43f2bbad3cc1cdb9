"""LIFELINE API: incidents with figures and provenance, GeoJSON, CSV; the desk's updates."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response
from pydantic import Field

from api.bootstrap import Container
from api.deps import ContainerDep, PrincipalDep, allow
from api.lifeline_geo import LifelineReads, districts_geojson
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict, Written
from channels.reference_data import load_district_locator
from domain.context import Cause
from domain.directory import Role
from domain.incident_service import FigureUpdate, ReportLink
from domain.incidents import CASUALTY_FIELDS, DAMAGE_FIELDS, SOURCES
from domain.store import Recorded
from projections.intake import IntakeProjection

router = APIRouter(prefix="/api/lifeline", tags=["lifeline"])
DESK = allow(Role.DESK, Role.ADMIN)
VERIFIERS = allow(Role.DESK, Role.ADMIN, Role.OFFICIAL, Role.APPROVER)
VIEW = ["lifeline"]
GEOJSON = "application/geo+json"

District = Annotated[str, Field(pattern=r"^\d{5}$")]
Key = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[\w-]+$")]
FIGURES = CASUALTY_FIELDS + DAMAGE_FIELDS


class OpenIn(Strict):
    key: Key | None = None
    playbook_id: str = Field(min_length=1, max_length=64)
    title_ko: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    districts: list[District] = Field(default=[], max_length=25)
    status: Literal["Actual", "Exercise"] = "Actual"
    hashtags: list[Annotated[str, Field(max_length=100)]] = Field(default=[], max_length=20)


class UpdateIn(Strict):
    key: Key | None = None
    district: District
    figures: dict[str, int] = Field(max_length=10)
    source: Literal[SOURCES]  # type: ignore[valid-type]
    verified: bool = False
    supersedes: str | None = Field(default=None, max_length=36)
    note: str = Field(default="", max_length=500)
    location: list[float] | None = Field(default=None, min_length=2, max_length=2)


class LinkIn(Strict):
    posting_ids: list[Annotated[str, Field(max_length=36)]] = Field(min_length=1, max_length=500)
    how: Literal["manual", "hashtag", "area"] = "manual"


class VerifyIn(Strict):
    state: Literal["unverified", "verified", "false"]


class CloseIn(Strict):
    reason: str = Field(default="", max_length=500)


def reads(container: Container) -> LifelineReads:
    assert container.lifeline_hub is not None
    return container.lifeline_hub.reads


def written(result: Recorded) -> Written:
    return Written(id=str(result.id), position=result.position)


def _found(value: Any, what: str = "incident") -> Any:
    if value is None:
        raise HTTPException(404, f"{what} not found")
    return value


@router.get("/districts.geojson")
def districts() -> Response:
    return Response(districts_geojson(), media_type=GEOJSON)


@router.get("/incidents")
def incidents(
    container: ContainerDep, after: AfterQuery = None, exercise: bool = False
) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return reads(container).incidents(exercise)


@router.get("/incidents/{incident_id}.geojson")
def incident_geojson(
    incident_id: UUID, container: ContainerDep, after: AfterQuery = None
) -> Response:
    wait_for(container, after, VIEW)
    body = _found(reads(container).geojson(str(incident_id), container.clock.now()))
    return Response(body, media_type=GEOJSON)


@router.get("/incidents/{incident_id}/districts.csv")
def incident_csv(
    incident_id: UUID,
    container: ContainerDep,
    after: AfterQuery = None,
    lang: Literal["ko", "en"] = "ko",
) -> Response:
    wait_for(container, after, VIEW)
    text = _found(reads(container).csv(str(incident_id), lang))
    name = f"lifeline-{incident_id}-districts.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/incidents/{incident_id}/figures/{field}")
def figure(
    incident_id: UUID,
    field: str,
    container: ContainerDep,
    after: AfterQuery = None,
    district: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
) -> dict[str, Any]:
    """One figure with every update (live or superseded) that stated it: its provenance."""
    if field not in FIGURES:
        raise HTTPException(404, f"no figure {field}; known: {', '.join(FIGURES)}")
    wait_for(container, after, VIEW)
    found: dict[str, Any] = _found(reads(container).figure(str(incident_id), field, district))
    return found


@router.get("/incidents/{incident_id}")
def incident(
    incident_id: UUID, container: ContainerDep, after: AfterQuery = None
) -> dict[str, Any]:
    wait_for(container, after, VIEW)
    found: dict[str, Any] = _found(reads(container).detail(str(incident_id)))
    return found


@router.post("/incidents", status_code=status.HTTP_201_CREATED, dependencies=[DESK])
def open_incident(body: OpenIn, container: ContainerDep, who: PrincipalDep) -> Written:
    result = container.lifeline.open(
        Cause(who.actor),
        key=body.key or secrets.token_hex(16),
        playbook_id=body.playbook_id,
        title={"ko": body.title_ko, "en": body.title_en},
        districts=body.districts,
        status=body.status,
        hashtags=body.hashtags,
    )
    return written(result)


def _update(
    container: Container, who: Any, incident_id: UUID, kind: str, body: UpdateIn
) -> Written:
    update = FigureUpdate(
        kind=kind,
        key=body.key or secrets.token_hex(16),
        district=body.district,
        figures=body.figures,
        source=body.source,
        verified=body.verified,
        supersedes=body.supersedes,
        note=body.note,
        location=(body.location[0], body.location[1]) if body.location else None,
    )
    return written(container.lifeline.update(Cause(who.actor), incident_id, update))


@router.post("/incidents/{incident_id}/casualties", dependencies=[DESK])
def casualties(
    incident_id: UUID, body: UpdateIn, container: ContainerDep, who: PrincipalDep
) -> Written:
    return _update(container, who, incident_id, "casualty", body)


@router.post("/incidents/{incident_id}/damage", dependencies=[DESK])
def damage(
    incident_id: UUID, body: UpdateIn, container: ContainerDep, who: PrincipalDep
) -> Written:
    return _update(container, who, incident_id, "damage", body)


def report_links(container: Container, posting_ids: list[str], how: str) -> list[ReportLink]:
    intake = container.views.get(IntakeProjection)
    locator = load_district_locator()
    links = []
    for pid in posting_ids:
        p = _found(intake.posting(pid), f"posting {pid}")
        district = locator.locate_point(p["lon"], p["lat"]) if p["lon"] is not None else None
        photo = p["media_urls"][0] if p["media_urls"] else ""
        links.append(
            ReportLink(
                pid,
                p["lon"],
                p["lat"],
                district.code if district else "",
                p["text"][:280],
                photo,
                p["created_at"],
                how,
            )
        )
    return links


@router.post("/incidents/{incident_id}/reports", dependencies=[VERIFIERS])
def link_reports(
    incident_id: UUID, body: LinkIn, container: ContainerDep, who: PrincipalDep
) -> Written:
    links = report_links(container, body.posting_ids, body.how)
    return written(container.lifeline.link_reports(Cause(who.actor), incident_id, links))


def _tag(value: str) -> str:
    return value.strip().lstrip("#").casefold()


def matching_postings(container: Container, inc: dict[str, Any]) -> list[str]:
    """Postings under one of the incident's hashtags since an hour before it opened, located
    in one of its districts (or not located at all)."""
    tags = {_tag(t) for t in inc["hashtags"]}
    since = datetime.fromisoformat(inc["opened_at"]) - timedelta(hours=1)
    locator, out = load_district_locator(), []
    for p in container.views.get(IntakeProjection).postings(limit=5000):
        if not tags & {_tag(h) for h in p["hashtags"]}:
            continue
        if datetime.fromisoformat(p["created_at"]) < since:
            continue
        where = locator.locate_point(p["lon"], p["lat"]) if p["lon"] is not None else None
        if where is None or not inc["districts"] or where.code in inc["districts"]:
            out.append(p["id"])
    return out


@router.post("/incidents/{incident_id}/autolink", dependencies=[VERIFIERS])
def autolink(
    incident_id: UUID, container: ContainerDep, who: PrincipalDep, after: AfterQuery = None
) -> Written:
    """Link the postings that carry the incident's hashtags in its area (already-linked ones
    are ignored by the view)."""
    wait_for(container, after, ["intake", "lifeline"])
    inc = _found(reads(container).detail(str(incident_id)))
    ids = matching_postings(container, inc)
    links = report_links(container, ids, "hashtag")
    return written(container.lifeline.link_reports(Cause(who.actor), incident_id, links))


@router.post("/incidents/{incident_id}/reports/{posting_id}/verify", dependencies=[VERIFIERS])
def verify_report(
    incident_id: UUID, posting_id: str, body: VerifyIn, container: ContainerDep, who: PrincipalDep
) -> Written:
    container.views.wait(container.store.head(), VIEW)  # read-your-writes: a fresh link
    if not reads(container).is_linked(str(incident_id), posting_id):
        raise HTTPException(404, f"report {posting_id} is not linked to incident {incident_id}")
    result = container.lifeline.verify_report(Cause(who.actor), incident_id, posting_id, body.state)
    return written(result)


@router.post("/incidents/{incident_id}/close", dependencies=[DESK])
def close(incident_id: UUID, body: CloseIn, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(container.lifeline.close(Cause(who.actor), incident_id, body.reason))
