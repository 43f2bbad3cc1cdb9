"""The triage pages: the review queue (accept or correct in one or two clicks, no JavaScript
needed) and how often the machine was right, per field and week."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import STAFF, ContainerDep, PrincipalDep, allow
from api.rendering import render
from api.routes.triage import REVIEWERS, hand_off_now, posting_uuid, service
from api.triage_wiring import reloaded_engine
from domain.context import Cause
from domain.directory import Role
from domain.errors import DomainError
from domain.triage import CORRECTABLE
from projections.directory import DirectoryProjection
from projections.triage import TriageProjection

router = APIRouter(include_in_schema=False)
VIEWS = ["triage", "event_log"]


@router.get("/admin/triage", response_class=HTMLResponse, dependencies=[allow(*STAFF)])
def queue_page(
    request: Request,
    container: ContainerDep,
    who: PrincipalDep,
    after: Annotated[int | None, Query(ge=0)] = None,
    message: Annotated[str, Query(max_length=300)] = "",
    show: Annotated[str, Query(pattern="^(queue|recent)$")] = "queue",
) -> HTMLResponse:
    if after:
        container.views.wait(after, VIEWS)
    view = container.views.get(TriageProjection)
    threshold = container.settings.triage_threshold
    items = view.queue(threshold, 100) if show == "queue" else view.recent(100)
    departments = container.views.get(DirectoryProjection).departments()
    return render(
        request,
        "triage.html",
        items=items,
        show=show,
        threshold=threshold,
        counts=view.counts(),
        choices=service(container).choices(),
        departments=[d["code"] for d in departments],
        can_review=who.role in REVIEWERS,
        can_reload=who.role is Role.ADMIN,
        message=message,
    )


FormText = Annotated[str | None, Form(max_length=60)]


@router.post("/admin/triage/{posting_id}", dependencies=[allow(*REVIEWERS)])
def review(
    posting_id: str,
    container: ContainerDep,
    who: PrincipalDep,
    action: Annotated[str, Form(pattern="^(accept|correct)$")] = "accept",
    category: FormText = None,
    request_class: FormText = None,
    info_type: FormText = None,
    district: FormText = None,
    destination: FormText = None,
) -> Response:
    """Accept the machine's decisions, or save the fields a person changed (and accept)."""
    sent = dict(
        zip(CORRECTABLE, (category, request_class, info_type, district, destination), strict=True)
    )
    triage = service(container)
    pid = posting_uuid(posting_id)
    try:
        current = triage.get(pid).current
        changed = {
            f: v or None
            for f, v in sent.items()
            if action == "correct" and v is not None and (v or None) != current.get(f)
        }
        result = triage.correct(Cause(who.actor), pid, changed, who.username)
    except DomainError as exc:
        return RedirectResponse(f"/admin/triage?message={quote(exc.detail[:250])}", 303)
    note = f"{len(changed)} corrected" if changed else "accepted"
    return RedirectResponse(
        f"/admin/triage?after={result.position}&message={quote(note)}", status_code=303
    )


@router.post("/admin/triage/{posting_id}/handoff", dependencies=[allow(*REVIEWERS)])
def hand_off(posting_id: str, container: ContainerDep, who: PrincipalDep) -> Response:
    """Hand the posting to its district now (or again, after it gave up or was interrupted)."""
    try:
        written = hand_off_now(container, who.actor, posting_id)
    except DomainError as exc:
        return RedirectResponse(f"/admin/triage?show=recent&message={quote(exc.detail[:250])}", 303)
    note = quote(f"hand-off {posting_id}")
    return RedirectResponse(
        f"/admin/triage?show=recent&after={written.position}&message={note}", 303
    )


@router.post("/admin/triage-reload", dependencies=[allow(Role.ADMIN)])
def reload_rules(container: ContainerDep, who: PrincipalDep) -> Response:
    """Re-read the taxonomy, routing rules and models (recorded as TriageConfig.Reloaded)."""
    try:
        engine, digest = reloaded_engine(container.settings)
    except ValueError as exc:
        note = f"not reloaded: {exc}"[:250]
        return RedirectResponse(f"/admin/triage?message={quote(note)}", 303)
    result = service(container).reload(Cause(who.actor), engine, digest)
    note = f"reloaded taxonomy {engine.taxonomy.version}, rules {engine.rules.version}"
    return RedirectResponse(f"/admin/triage?after={result.position}&message={quote(note)}", 303)


@router.get("/admin/triage/accuracy", response_class=HTMLResponse, dependencies=[allow(*STAFF)])
def accuracy_page(request: Request, container: ContainerDep) -> HTMLResponse:
    view = container.views.get(TriageProjection)
    return render(
        request, "triage_accuracy.html", weeks=view.accuracy(), counts=view.counts(),
        config=view.config(),
    )  # fmt: skip
