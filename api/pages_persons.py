"""A missing person's public page with the relatives' note form (Korean and English, no
JavaScript needed).

The page shows only what the public view allows (no contact details, no exact address, only
approved notes, nothing after the record's expiry). Anyone may add a note: a claim about the
person's status, free text, optionally where they were last seen and a contact for the desk
(private: only the desk's moderation page shows it). The note waits for moderation; the
sender is taken back to the page, which tells them it is awaiting review.

CSRF: a double-submit cookie, as on the report form. Anonymous notes count against a
per-client hourly allowance (``SMC_LIFELINE_NOTE_RATE_LIMIT``; 429 with ``Retry-After``).
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ContainerDep, PrincipalDep, anyone
from api.lifeline_geo import district_names
from api.pages_lifeline import kst
from api.pages_report import EMAIL
from api.rendering import render
from api.routes.missing_persons import CITIZEN, VIEW, note_allowance, public_person, service
from api.routes.system import AfterQuery, wait_for
from domain.context import Cause
from domain.errors import DomainError, TransitionNotAllowedError
from domain.missing_persons import STATUSES, NoteIn, note_key_id
from projections.missing_persons import MissingPersonsProjection

router = APIRouter(include_in_schema=False)
NOTE_CSRF = "smc_note_csrf"
MAX_BODY = 64 * 1024
MAX_TEXT = 2000
MAX_SHORT = 200
FIELDS = ("status", "text", "author_name", "last_seen", "phone", "email", "key", "exercise")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,38}$")
KEY = re.compile(r"^[0-9a-f]{32}$")


class FormError(ValueError):
    """Bad input; the argument is the message key in web/locales."""


def check_note(values: dict[str, str]) -> NoteIn:
    """The form's fields as a note, or a FormError naming what is wrong."""
    status = values.get("status", "")
    if status not in STATUSES:
        raise FormError("pn_status_bad")
    text = values.get("text", "").strip()
    if not text:
        raise FormError("pn_text_required")
    if len(text) > MAX_TEXT:
        raise FormError("pn_text_long")
    short = {k: values.get(k, "").strip() for k in ("author_name", "last_seen", "phone", "email")}
    if any(len(v) > MAX_SHORT for v in short.values()):
        raise FormError("pn_short_long")
    if short["phone"] and not PHONE.match(short["phone"]):
        raise FormError("pn_phone_bad")
    if short["email"] and not EMAIL.match(short["email"]):
        raise FormError("pn_email_bad")
    key = values.get("key", "")
    return NoteIn(
        key=key if KEY.match(key) else secrets.token_hex(16),
        status=status,
        text=text,
        author_name=short["author_name"],
        last_known_location=short["last_seen"],
        author_contact={k: short[k] for k in ("phone", "email") if short[k]},
    )


@router.get("/lifeline/persons/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request,
    container: ContainerDep,
    person_id: UUID,
    exercise: bool = False,
    note: UUID | None = None,
    after: AfterQuery = None,
) -> Response:
    """The public record, its approved notes, the sender's own note state and the form."""
    wait_for(container, after, VIEW)
    person = public_person(container, person_id, exercise)
    mine = None
    if note is not None:
        view = container.views.get(MissingPersonsProjection)
        mine = view.note_state(str(person_id), str(note))
    return _page(request, person, exercise, {}, [], mine=mine)


@router.post("/lifeline/persons/{person_id}/notes", dependencies=[anyone()])
async def note_submit(
    request: Request, person_id: UUID, container: ContainerDep, who: PrincipalDep
) -> Response:
    size = request.headers.get("content-length", "")
    if not size.isdigit() or int(size) > MAX_BODY:
        raise HTTPException(413, "the note is too large: at most 2,000 characters of text")
    form = await request.form(max_files=0, max_fields=20)
    values = {k: v[: MAX_TEXT + 1] for k in FIELDS if isinstance(v := form.get(k, ""), str)}
    exercise = values.get("exercise") == "1"
    person = await run_in_threadpool(public_person, container, person_id, exercise)
    expected, presented = request.cookies.get(NOTE_CSRF, ""), form.get("csrf_token")
    if not (
        expected and isinstance(presented, str) and secrets.compare_digest(expected, presented)
    ):
        return _page(request, person, exercise, values, ["pn_csrf"], 400)
    if not who.signed_in:
        try:
            note_allowance(request, container)
        except HTTPException as exc:
            return _page(
                request, person, exercise, values, ["pn_rate"], 429, dict(exc.headers or {})
            )
    try:
        note = check_note(values)
    except FormError as exc:
        return _page(request, person, exercise, values, [str(exc)], 422)
    return await _store(request, container, person, exercise, values, note, who)


async def _store(
    request: Request,
    container: ContainerDep,
    person: dict[str, Any],
    exercise: bool,
    values: dict[str, str],
    note: NoteIn,
    who: Any,
) -> Response:
    pid = UUID(person["id"])
    note_id = note_key_id(pid, note.key)
    cause = Cause(who.actor) if who.signed_in else CITIZEN
    try:
        result = await run_in_threadpool(service(container).add_note, cause, pid, note)
        position = result.position
    except TransitionNotAllowedError as exc:
        if exc.extra.get("id") != note_id:
            return _page(request, person, exercise, values, [], 422, detail=exc.detail)
        position = 0  # the same form sent twice: the note is already there
    except DomainError as exc:
        return _page(request, person, exercise, values, [], 422, detail=exc.detail)
    query = {"note": note_id, **({"after": position} if position else {})}
    if exercise:
        query["exercise"] = 1
    return RedirectResponse(f"/lifeline/persons/{pid}?{urlencode(query)}", status_code=303)


def _page(
    request: Request,
    person: dict[str, Any],
    exercise: bool,
    values: dict[str, str],
    errors: list[str],
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    mine: dict[str, Any] | None = None,
    detail: str = "",
) -> Response:
    token = request.cookies.get(NOTE_CSRF) or secrets.token_urlsafe(24)
    if "pn_csrf" in errors:
        token = secrets.token_urlsafe(24)  # a fresh pair: the next post goes through
    response = render(
        request,
        "lifeline_person.html",
        status_code=status,
        p=person,
        exercise=exercise,
        mine=mine,
        note_csrf=token,
        values=values,
        key=values.get("key") if KEY.match(values.get("key", "")) else secrets.token_hex(16),
        errors=errors,
        detail=detail,
        statuses=STATUSES,
        names=district_names(),
        kst=kst,
        max_text=MAX_TEXT,
    )
    response.set_cookie(NOTE_CSRF, token, httponly=True, samesite="strict", max_age=4 * 3600)
    response.headers.update(headers or {})
    return response
