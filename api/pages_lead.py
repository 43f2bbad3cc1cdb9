"""The department lead's page: escalated (missed) deadlines, what is due soon, per official."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import ContainerDep, allow
from api.pages_inbox import kst, units
from api.rendering import render
from api.routes.lead import LEADS, UnitQuery, WithinQuery, escalations

router = APIRouter(include_in_schema=False)


@router.get("/desk/lead", response_class=HTMLResponse, dependencies=[allow(*LEADS)])
def lead_page(
    request: Request, container: ContainerDep, unit: UnitQuery = "", within: WithinQuery = 3
) -> HTMLResponse:
    report = escalations(container, unit, within)
    for row in (*report["missed"], *report["due_soon"]):
        row["due"] = kst(row["deadline"])
    for row in report["missed"]:
        row["recorded"] = kst(row["missed_at"])
    return render(request, "lead.html", report=report, unit=unit, units=units(container))
