"""Postings taken in, rejections, and the watched hashtags."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import Field

from api.deps import STAFF, ContainerDep, PrincipalDep, allow
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict, Written
from domain.context import Cause
from domain.directory import Role
from projections.intake import IntakeProjection

router = APIRouter(prefix="/api", tags=["intake"])
VIEW = ["intake"]


class HashtagIn(Strict):
    hashtag: str = Field(min_length=2, max_length=100)
    purpose: str = Field(default="standing", max_length=40, pattern=r"^[a-z0-9_:-]+$")


@router.get("/postings", dependencies=[allow(*STAFF)])
def postings(
    container: ContainerDep,
    after: AfterQuery = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    account: Annotated[str | None, Query(max_length=100)] = None,
    hashtag: Annotated[str | None, Query(max_length=100)] = None,
    before: Annotated[int | None, Query(ge=1, description="page: positions below this")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(IntakeProjection).postings(
        channel=channel, account=account, hashtag=hashtag, limit=limit, before=before
    )


@router.get("/postings/{posting_id}", dependencies=[allow(*STAFF)])
def posting(posting_id: str, container: ContainerDep, after: AfterQuery = None) -> dict[str, Any]:
    wait_for(container, after, VIEW)
    found = container.views.get(IntakeProjection).posting(posting_id)
    if found is None:
        raise HTTPException(404, f"no posting {posting_id}")
    return found


@router.get("/intake/summary", dependencies=[allow(*STAFF)])
def summary(container: ContainerDep) -> dict[str, Any]:
    return container.views.get(IntakeProjection).counts()


@router.get("/intake/rejections", dependencies=[allow(Role.ADMIN, Role.AUDITOR)])
def rejections(
    container: ContainerDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    return container.views.get(IntakeProjection).rejections(limit)


@router.get("/intake/hashtags")
def hashtags(container: ContainerDep, after: AfterQuery = None) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(IntakeProjection).hashtags()


@router.post(
    "/intake/hashtags",
    status_code=status.HTTP_201_CREATED,
    response_model=Written,
    dependencies=[allow(Role.ADMIN, Role.DESK)],
)
def watch(body: HashtagIn, container: ContainerDep, who: PrincipalDep) -> Written:
    result = container.intake.watch(Cause(who.actor), body.hashtag, body.purpose)
    return Written(id=str(result.id), position=result.position)


@router.delete(
    "/intake/hashtags/{hashtag}",
    response_model=Written,
    dependencies=[allow(Role.ADMIN, Role.DESK)],
)
def unwatch(hashtag: str, container: ContainerDep, who: PrincipalDep) -> Written:
    result = container.intake.unwatch(Cause(who.actor), hashtag)
    return Written(id=str(result.id), position=result.position)
