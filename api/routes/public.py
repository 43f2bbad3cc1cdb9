"""The public record: every posting and reply, redacted, searchable, as pages, JSON and Atom."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ContainerDep
from api.pages_follow import posting_page
from api.rendering import environment, render
from api.routes.system import AfterQuery, wait_for
from projections.public import PublicProjection

router = APIRouter(tags=["public"])
Q = Annotated[str, Query(max_length=200, description="words to find (Korean or English)")]
STATE = Annotated[str | None, Query(max_length=32)]
UNIT = Annotated[str | None, Query(max_length=64)]


def _search(
    container: ContainerDep, q: str, state: str | None, unit: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    return container.views.get(PublicProjection).search(
        q, state=state or None, unit=unit or None, limit=limit, offset=offset
    )


@router.get("/api/public/postings")
def postings(
    container: ContainerDep,
    after: AfterQuery = None,
    q: Q = "",
    state: STATE = None,
    unit: UNIT = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[dict[str, Any]]:
    wait_for(container, after, ["public"])
    return _search(container, q, state, unit, limit, offset)


@router.get("/api/public/postings/{posting_id}")
def posting(posting_id: str, container: ContainerDep) -> dict[str, Any]:
    view = container.views.get(PublicProjection)
    found = view.posting(posting_id)
    if found is None or found["exercise"]:
        raise HTTPException(404, f"no public posting {posting_id}")
    return {**found, "history": view.history(posting_id)}


@router.get("/public", response_class=HTMLResponse, include_in_schema=False)
def public_page(
    request: Request,
    container: ContainerDep,
    q: Q = "",
    state: STATE = None,
    unit: UNIT = None,
    page: Annotated[int, Query(ge=1, le=5000)] = 1,
) -> HTMLResponse:
    rows = _search(container, q, state, unit, 20, (page - 1) * 20)
    return render(
        request, "public.html", rows=rows, q=q, state=state or "", unit=unit or "", page=page
    )


@router.get("/public/feed.atom", include_in_schema=False)
def feed(request: Request, container: ContainerDep) -> Response:
    rows = _search(container, "", None, None, 50, 0)
    updated = rows[0]["updated_at"] if rows else container.clock.now().isoformat()
    xml = (
        environment()
        .get_template("public_feed.xml")
        .render(rows=rows, updated=updated, base=str(request.base_url).rstrip("/"))
    )
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


@router.get("/public/{posting_id}", response_class=HTMLResponse, include_in_schema=False)
def public_posting(request: Request, posting_id: str) -> HTMLResponse:
    return posting_page(request, posting_id)  # with its Atom link and the follow form
