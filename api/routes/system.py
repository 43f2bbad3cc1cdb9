"""Health, projection status and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.deps import ContainerDep, allow
from api.schemas import Health, ProjectionOut
from domain.directory import Role
from projections.event_log import EventLogProjection

router = APIRouter(tags=["system"])


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(container: ContainerDep) -> Any:
    try:
        head = container.store.head()
    except Exception as exc:  # the store being down is exactly what this reports
        body: dict[str, Any] = {
            "status": "unavailable",
            "backend": container.settings.database().kind,
            "head": -1,
            "projections": [],
            "detail": str(exc).splitlines()[0],
        }
        return JSONResponse(body, status_code=503)
    statuses = container.views.status(head, container.projection_errors())
    failing = any(s.error for s in statuses)
    return Health(
        status="degraded" if failing else "ok",
        backend=container.settings.database().kind,
        head=head,
        projections=[ProjectionOut(**s.__dict__) for s in statuses],
    )


@router.get("/api/projections", response_model=list[ProjectionOut])
def projections(container: ContainerDep) -> list[ProjectionOut]:
    head = container.store.head()
    return [
        ProjectionOut(**s.__dict__)
        for s in container.views.status(head, container.projection_errors())
    ]


@router.get("/api/events", dependencies=[allow(Role.AUDITOR, Role.ADMIN)])
def recent_events(
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    originator: Annotated[str | None, Query(max_length=36)] = None,
) -> list[dict[str, Any]]:
    container.views.wait(container.store.head(), ["event_log"])  # the trail is complete
    log = container.views.get(EventLogProjection)
    if originator:
        return log.history(originator, limit)
    return log.recent(limit)


def wait_for(container: ContainerDep, after: int | None, names: list[str] | None = None) -> None:
    """Read-your-writes: a read with ``?after=<position>`` waits (at most 2 s) for the views."""
    if after:
        container.views.wait(after, names)


AfterQuery = Annotated[int | None, Query(ge=0, description="wait until views reach this position")]
