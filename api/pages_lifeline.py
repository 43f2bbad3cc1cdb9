"""The public LIFELINE page (works without JavaScript) and the figure provenance page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import ContainerDep
from api.lifeline_geo import district_names
from api.rendering import render
from api.routes.lifeline import reads
from api.routes.missing_persons import public_search
from api.routes.system import AfterQuery, wait_for
from domain.incidents import CASUALTY_FIELDS, DAMAGE_FIELDS

router = APIRouter(include_in_schema=False)
REFRESH_SECONDS = 30
KST = timezone(timedelta(hours=9), "KST")


def kst(iso: str | None) -> str:
    """UTC ISO time as Seoul shows it; lifeline.js formats the same way."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


def _pick(incidents: list[dict[str, Any]], wanted: str | None) -> dict[str, Any] | None:
    for inc in incidents:
        if inc["id"] == wanted:
            return inc
    return incidents[0] if incidents and wanted is None else None


@router.get("/lifeline", response_class=HTMLResponse)
def lifeline_page(
    request: Request,
    container: ContainerDep,
    exercise: bool = False,
    incident: Annotated[str | None, Query(max_length=36)] = None,
    after: AfterQuery = None,
) -> HTMLResponse:
    wait_for(container, after, ["lifeline"])
    snapshot = reads(container).snapshot(exercise, container.clock.now())
    current = _pick(snapshot["incidents"], incident)
    if incident is not None and current is None:
        raise HTTPException(404, "incident not found in this view")
    settings = container.settings
    boot = {
        "position": snapshot["position"],
        "incident": current["id"] if current else None,
        "exercise": exercise,
        "names": district_names(),
        "tile_url": settings.lifeline_tile_url,
        "tile_attribution": settings.lifeline_tile_attribution,
        "casualty_fields": CASUALTY_FIELDS,
        "damage_fields": DAMAGE_FIELDS,
        "warnings": snapshot["warnings"],
        "current": current,
    }
    return render(
        request,
        "lifeline.html",
        snapshot=snapshot,
        current=current,
        exercise=exercise,
        names=boot["names"],
        casualty_fields=CASUALTY_FIELDS,
        damage_fields=DAMAGE_FIELDS,
        refresh=REFRESH_SECONDS,
        boot=boot,
        kst=kst,
    )


@router.get("/lifeline/incidents/{incident_id}/figures/{field}", response_class=HTMLResponse)
def figure_page(
    request: Request,
    container: ContainerDep,
    incident_id: UUID,
    field: str,
    district: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
) -> HTMLResponse:
    if field not in CASUALTY_FIELDS + DAMAGE_FIELDS:
        raise HTTPException(404, "no such figure")
    found = reads(container).figure(str(incident_id), field, district)
    if found is None:
        raise HTTPException(404, "incident not found")
    return render(request, "lifeline_figure.html", f=found, names=district_names(), kst=kst)


@router.get("/lifeline/persons", response_class=HTMLResponse)
def persons_page(
    request: Request,
    container: ContainerDep,
    q: Annotated[str, Query(max_length=100)] = "",
    exercise: bool = False,
    after: AfterQuery = None,
) -> HTMLResponse:
    """Public missing-person search; works without JavaScript."""
    wait_for(container, after, ["missing_persons"])
    found = public_search(container, q, exercise) if q.strip() else []
    return render(
        request,
        "lifeline_persons.html",
        q=q,
        persons=found,
        exercise=exercise,
        names=district_names(),
        kst=kst,
    )
