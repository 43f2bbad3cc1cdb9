"""The public record: every posting and reply, redacted, searchable, as pages, JSON and Atom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ContainerDep
from api.pages_follow import posting_page
from api.rendering import choose_lang, environment, render
from api.routes.system import AfterQuery, wait_for
from projections.directory import DirectoryProjection
from projections.public import PublicProjection

router = APIRouter(tags=["public"])
Q = Annotated[str, Query(max_length=200, description="words to find (Korean or English)")]
STATE = Annotated[str | None, Query(max_length=32)]
UNIT = Annotated[str | None, Query(max_length=64, description="department:BUS, district:11680")]
DISTRICT = Annotated[str | None, Query(max_length=16, description="the posting's SIG_CD")]
CATEGORY = Annotated[str | None, Query(max_length=64, description="triage's category code")]


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    unit: str | None = None
    district: str | None = None
    category: str | None = None

    def chosen(self) -> dict[str, str | None]:
        return {k: v or None for k, v in vars(self).items()}


def _search(
    container: ContainerDep, q: str, filters: Filters, limit: int, offset: int
) -> list[dict[str, Any]]:
    f = filters.chosen()
    return container.views.get(PublicProjection).search(
        q,
        state=f["state"],
        unit=f["unit"],
        district=f["district"],
        category=f["category"],
        limit=limit,
        offset=offset,
    )


def _choices(container: ContainerDep, lang: str) -> dict[str, list[tuple[str, str]]]:
    """What the page's filters offer: units, districts and categories, named in ``lang``."""
    d = container.views.get(DirectoryProjection)
    name = "name_ko" if lang == "ko" else "name_en"
    units = [(f"department:{r['code']}", r[name] or r["code"]) for r in d.departments()]
    districts = [(r["code"], r[name] or r["code"]) for r in d.districts()]
    categories: list[tuple[str, str]] = []
    if container.triage is not None:
        for c in container.triage.engine.taxonomy.categories:
            categories.append((c.code, c.name_ko if lang == "ko" else c.name_en))
    return {"units": units, "districts": districts, "categories": categories}


@router.get("/api/public/postings")
def postings(
    container: ContainerDep,
    after: AfterQuery = None,
    q: Q = "",
    state: STATE = None,
    unit: UNIT = None,
    district: DISTRICT = None,
    category: CATEGORY = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[dict[str, Any]]:
    wait_for(container, after, ["public"])
    return _search(container, q, Filters(state, unit, district, category), limit, offset)


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
    district: DISTRICT = None,
    category: CATEGORY = None,
    page: Annotated[int, Query(ge=1, le=5000)] = 1,
) -> HTMLResponse:
    filters = Filters(state, unit, district, category)
    rows = _search(container, q, filters, 20, (page - 1) * 20)
    chosen = {k: v or "" for k, v in filters.chosen().items()}
    return render(
        request,
        "public.html",
        rows=rows,
        q=q,
        page=page,
        state=chosen["state"],
        unit=chosen["unit"],
        district=chosen["district"],
        category=chosen["category"],
        choices=_choices(container, choose_lang(request)),
        query=urlencode({"q": q, **chosen}),
    )


@router.get("/public/feed.atom", include_in_schema=False)
def feed(request: Request, container: ContainerDep) -> Response:
    rows = _search(container, "", Filters(), 50, 0)
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
