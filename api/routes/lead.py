"""The department lead's escalations as JSON (the twin of the /desk/lead page): deadlines the
watcher recorded as missed on cases still open, cases due soon, and each official's load."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ContainerDep, allow
from api.routes.system import AfterQuery, wait_for
from domain.directory import Role
from domain.ledger_service import check_unit
from projections.ledger import LedgerProjection, utc
from projections.ledger_lead import due_soon, missed_open, per_official

router = APIRouter(prefix="/api", tags=["cases"])
LEADS = (Role.DEPARTMENT_LEAD, Role.ADMIN)
UnitQuery = Annotated[str, Query(max_length=64, description="department:CODE or district:SIG_CD")]
WithinQuery = Annotated[int, Query(ge=1, le=72, description="due within this many hours")]


def escalations(container: ContainerDep, unit: str, within: int) -> dict[str, Any]:
    scope = check_unit(unit) if unit else None
    view = container.views.get(LedgerProjection)
    now = container.clock.now()
    lo, hi = utc(now) or "", utc(now + timedelta(hours=within)) or ""
    return {
        "unit": scope,
        "now": lo,
        "within_hours": within,
        "counts": view.counts(scope, lo),
        "missed": missed_open(view, scope),
        "due_soon": due_soon(view, scope, lo, hi),
        "officials": per_official(view, scope, lo, hi),
    }


@router.get("/lead", dependencies=[allow(*LEADS)])
def lead(
    container: ContainerDep, after: AfterQuery = None, unit: UnitQuery = "", within: WithinQuery = 3
) -> dict[str, Any]:
    wait_for(container, after, ["ledger"])
    return escalations(container, unit, within)
