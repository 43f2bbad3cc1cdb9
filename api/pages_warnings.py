"""The disaster desk's pages: warnings list, draft form, warning detail with its actions.

Plain HTML forms (no JavaScript needed); every mutating route has its ``allow(...)`` guard and
the same roles as the JSON API. The detail page refreshes itself (``<meta refresh>``) while
deliveries are still open.
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
from pydantic import BaseModel, Field

from api.deps import ContainerDep, PrincipalDep, allow
from api.pages_inbox import kst
from api.rendering import render
from api.routes.warnings import act, warning_detail
from api.security import Principal
from api.warning_ports import playbook_library
from channels.reference_data import load_district_locator
from domain.context import Cause
from domain.directory import Role
from domain.errors import DomainError
from domain.warning_service import KST, LANGS, TEXT_FIELDS, AreaSpec
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
OPEN_DELIVERIES = {"requested", "attempting", "failed"}
CAP_NS = "{urn:oasis:names:tc:emergency:cap:1.2}"


class DraftForm(BaseModel):
    """The draft form as posted (``render`` re-renders the texts instead of saving)."""

    key: str = Field(default="", max_length=64)
    playbook_id: str = Field(default="heavy_rain", max_length=64)
    stage_id: str = Field(default="", max_length=64)
    status: str = Field(default="Actual", pattern="^(Actual|Exercise|Test)$")
    area_kind: str = Field(default="city", pattern="^(city|districts|polygon|circle)$")
    districts: list[str] = Field(default=[], max_length=25)
    polygon: str = Field(default="", max_length=100_000)
    circle: str = Field(default="", max_length=100)
    texts: dict[str, str] = Field(default={})

    def text(self, lang: str, name: str) -> str:
        return self.texts.get(f"{lang}_{name}", "")


def _polygon(raw: str) -> tuple[tuple[float, float], ...]:
    """The outer ring of a GeoJSON Polygon (geometry, Feature or FeatureCollection)."""
    try:
        doc = json.loads(raw)
        while doc.get("type") in ("FeatureCollection", "Feature"):
            doc = doc["features"][0] if doc["type"] == "FeatureCollection" else doc["geometry"]
        if doc.get("type") != "Polygon":
            raise ValueError("not a Polygon")
        return tuple((float(p[0]), float(p[1])) for p in doc["coordinates"][0])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValueError(f"the polygon must be GeoJSON Polygon coordinates: {exc}") from None


def _circle(raw: str) -> tuple[float, float, float]:
    try:
        lat, lon, radius = (float(x) for x in raw.replace(" ", "").split(","))
    except ValueError:
        raise ValueError("the circle is 'lat,lon,radius km', e.g. 37.5665,126.978,3") from None
    return lon, lat, radius


def area_of(form: DraftForm) -> AreaSpec:
    kind = form.area_kind
    if kind == "districts":
        return AreaSpec(kind, districts=tuple(form.districts))
    if kind == "polygon":
        return AreaSpec(kind, polygon=_polygon(form.polygon))
    if kind == "circle":
        return AreaSpec(kind, circle=_circle(form.circle))
    return AreaSpec("city")


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
    from api.rendering import choose_lang

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


def _posted(raw: Any) -> DraftForm:
    data: dict[str, Any] = {k: raw.get(k) for k in DraftForm.model_fields if k in raw}
    data["districts"] = [str(v) for v in raw.getlist("districts")]
    data["texts"] = {
        f"{lang}_{n}": str(raw.get(f"{lang}_{n}", "")) for lang in LANGS for n in TEXT_FIELDS
    }
    return DraftForm.model_validate(data)


@router.get("/desk/warnings/new", response_class=HTMLResponse, dependencies=[allow(Role.DESK)])
def new_warning(request: Request, container: ContainerDep, playbook: str = "") -> Response:
    form = DraftForm(playbook_id=playbook or "heavy_rain")
    _choices(form, "ko")
    _render_texts(container, form)
    return _form_page(request, form)


@router.post("/desk/warnings/new", response_class=HTMLResponse, dependencies=[allow(Role.DESK)])
async def rerender(request: Request, container: ContainerDep) -> Response:
    """Re-render the texts after the playbook, stage or area changed (no JavaScript needed)."""
    from starlette.concurrency import run_in_threadpool

    form = _posted(await request.form())
    _choices(form, "ko")
    try:
        await run_in_threadpool(_render_texts, container, form)
    except (DomainError, ValueError) as exc:
        return _form_page(request, form, getattr(exc, "detail", str(exc)), 422)
    return _form_page(request, form)


@router.post("/desk/warnings", dependencies=[allow(Role.DESK)])
async def save_draft(request: Request, container: ContainerDep, who: PrincipalDep) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = _posted(await request.form())
    texts = {lang: {n: form.text(lang, n) for n in TEXT_FIELDS} for lang in LANGS}

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
        container.views.wait(result.position, ["warnings"], timeout=2.0)
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


def allowed_actions(who: Principal, w: dict[str, Any]) -> list[str]:
    """The buttons this person may press for this warning in its state."""
    out = []
    for action, (roles, states) in ACTIONS.items():
        if who.role not in roles or w["state"] not in states:
            continue
        if action in ("approve", "reject") and w["drafter"] == who.actor:
            continue  # the two-person rule: never on one's own draft
        out.append(action)
    return out


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
    live = any(d["state"] in OPEN_DELIVERIES for d in w["deliveries"])
    return render(
        request,
        "desk/warning.html",
        w=w,
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
        container.views.wait(result.position, ["warnings", "deliveries"], timeout=2.0)
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
    container.views.wait(result.position, ["deliveries"], timeout=2.0)
    return _back(warning_id, "requeued")
