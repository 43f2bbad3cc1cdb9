"""Staged warnings: draft, submit, approve (a second person), stage changes, cancel."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import Field

from api.bootstrap import Container
from api.deps import STAFF, ContainerDep, PrincipalDep, allow
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict, Written
from api.security import Principal
from domain.context import Cause
from domain.directory import Role
from domain.store import Recorded
from domain.warning_content import AreaSpec
from domain.warnings import Action
from projections.deliveries import DeliveriesProjection
from projections.warnings import WarningsProjection

router = APIRouter(prefix="/api", tags=["warnings"])
DESK = allow(Role.DESK)
APPROVER = allow(Role.APPROVER)
DESK_OR_APPROVER = allow(Role.DESK, Role.APPROVER)
VIEWS = ["warnings", "deliveries"]

Text = Annotated[str, Field(min_length=1, max_length=4000)]


class LocalTexts(Strict):
    headline: Text
    description: Text
    instruction: Text


class TextsIn(Strict):
    ko: LocalTexts
    en: LocalTexts


class AreaIn(Strict):
    kind: Literal["city", "districts", "polygon", "circle"]
    districts: list[Annotated[str, Field(pattern=r"^\d{5}$")]] = Field(default=[], max_length=25)
    polygon: list[list[float]] = Field(default=[], max_length=500)
    circle: list[float] | None = Field(default=None, min_length=3, max_length=3)

    def spec(self) -> AreaSpec:
        return area_spec(self.kind, self.districts, self.polygon, self.circle)


class DraftIn(Strict):
    key: str | None = Field(default=None, min_length=8, max_length=64, pattern=r"^[\w-]+$")
    playbook_id: str = Field(min_length=1, max_length=64)
    stage_id: str = Field(min_length=1, max_length=64)
    status: Literal["Actual", "Exercise", "Test"] = "Actual"
    area: AreaIn
    texts: TextsIn | None = None


class EditIn(Strict):
    stage_id: str = Field(min_length=1, max_length=64)
    area: AreaIn
    texts: TextsIn


class ReasonIn(Strict):
    reason: str = Field(default="", max_length=1000)


def area_spec(
    kind: str, districts: list[str], polygon: list[list[float]], circle: list[float] | None
) -> AreaSpec:
    points = tuple((float(p[0]), float(p[1])) for p in polygon if len(p) == 2)
    if len(points) != len(polygon):
        raise HTTPException(422, "polygon points are [lon, lat] pairs")
    c = (float(circle[0]), float(circle[1]), float(circle[2])) if circle else None
    return AreaSpec(kind=kind, districts=tuple(districts), polygon=points, circle=c)


def written(result: Recorded) -> Written:
    return Written(id=str(result.id), position=result.position)


def _texts(body: TextsIn | None) -> dict[str, Any] | None:
    return None if body is None else body.model_dump()


def draft_warning(container: Container, who: Principal, body: DraftIn) -> Recorded:
    return container.warnings.draft(
        Cause(who.actor),
        key=body.key or secrets.token_hex(16),
        playbook_id=body.playbook_id,
        stage_id=body.stage_id,
        status=body.status,
        area=body.area.spec(),
        texts=_texts(body.texts),
    )


@router.get("/warnings", dependencies=[allow(*STAFF)])
def list_warnings(container: ContainerDep, after: AfterQuery = None) -> list[dict[str, Any]]:
    wait_for(container, after, VIEWS)
    return container.views.get(WarningsProjection).warnings()


def warning_detail(container: Container, warning_id: UUID) -> dict[str, Any]:
    view = container.views.get(WarningsProjection)
    row = view.warning(str(warning_id))
    if row is None:
        raise HTTPException(404, "warning not found")
    detail = {**row, "texts": json.loads(row["texts"]), "area": json.loads(row["area"])}
    detail["messages"] = view.messages(str(warning_id))
    detail["deliveries"] = container.views.get(DeliveriesProjection).for_warning(str(warning_id))
    return detail


@router.get("/warnings/{warning_id}", dependencies=[allow(*STAFF)])
def get_warning(
    warning_id: UUID, container: ContainerDep, after: AfterQuery = None
) -> dict[str, Any]:
    wait_for(container, after, VIEWS)
    return warning_detail(container, warning_id)


@router.post("/warnings", status_code=status.HTTP_201_CREATED, dependencies=[DESK])
def create_warning(body: DraftIn, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(draft_warning(container, who, body))


@router.post("/warnings/{warning_id}/edit", dependencies=[DESK])
def edit_warning(
    warning_id: UUID, body: EditIn, container: ContainerDep, who: PrincipalDep
) -> Written:
    result = container.warnings.edit(
        Cause(who.actor),
        warning_id,
        stage_id=body.stage_id,
        area=body.area.spec(),
        texts=body.texts.model_dump(),
    )
    return written(result)


def act(
    container: Container, who: Principal, warning_id: UUID, action: str, reason: str
) -> Recorded:
    """Run one lifecycle action for the API and the desk pages."""
    svc, cause = container.warnings, Cause(who.actor)
    actions: dict[str, Callable[[], Recorded]] = {
        "submit": lambda: svc.submit(cause, warning_id),
        "approve": lambda: svc.approve(cause, warning_id, who.role.value),
        "reject": lambda: svc.reject(cause, warning_id, who.role.value, reason),
        "escalate": lambda: svc.change_stage(cause, warning_id, Action.ESCALATE),
        "deescalate": lambda: svc.change_stage(cause, warning_id, Action.DEESCALATE),
        "all-clear": lambda: svc.all_clear(cause, warning_id),
        "cancel": lambda: svc.cancel(cause, warning_id, reason),
    }
    return actions[action]()


@router.post("/warnings/{warning_id}/submit", dependencies=[DESK])
def submit(warning_id: UUID, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(act(container, who, warning_id, "submit", ""))


@router.post("/warnings/{warning_id}/approve", dependencies=[APPROVER])
def approve(warning_id: UUID, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(act(container, who, warning_id, "approve", ""))


@router.post("/warnings/{warning_id}/reject", dependencies=[APPROVER])
def reject(warning_id: UUID, body: ReasonIn, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(act(container, who, warning_id, "reject", body.reason))


@router.post("/warnings/{warning_id}/escalate", dependencies=[DESK_OR_APPROVER])
def escalate(warning_id: UUID, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(act(container, who, warning_id, "escalate", ""))


@router.post("/warnings/{warning_id}/deescalate", dependencies=[DESK_OR_APPROVER])
def deescalate(warning_id: UUID, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(act(container, who, warning_id, "deescalate", ""))


@router.post("/warnings/{warning_id}/all-clear", dependencies=[DESK_OR_APPROVER])
def all_clear(warning_id: UUID, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(act(container, who, warning_id, "all-clear", ""))


@router.post("/warnings/{warning_id}/cancel", dependencies=[DESK_OR_APPROVER])
def cancel(warning_id: UUID, body: ReasonIn, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(act(container, who, warning_id, "cancel", body.reason))


@router.post("/deliveries/{delivery_id}/requeue", dependencies=[DESK_OR_APPROVER])
def requeue(delivery_id: UUID, container: ContainerDep, who: PrincipalDep) -> Written:
    return written(container.deliveries.requeue(Cause(who.actor), delivery_id))
