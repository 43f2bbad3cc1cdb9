"""One incident on the disaster desk: its figures (the API's reads), casualty and damage
update forms, the linked reports with verify / mark-false buttons, autolink by hashtag,
shelters, and closing. Every form calls the JSON API's route function with the body the API
would get, so the rules are the API's; a refusal comes back as a message on this page.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api.bootstrap import Container
from api.deps import ContainerDep, PrincipalDep, allow
from api.incident_desk import (
    DESK_ROLES,
    LIST_PAGE,
    Done,
    act,
    decimal,
    form_context,
    text,
    whole,
)
from api.rendering import choose_lang, render
from api.routes import lifeline as api
from api.routes import lifeline_shelters as shelters_api
from api.routes.system import AfterQuery, wait_for
from api.security import Principal
from domain.errors import InvalidInputError
from domain.incidents import CASUALTY_FIELDS, DAMAGE_FIELDS, SOURCES
from projections import lifeline_queries as q

router = APIRouter(include_in_schema=False)
PAGE = LIST_PAGE + "/{incident_id}"
GUARD = [allow(*DESK_ROLES)]
REPORTS_SHOWN = 300


def _page(incident_id: UUID) -> str:
    return f"{LIST_PAGE}/{incident_id}"


def _reports(container: Container, incident_id: str) -> list[dict[str, Any]]:
    with api.reads(container).projection.view.read() as tx:
        return q.reports(tx, incident_id, REPORTS_SHOWN)


@router.get(PAGE, response_class=HTMLResponse, dependencies=GUARD)
def incident_page(
    request: Request, incident_id: UUID, container: ContainerDep, after: AfterQuery = None
) -> Response:
    wait_for(container, after, api.VIEW)
    lifeline = api.reads(container)
    inc = lifeline.detail(str(incident_id))
    if inc is None:
        raise HTTPException(404, "incident not found")
    lang = choose_lang(request)
    return render(
        request,
        "desk/incident.html",
        inc=inc,
        reports=_reports(container, inc["id"]),
        shelters=lifeline.shelters(inc["id"]) or [],
        casualty_fields=CASUALTY_FIELDS,
        damage_fields=DAMAGE_FIELDS,
        sources=SOURCES,
        **form_context(request, lang),
    )


def _update_body(form: FormData, fields: tuple[str, ...]) -> api.UpdateIn:
    figures = {f: n for f in fields if (n := whole(form, f)) is not None}
    return api.UpdateIn.model_validate(
        {
            "key": text(form, "key") or None,
            "district": text(form, "district"),
            "figures": figures,
            "source": text(form, "source"),
            "verified": text(form, "verified") in ("on", "true", "1"),
            "supersedes": text(form, "supersedes") or None,
            "note": text(form, "note"),
            "location": _location(form),
        }
    )


def _location(form: FormData) -> list[float] | None:
    """Where damage was seen (optional): both longitude and latitude, or neither."""
    lon, lat = text(form, "lon"), text(form, "lat")
    if not lon and not lat:
        return None
    if not (lon and lat):
        raise InvalidInputError("give both longitude and latitude, or neither")
    return [decimal(form, "lon"), decimal(form, "lat")]


async def _post_update(
    request: Request, incident_id: UUID, container: Container, who: Principal, kind: str
) -> Response:
    fields = CASUALTY_FIELDS if kind == "casualty" else DAMAGE_FIELDS
    call = api.casualties if kind == "casualty" else api.damage

    def work(form: FormData) -> Done:
        result = call(incident_id, _update_body(form, fields), container, who)
        return Done(kind, result.position)

    return await act(request, _page(incident_id), work)


@router.post(f"{PAGE}/casualties", dependencies=GUARD)
async def casualty_update(
    request: Request, incident_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    return await _post_update(request, incident_id, container, who, "casualty")


@router.post(f"{PAGE}/damage", dependencies=GUARD)
async def damage_update(
    request: Request, incident_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    return await _post_update(request, incident_id, container, who, "damage")


@router.post(f"{PAGE}/autolink", dependencies=GUARD)
async def autolink(
    request: Request, incident_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    def work(form: FormData) -> Done:
        del form
        result = api.autolink(incident_id, container, who, after=container.store.head())
        return Done("linked", result.position)

    return await act(request, _page(incident_id), work)


@router.post(f"{PAGE}/reports/{{posting_id}}/verify", dependencies=GUARD)
async def verify(
    request: Request,
    incident_id: UUID,
    posting_id: str,
    container: ContainerDep,
    who: PrincipalDep,
) -> Response:
    def work(form: FormData) -> Done:
        body = api.VerifyIn.model_validate({"state": text(form, "state")})
        result = api.verify_report(incident_id, posting_id, body, container, who)
        return Done(f"report_{body.state}", result.position)

    return await act(request, _page(incident_id), work)


@router.post(f"{PAGE}/shelters", dependencies=GUARD)
async def open_shelter(
    request: Request, incident_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    def work(form: FormData) -> Done:
        body = shelters_api.ShelterOpenIn.model_validate(
            {
                "key": text(form, "key") or None,
                **{n: text(form, n) for n in ("name_ko", "name_en", "address", "district")},
                "lon": decimal(form, "lon"),
                "lat": decimal(form, "lat"),
                "capacity": whole(form, "capacity"),
                "occupancy": whole(form, "occupancy") or 0,
                "status": text(form, "status") or "open",
            }
        )
        result = shelters_api.open_shelter(incident_id, body, container, who)
        return Done("shelter_opened", result.position)

    return await act(request, _page(incident_id), work)


@router.post(f"{PAGE}/shelters/{{shelter_id}}", dependencies=GUARD)
async def update_shelter(
    request: Request,
    incident_id: UUID,
    shelter_id: UUID,
    container: ContainerDep,
    who: PrincipalDep,
) -> Response:
    def work(form: FormData) -> Done:
        body = shelters_api.ShelterUpdateIn.model_validate(
            {
                "capacity": whole(form, "capacity"),
                "occupancy": whole(form, "occupancy"),
                "status": text(form, "status") or None,
            }
        )
        result = shelters_api.update_shelter(incident_id, shelter_id, body, container, who)
        return Done("shelter_updated", result.position)

    return await act(request, _page(incident_id), work)


@router.post(f"{PAGE}/close", dependencies=GUARD)
async def close(
    request: Request, incident_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    def work(form: FormData) -> Done:
        body = api.CloseIn.model_validate({"reason": text(form, "reason")})
        return Done("closed", api.close(incident_id, body, container, who).position)

    return await act(request, _page(incident_id), work)
