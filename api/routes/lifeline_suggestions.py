"""Possible incidents from clusters of postings: scan, list, accept (one click opens the
incident, links the cluster's postings and drafts the warning for approval), dismiss."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import Field

from api.bootstrap import Container
from api.deps import STAFF, ContainerDep, PrincipalDep, allow
from api.routes.lifeline import report_links
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict
from channels.reference_data import load_district_locator
from domain.context import Cause
from domain.directory import Role
from domain.errors import TransitionNotAllowedError
from domain.incident_suggestions import Sighting, SuggestionService
from domain.warning_content import AreaSpec
from projections.intake import IntakeProjection
from projections.lifeline import LifelineProjection

router = APIRouter(prefix="/api/lifeline", tags=["lifeline"])
DESK = allow(Role.DESK)
SCANNERS = allow(Role.DESK, Role.ADMIN)
LOOKBACK = timedelta(minutes=60)
TITLES = {
    "flood": ("침수 다수 제보", "Many flooding reports"),
    "fire": ("화재 다수 제보", "Many fire reports"),
    "collapse": ("붕괴 다수 제보", "Many collapse reports"),
    "casualty": ("인명 피해 다수 제보", "Many casualty reports"),
}


class DismissIn(Strict):
    reason: str = Field(default="", max_length=500)


def _district(lon: float, lat: float) -> str:
    found = load_district_locator().locate_point(lon, lat)
    return found.code if found else ""


def service(container: Container) -> SuggestionService:
    return SuggestionService(container.commands, _district)


def recent_sightings(container: Container, limit: int = 2000) -> list[Sighting]:
    since = container.clock.now() - LOOKBACK
    out = []
    for p in container.views.get(IntakeProjection).postings(limit=limit):
        at = datetime.fromisoformat(p["created_at"])
        if p["lon"] is not None and p["lat"] is not None and at >= since:
            out.append(Sighting(p["id"], p["text"], p["lon"], p["lat"], at))
    return out


@router.get("/suggestions", dependencies=[allow(*STAFF)])
def suggestions(
    container: ContainerDep,
    after: AfterQuery = None,
    state: Annotated[str, Query(pattern=r"^(open|accepted|dismissed)$")] = "open",
) -> list[dict[str, Any]]:
    wait_for(container, after, ["lifeline"])
    return container.views.get(LifelineProjection).suggestions(state)


@router.post("/suggestions/scan", dependencies=[SCANNERS])
def scan(container: ContainerDep, who: PrincipalDep, after: AfterQuery = None) -> dict[str, Any]:
    """Look at the last hour of located postings for clusters (thresholds: domain RULES)."""
    wait_for(container, after, ["intake"])
    recorded = service(container).scan(Cause(who.actor), recent_sightings(container))
    position = max((r.position for r in recorded), default=container.store.head())
    return {"suggested": [str(r.id) for r in recorded], "position": position}


@router.post("/suggestions/{suggestion_id}/accept", dependencies=[DESK])
def accept(suggestion_id: UUID, container: ContainerDep, who: PrincipalDep) -> dict[str, Any]:
    svc, cause = service(container), Cause(who.actor)
    suggestion = svc.get(suggestion_id)
    if suggestion.state != "open":  # before opening anything: a second click, or dismissed
        raise TransitionNotAllowedError(f"the suggestion was already {suggestion.state}")
    p = suggestion.proposal
    ko, en = TITLES.get(p["cls"], ("다수 제보", "Many reports"))
    districts = [p["district"]] if p["district"] else []
    key = f"suggestion-{suggestion_id}"
    incident = container.lifeline.open(
        cause,
        key=key,
        playbook_id=p["playbook_id"],
        title={"ko": ko, "en": en},
        districts=districts,
    )
    links = report_links(container, p["posting_ids"], "area")
    container.lifeline.link_reports(cause, incident.id, links)
    lon, lat = p["centre"]
    area = (
        AreaSpec("districts", districts=tuple(districts))
        if districts
        else AreaSpec("circle", circle=(lon, lat, 1.0))
    )
    warning = container.warnings.draft(
        cause,
        key=key,
        playbook_id=p["playbook_id"],
        stage_id=p["stage_id"],
        status="Actual",
        area=area,
    )
    container.warnings.submit(cause, warning.id)
    done = svc.decide(cause, suggestion_id, lambda s: s.accept(str(incident.id)))
    return {
        "incident_id": str(incident.id),
        "warning_id": str(warning.id),
        "position": done.position,
    }


@router.post("/suggestions/{suggestion_id}/dismiss", dependencies=[SCANNERS])
def dismiss(
    suggestion_id: UUID, body: DismissIn, container: ContainerDep, who: PrincipalDep
) -> dict[str, Any]:
    reason = body.reason.strip() or "dismissed"
    done = service(container).decide(Cause(who.actor), suggestion_id, lambda s: s.dismiss(reason))
    return {"id": str(done.id), "position": done.position}
