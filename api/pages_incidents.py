"""The disaster desk's incidents page: "possible incident here" suggestions with one button
that opens the incident, links the cluster's postings and drafts the warning for approval
(the API's accept route, called as it is), the incidents (real and exercise), and a form to
open an incident by hand. Plain HTML forms; works without JavaScript.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api.deps import ContainerDep, PrincipalDep, allow
from api.incident_desk import (
    ACCEPTERS,
    DESK_ROLES,
    LIST_PAGE,
    Done,
    act,
    form_context,
    hashtags,
    many,
    text,
)
from api.pages_lifeline import kst
from api.rendering import choose_lang, render
from api.routes import lifeline_suggestions as suggestions_api
from api.routes.lifeline import OpenIn, open_incident, reads
from api.routes.system import AfterQuery, wait_for
from api.warning_ports import playbook_library
from projections.lifeline import LifelineProjection

router = APIRouter(include_in_schema=False)
VIEWS = ["lifeline", "warnings"]


def _playbooks(lang: str) -> list[dict[str, Any]]:
    books = sorted(playbook_library(), key=lambda b: getattr(b, f"name_{lang}"))
    return [
        {
            "id": b.id,
            "name": getattr(b, f"name_{lang}"),
            "stages": {s.id: getattr(s, f"name_{lang}") for s in b.stages if s.id},
        }
        for b in books
    ]


def _suggestion(row: dict[str, Any], books: dict[str, dict[str, Any]]) -> dict[str, Any]:
    p = row["proposal"]
    book = books.get(p["playbook_id"], {"name": p["playbook_id"], "stages": {}})
    return {
        "id": row["id"],
        "cls": p["cls"],
        "district": p["district"],
        "postings": len(p["posting_ids"]),
        "centre": p["centre"],
        "playbook": book["name"],
        "stage": book["stages"].get(p["stage_id"], p["stage_id"]),
        "first_at": kst(p.get("first_at")),
        "last_at": kst(p.get("last_at")),
        "suggested_at": kst(row["suggested_at"]),
    }


@router.get(LIST_PAGE, response_class=HTMLResponse, dependencies=[allow(*DESK_ROLES)])
def incidents_page(request: Request, container: ContainerDep, after: AfterQuery = None) -> Response:
    wait_for(container, after, VIEWS)
    lang = choose_lang(request)
    books = _playbooks(lang)
    by_id = {b["id"]: b for b in books}
    rows = container.views.get(LifelineProjection).suggestions("open")
    lifeline = reads(container)
    return render(
        request,
        "desk/incidents.html",
        suggestions=[_suggestion(r, by_id) for r in rows],
        incidents=lifeline.incidents(False) + lifeline.incidents(True),
        playbooks=books,
        **form_context(request, lang),
    )


@router.post(LIST_PAGE, dependencies=[allow(*DESK_ROLES)])
async def open_from_form(request: Request, container: ContainerDep, who: PrincipalDep) -> Response:
    def work(form: FormData) -> Done:
        body = OpenIn.model_validate(
            {
                "key": text(form, "key") or None,
                "playbook_id": text(form, "playbook_id"),
                "title_ko": text(form, "title_ko"),
                "title_en": text(form, "title_en"),
                "districts": many(form, "districts"),
                "status": text(form, "status") or "Actual",
                "hashtags": hashtags(text(form, "hashtags")),
            }
        )
        result = open_incident(body, container, who)
        return Done("opened", result.position, f"{LIST_PAGE}/{result.id}")

    return await act(request, LIST_PAGE, work)


@router.post(f"{LIST_PAGE}/scan", dependencies=[allow(*DESK_ROLES)])
async def scan_now(request: Request, container: ContainerDep, who: PrincipalDep) -> Response:
    def work(form: FormData) -> Done:
        del form
        found = suggestions_api.scan(container, who, after=container.store.head())
        return Done("scanned" if found["suggested"] else "scanned_none", found["position"])

    return await act(request, LIST_PAGE, work)


@router.post(f"{LIST_PAGE}/suggestions/{{suggestion_id}}/accept", dependencies=[allow(*ACCEPTERS)])
async def accept_suggestion(
    request: Request, suggestion_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    """Open the incident and draft + submit the warning; then show the drafted warning."""

    def work(form: FormData) -> Done:
        del form
        done = suggestions_api.accept(suggestion_id, container, who)
        container.views.wait(done["position"], VIEWS)  # the warning page reads its view
        return Done("from_suggestion", done["position"], f"/desk/warnings/{done['warning_id']}")

    return await act(request, LIST_PAGE, work)


@router.post(
    f"{LIST_PAGE}/suggestions/{{suggestion_id}}/dismiss", dependencies=[allow(*DESK_ROLES)]
)
async def dismiss_suggestion(
    request: Request, suggestion_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    def work(form: FormData) -> Done:
        body = suggestions_api.DismissIn.model_validate({"reason": text(form, "reason")})
        done = suggestions_api.dismiss(suggestion_id, body, container, who)
        return Done("dismissed", done["position"])

    return await act(request, LIST_PAGE, work)
