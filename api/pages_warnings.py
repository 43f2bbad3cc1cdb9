"""The disaster desk's pages: warnings list, draft form, warning detail with its actions.

Plain HTML forms (no JavaScript needed); every mutating route has its ``allow(...)`` guard and
the same roles as the JSON API. While deliveries are open the detail page's delivery table
refreshes itself (a small script; without JavaScript a ``<noscript>`` meta refresh).
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from lxml import etree
from starlette.concurrency import run_in_threadpool

from api.deps import ContainerDep, PrincipalDep, allow
from api.pages_inbox import kst
from api.rendering import choose_lang, render
from api.routes.warnings import act, warning_detail
from api.security import Principal
from api.warning_forms import DraftForm, area_of, posted, spec_of, texts_of
from api.warning_ports import playbook_library
from channels.reference_data import load_district_locator
from domain.context import Cause
from domain.directory import Role
from domain.errors import DomainError
from domain.warning_content import KST, LANGS, TEXT_FIELDS
from projections.directory import DirectoryProjection
from projections.warnings import WarningsProjection

router = APIRouter(include_in_schema=False)
READERS = (Role.DESK, Role.APPROVER, Role.ADMIN, Role.AUDITOR)
CHANGERS = (Role.DESK, Role.APPROVER)
ACTIONS: dict[str, tuple[tuple[Role, ...], tuple[str, ...]]] = {
    "submit": ((Role.DESK,), ("draft",)),
    "approve": ((Role.APPROVER,), ("submitted",)),
    "reject": ((Role.APPROVER,), ("submitted",)),
    "escalate": (CHANGERS, ("issued",)),
    "deescalate": (CHANGERS, ("issued",)),
    "all-clear": (CHANGERS, ("issued",)),
    "cancel": (CHANGERS, ("issued", "all_clear")),
}
"""action -> (roles that may, states it applies to); the API routes guard the same roles."""
OPEN_DELIVERIES = {"requested", "attempting", "failed", "rate_limited"}
CAP_NS = "{urn:oasis:names:tc:emergency:cap:1.2}"


def _choices(form: DraftForm, lang: str) -> dict[str, Any]:
    library = playbook_library()
    books = sorted(library, key=lambda b: getattr(b, f"name_{lang}"))
    book = library.get(form.playbook_id) if form.playbook_id in library else books[0]
    stages = [s for s in book.stages if s.id]
    if form.stage_id not in {s.id for s in stages}:
        form.stage_id = stages[0].id
    form.playbook_id = book.id
    return {"books": books, "stages": stages, "districts": load_district_locator().districts()}


def _render_texts(container: ContainerDep, form: DraftForm) -> None:
    """Fill the text fields from the playbook stage for the chosen area (now, KST)."""
    svc = container.warnings
    area = svc.areas(area_of(form))
    when = container.clock.now().astimezone(KST)
    content = svc.playbooks.content(form.playbook_id, form.stage_id, area, when)
    form.texts = {f"{lang}_{n}": content.texts[lang][n] for lang in LANGS for n in TEXT_FIELDS}


def _form_page(request: Request, form: DraftForm, error: str = "", code: int = 200) -> Response:
    form.key = form.key or secrets.token_hex(16)
    context = _choices(form, choose_lang(request))
    return render(
        request,
        "desk/warning_form.html",
        code,
        form=form,
        error=error,
        fields=TEXT_FIELDS,
        **context,
    )


@router.get("/desk/warnings/new", response_class=HTMLResponse, dependencies=[allow(Role.DESK)])
def new_warning(
    request: Request, container: ContainerDep, playbook: str = "", status: str = "Actual"
) -> Response:
    """The draft form; ``?status=Exercise`` starts a drill's warning (from the drills page)."""
    chosen = status if status in ("Actual", "Exercise", "Test") else "Actual"
    form = DraftForm(playbook_id=playbook or "heavy_rain", status=chosen)
    _choices(form, "ko")
    _render_texts(container, form)
    return _form_page(request, form)


@router.post("/desk/warnings/new", response_class=HTMLResponse, dependencies=[allow(Role.DESK)])
async def rerender(request: Request, container: ContainerDep) -> Response:
    """Re-render the texts after the playbook, stage or area changed (no JavaScript needed)."""
    form = posted(await request.form())
    _choices(form, "ko")
    try:
        await run_in_threadpool(_render_texts, container, form)
    except (DomainError, ValueError) as exc:
        return _form_page(request, form, getattr(exc, "detail", str(exc)), 422)
    return _form_page(request, form)


@router.post("/desk/warnings", dependencies=[allow(Role.DESK)])
async def save_draft(request: Request, container: ContainerDep, who: PrincipalDep) -> Response:
    form = posted(await request.form())
    texts = texts_of(form)

    def draft() -> int | str:
        result = container.warnings.draft(
            Cause(who.actor),
            key=form.key or secrets.token_hex(16),
            playbook_id=form.playbook_id,
            stage_id=form.stage_id,
            status=form.status,
            area=area_of(form),
            texts=texts,
        )
        container.views.wait(result.position, ["warnings"])
        return str(result.id)

    try:
        wid = await run_in_threadpool(draft)
    except (DomainError, ValueError) as exc:
        return _form_page(request, form, getattr(exc, "detail", str(exc)), 422)
    return RedirectResponse(f"/desk/warnings/{wid}?message=drafted", status_code=303)


@router.get("/desk/warnings", response_class=HTMLResponse, dependencies=[allow(*READERS)])
def warnings_list(request: Request, container: ContainerDep) -> Response:
    view = container.views.get(WarningsProjection)
    rows = view.warnings()
    for r in rows:
        r["updated"] = kst(r["updated_at"])
    groups = {
        "active": [r for r in rows if r["state"] in ("issued", "all_clear")],
        "awaiting": [r for r in rows if r["state"] == "submitted"],
        "drafts": [r for r in rows if r["state"] == "draft"],
        "recent": [r for r in rows if r["state"] in ("cancelled", "expired")][:30],
    }
    return render(request, "desk/warnings.html", groups=groups, external=view.external(50))


def _references(container: ContainerDep, identifier: str) -> list[str]:
    xml = container.views.get(WarningsProjection).message_xml(identifier) or ""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml.encode("utf-8"), parser)
    text = root.findtext(f"{CAP_NS}references") or ""
    return [triple.split(",")[1] for triple in text.split() if triple.count(",") == 2]


def _stage_moves(w: dict[str, Any]) -> set[str]:
    """escalate/deescalate, where the playbook has a stage above/below (all-clear excluded)."""
    library = playbook_library()
    if w.get("playbook_id") not in library:
        return {"escalate", "deescalate"}
    stages = [s for s in library.get(w["playbook_id"]).stages if "AllClear" not in s.response_type]
    ladder = [s.id for s in stages]
    at = ladder.index(w["stage_id"]) if w["stage_id"] in ladder else -1
    moves = {"escalate"} if 0 <= at < len(ladder) - 1 else set()
    return moves | ({"deescalate"} if at > 0 else set())


def allowed_actions(who: Principal, w: dict[str, Any]) -> list[str]:
    """The buttons this person may press for this warning in its state."""
    out = []
    for action, (roles, states) in ACTIONS.items():
        if who.role not in roles or w["state"] not in states:
            continue
        if action in ("approve", "reject") and w["drafter"] == who.actor:
            continue  # the two-person rule: never on one's own draft
        if action in ("escalate", "deescalate") and action not in _stage_moves(w):
            continue
        out.append(action)
    return out


def _names(container: ContainerDep) -> dict[str, str]:
    rows = container.views.get(DirectoryProjection).query(
        "SELECT id, username, display_name FROM dir_users"
    )
    return {f"user:{r['id']}": f"{r['display_name']} ({r['username']})" for r in rows}


@router.get(
    "/desk/warnings/{warning_id}", response_class=HTMLResponse, dependencies=[allow(*READERS)]
)
def warning_page(
    request: Request,
    warning_id: UUID,
    container: ContainerDep,
    who: PrincipalDep,
) -> Response:
    w = warning_detail(container, warning_id)
    for m in w["messages"]:
        m["references"] = _references(container, m["identifier"])
        m["sent_kst"] = kst(m["sent"])
    for d in w["deliveries"]:
        d["remote"] = json.loads(d["remote_ids"])
        d["updated"] = kst(d["updated_at"])
        d["until"] = kst(d["retry_at"] or None)
    live = any(d["state"] in OPEN_DELIVERIES for d in w["deliveries"])
    return render(
        request,
        "desk/warning.html",
        w=w,
        names=_names(container),
        fields=TEXT_FIELDS,
        editable=who.role is Role.DESK and w["state"] == "draft",
        actions=allowed_actions(who, w),
        live=live,
        message=request.query_params.get("message", "")[:300],
        expires=kst(w["expires"] or None),
    )


def _back(warning_id: UUID, message: str) -> Response:
    return RedirectResponse(f"/desk/warnings/{warning_id}?message={quote(message[:250])}", 303)


def _action_route(action: str, roles: tuple[Role, ...]) -> None:
    def run(
        warning_id: UUID,
        container: ContainerDep,
        who: PrincipalDep,
        reason: Annotated[str, Form(max_length=1000)] = "",
    ) -> Response:
        try:
            result = act(container, who, warning_id, action, reason)
        except DomainError as exc:
            return _back(warning_id, exc.detail)
        container.views.wait(result.position, ["warnings", "deliveries"])
        return _back(warning_id, action)

    router.add_api_route(
        f"/desk/warnings/{{warning_id}}/{action}",
        run,
        methods=["POST"],
        dependencies=[allow(*roles)],
        name=f"desk_warning_{action}",
    )


for _action, (_roles, _states) in ACTIONS.items():
    _action_route(_action, _roles)


@router.post("/desk/warnings/{warning_id}/edit", dependencies=[allow(Role.DESK)])
async def edit_draft(
    request: Request, warning_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    """Change a draft's texts (after a rejection, say); stage and area stay as they are."""
    form = posted(await request.form())
    w = warning_detail(container, warning_id)

    def edit() -> int:
        result = container.warnings.edit(
            Cause(who.actor),
            warning_id,
            stage_id=w["stage_id"],
            area=spec_of(w["area"]),
            texts=texts_of(form),
        )
        container.views.wait(result.position, ["warnings"])
        return result.position

    try:
        await run_in_threadpool(edit)
    except DomainError as exc:
        return _back(warning_id, exc.detail)
    return _back(warning_id, "edited")


@router.post("/desk/deliveries/{delivery_id}/requeue", dependencies=[allow(*CHANGERS)])
def requeue(
    delivery_id: UUID,
    container: ContainerDep,
    who: PrincipalDep,
    warning_id: Annotated[UUID, Form()],
) -> Response:
    try:
        result = container.deliveries.requeue(Cause(who.actor), delivery_id)
    except DomainError as exc:
        return _back(warning_id, exc.detail)
    container.views.wait(result.position, ["deliveries"])
    return _back(warning_id, "requeued")
