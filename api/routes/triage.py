"""Triage API: the review queue, one posting's decisions, accept/correct, hand-off to the
district, how often the machine was right, reloading the city's rules, and a dry run."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query
from pydantic import Field

from api.bootstrap import Container
from api.deps import STAFF, ContainerDep, PrincipalDep, allow
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict, Written
from api.triage_wiring import reloaded_engine
from domain.context import Cause
from domain.directory import Role
from domain.triage_engine import Posted
from domain.triage_service import TriageService
from projections.triage import TriageProjection

log = logging.getLogger("smc.triage")
router = APIRouter(prefix="/api/triage", tags=["triage"])
VIEW = ["triage"]
REVIEWERS = (Role.OFFICIAL, Role.DEPARTMENT_LEAD, Role.DESK, Role.ADMIN)


class CorrectionIn(Strict):
    category: str | None = Field(default=None, max_length=40)
    request_class: str | None = Field(default=None, max_length=40)
    info_type: str | None = Field(default=None, max_length=60)
    district: str | None = Field(default=None, max_length=10)
    destination: str | None = Field(default=None, max_length=24)


class DryRunIn(Strict):
    text: str = Field(max_length=25_000)
    lon: float | None = None
    lat: float | None = None
    account: str | None = Field(default=None, max_length=100)


def service(container: Container) -> TriageService:
    if container.triage is None:
        raise HTTPException(503, "triage is not configured in this process")
    return container.triage


def posting_uuid(posting_id: str) -> UUID:
    try:
        return UUID(posting_id)
    except ValueError:
        raise HTTPException(404, f"no posting {posting_id}") from None


@router.get("/queue", dependencies=[allow(*STAFF)])
def queue(
    container: ContainerDep,
    after: AfterQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    wait_for(container, after, VIEW)
    threshold = container.settings.triage_threshold
    items = container.views.get(TriageProjection).queue(threshold, limit)
    return {"threshold": threshold, "items": items}


@router.get("/accuracy", dependencies=[allow(*STAFF)])
def accuracy(container: ContainerDep, after: AfterQuery = None) -> dict[str, Any]:
    """Per week and field: decisions people reviewed, and how many the machine got right."""
    wait_for(container, after, VIEW)
    view = container.views.get(TriageProjection)
    return {"weeks": view.accuracy(), "counts": view.counts()}


@router.get("/postings/{posting_id}", dependencies=[allow(*STAFF)])
def item(posting_id: str, container: ContainerDep, after: AfterQuery = None) -> dict[str, Any]:
    wait_for(container, after, VIEW)
    view = container.views.get(TriageProjection)
    found = view.item(posting_id)
    if found is None:
        raise HTTPException(404, f"no triage for posting {posting_id}")
    return {**found, "handoffs": view.handoffs(posting_id), "outbox": view.outbox(posting_id)}


@router.post("/postings/{posting_id}/accept", dependencies=[allow(*REVIEWERS)])
def accept(posting_id: str, container: ContainerDep, who: PrincipalDep) -> Written:
    result = service(container).accept(Cause(who.actor), posting_uuid(posting_id), who.username)
    return Written(id=str(result.id), position=result.position)


@router.post("/postings/{posting_id}/correct", dependencies=[allow(*REVIEWERS)])
def correct(
    posting_id: str, body: CorrectionIn, container: ContainerDep, who: PrincipalDep
) -> Written:
    changes = body.model_dump(exclude_unset=True)
    result = service(container).correct(
        Cause(who.actor), posting_uuid(posting_id), changes, who.username
    )
    return Written(id=str(result.id), position=result.position)


@router.post("/postings/{posting_id}/handoff", dependencies=[allow(*REVIEWERS)])
def handoff(posting_id: str, container: ContainerDep, who: PrincipalDep) -> Written:
    """Hand the posting to its district now: requested (or requeued after it gave up or was
    interrupted) and sent at once when this process runs the outbox dispatcher."""
    return hand_off_now(container, who.actor, posting_id)


def hand_off_now(container: Container, actor: str, posting_id: str) -> Written:
    result = service(container).hand_off(Cause(actor), posting_uuid(posting_id))
    if container.dispatcher is not None:
        try:
            container.dispatcher.process(result.id)
        except Exception:  # recorded as attempting: the dispatcher marks it uncertain later
            log.exception("hand-off %s failed in the request", result.id)
    return Written(id=str(result.id), position=max(result.position, container.store.head()))


@router.post("/reload", dependencies=[allow(Role.ADMIN)])
def reload(container: ContainerDep, who: PrincipalDep) -> Written:
    """Re-read taxonomy, routing rules and models; a bad file is refused and nothing changes."""
    try:
        engine, digest = reloaded_engine(container.settings)
    except ValueError as exc:
        raise HTTPException(422, f"not reloaded: {exc}") from None
    result = service(container).reload(Cause(who.actor), engine, digest)
    return Written(id=str(result.id), position=result.position)


@router.post("/dry-run", dependencies=[allow(*STAFF)])
def dry_run(body: DryRunIn, container: ContainerDep) -> dict[str, Any]:
    """What triage would decide for a text, without recording anything."""
    decisions = service(container).decide(
        Posted(body.text, lon=body.lon, lat=body.lat, account=body.account)
    )
    return {name: d.to_dict() for name, d in decisions.items()}
