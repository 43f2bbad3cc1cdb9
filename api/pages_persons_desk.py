"""The desk's moderation of missing-person notes: every note waiting for review, with the
sender's private contact, and an approve and a reject button (plain HTML forms).

Only the roles that moderate through the JSON API (desk, admin) see the page or press the
buttons; an approved note becomes public on the person's page and in the search.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ContainerDep, PrincipalDep, allow
from api.pages_lifeline import kst
from api.rendering import render
from api.routes.missing_persons import VIEW, service
from api.routes.system import AfterQuery, wait_for
from domain.context import Cause
from domain.directory import Role
from domain.errors import DomainError
from projections.missing_persons import MissingPersonsProjection

router = APIRouter(include_in_schema=False)
MODERATORS = (Role.DESK, Role.ADMIN)
PAGE = "/desk/persons/moderation"


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(*MODERATORS)])
def moderation_page(
    request: Request, container: ContainerDep, after: AfterQuery = None
) -> Response:
    wait_for(container, after, VIEW)
    notes = container.views.get(MissingPersonsProjection).pending()
    return render(
        request,
        "desk/persons_moderation.html",
        notes=notes,
        message=request.query_params.get("message", "")[:300],
        kst=kst,
    )


@router.post(
    "/desk/persons/{person_id}/notes/{note_id}/moderate",
    dependencies=[allow(*MODERATORS)],
)
def moderate(
    person_id: UUID,
    note_id: UUID,
    container: ContainerDep,
    who: PrincipalDep,
    decision: Annotated[str, Form(pattern="^(approved|rejected)$")],
) -> Response:
    try:
        result = service(container).moderate(Cause(who.actor), person_id, str(note_id), decision)
    except DomainError as exc:
        return RedirectResponse(f"{PAGE}?{urlencode({'message': exc.detail[:250]})}", 303)
    query = urlencode({"message": decision, "after": result.position})
    return RedirectResponse(f"{PAGE}?{query}", status_code=303)
