"""The department lead's page: escalated (missed) deadlines, what is due soon, per official,
and whether the unit's frequent questions are answered automatically."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import ContainerDep, PrincipalDep, allow
from api.pages_inbox import kst, units
from api.rendering import render
from api.routes.lead import LEADS, UnitQuery, WithinQuery, escalations
from domain.context import Cause
from domain.ledger_service import check_unit
from projections.auto_answer import AutoAnswerProjection

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
    policies = container.views.get(AutoAnswerProjection).policies()
    sends = any(p["unit"] == report["unit"] and p["send"] for p in policies)
    return render(
        request, "lead.html", report=report, unit=unit, units=units(container), sends=sends
    )


@router.post("/desk/lead/auto-send", dependencies=[allow(*LEADS)])
def auto_send(
    container: ContainerDep,
    who: PrincipalDep,
    unit: Annotated[str, Form(max_length=64)],
    send: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    if container.auto_answer is None:
        raise HTTPException(404, "auto-answer is not wired in this process")
    result = container.auto_answer.set(Cause(who.actor), check_unit(unit), send)
    container.views.wait(result.position, ["auto_answer"])
    return RedirectResponse(f"/desk/lead?unit={check_unit(unit)}", status_code=303)
