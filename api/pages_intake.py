"""The administrators' intake page: what came in, from where, and what was refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import ContainerDep, allow
from api.rendering import render
from domain.directory import Role
from projections.intake import IntakeProjection

router = APIRouter(include_in_schema=False)


@router.get(
    "/admin/intake",
    response_class=HTMLResponse,
    dependencies=[allow(Role.ADMIN, Role.AUDITOR, Role.OFFICIAL, Role.DEPARTMENT_LEAD, Role.DESK)],
)
def intake_page(
    request: Request,
    container: ContainerDep,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    hashtag: Annotated[str | None, Query(max_length=100)] = None,
    exercise: bool = False,
) -> HTMLResponse:
    view = container.views.get(IntakeProjection)
    return render(
        request,
        "intake.html",
        counts=view.counts(),
        rejections=view.rejections(50),
        postings=view.postings(
            channel=channel or None, hashtag=hashtag or None, limit=100, exercise=exercise
        ),
        exercise=exercise,
        hashtags=view.hashtags(),
        channel=channel or "",
        hashtag=hashtag or "",
    )
