"""The public report form (민원 신고): works without JavaScript, Korean and English.

CSRF: a double-submit cookie, as on the sign-in page. Every post counts against the same
per-client hourly allowance as anonymous Open311 reports. On any problem the form comes back
with a message and everything typed still in it (a photo has to be chosen again).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from api.deps import anyone, get_container
from api.ratelimit import client_key, limiter
from api.rendering import choose_lang, render
from api.reports import Report, ReportError, parse_point, submit
from api.routes.webform import MAX_PHOTO, PhotoError, forget_photo, store_photo, uploads_dir
from channels.open311 import services

router = APIRouter(include_in_schema=False)
REPORT_CSRF = "smc_report_csrf"
MAX_BODY = 12 * 1024 * 1024  # a 5 MB photo plus the text, with room: larger is refused unread
MAX_TEXT = 4000
FIELDS = ("text", "service_code", "lat", "lon", "address", "email")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
REFERENCE = re.compile(r"^W-\d{8}-[0-9A-F]{8}$")


class FormError(ValueError):
    """Bad input; the argument is the message key in web/locales."""


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request) -> Response:
    return _form(request, {}, [])


@router.post("/report", response_class=HTMLResponse, dependencies=[anyone()])
async def report_submit(request: Request) -> Response:
    size = request.headers.get("content-length", "")
    if not size.isdigit() or int(size) > MAX_BODY:
        raise HTTPException(413, "the report is too large: a photo may be at most 5 MB")
    form = await request.form(max_files=1, max_fields=20)
    values = {k: v[: MAX_TEXT + 1] for k in FIELDS if isinstance(v := form.get(k, ""), str)}
    expected, presented = request.cookies.get(REPORT_CSRF, ""), form.get("csrf_token")
    if not (
        expected and isinstance(presented, str) and secrets.compare_digest(expected, presented)
    ):
        return _form(request, values, ["report_csrf"], 400)
    settings = get_container(request).settings
    wait = limiter(request, "reports", settings.open311_rate_limit).hit(client_key(request))
    if wait is not None:
        return _form(request, values, ["report_rate"], 429, {"Retry-After": str(wait)})
    try:
        report = check(values, choose_lang(request))
    except FormError as exc:
        return _form(request, values, [str(exc)], 422)
    return await _store(request, values, report, form)


async def _store(
    request: Request, values: dict[str, str], report: Report, form: FormData
) -> Response:
    folder, media = uploads_dir(request), ""
    photo = form.get("photo")
    try:
        if isinstance(photo, UploadFile) and photo.filename:
            media = await run_in_threadpool(store_photo, folder, await photo.read(MAX_PHOTO + 1))
        report = Report(**{**report.__dict__, "media_urls": (media,) if media else ()})
        reference = await run_in_threadpool(submit, get_container(request), report)
    except PhotoError as exc:
        return _form(request, values, [str(exc)], 422)
    except ReportError:
        _forget(folder, media)
        return _form(request, values, ["report_failed"], 422)
    response = RedirectResponse(f"/report/thanks?ref={reference}", status_code=303)
    response.delete_cookie(REPORT_CSRF)
    return response


def _forget(folder: Path, media: str) -> None:
    if media:
        forget_photo(folder, media)


def check(values: dict[str, str], lang: str) -> Report:
    text = values.get("text", "").strip()
    if not text:
        raise FormError("report_text_required")
    if len(text) > MAX_TEXT:
        raise FormError("report_text_long")
    code = values.get("service_code", "").strip() or None
    if code is not None and code not in services():
        raise FormError("report_service")
    try:
        lat, lon = parse_point(values.get("lat", ""), values.get("lon", ""))
    except ReportError:
        raise FormError("report_location") from None
    email = values.get("email", "").strip()
    if email and (len(email) > 254 or not EMAIL.match(email)):
        raise FormError("report_email_bad")
    return Report(
        channel="web",
        prefix="W",
        text=text,
        service_code=code,
        lat=lat,
        lon=lon,
        address=values.get("address", "").strip()[:300] or None,
        contact={"email": email} if email else {},
        lang=lang,
    )


def _form(
    request: Request,
    values: dict[str, str],
    errors: list[str],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    token = request.cookies.get(REPORT_CSRF) or secrets.token_urlsafe(24)
    if "report_csrf" in errors:
        token = secrets.token_urlsafe(24)  # a fresh pair: the next post goes through
    lang = choose_lang(request)
    response = render(
        request,
        "report.html",
        status_code=status,
        report_csrf=token,
        values=values,
        errors=errors,
        services=[(s.code, s.name(lang)) for s in services().values()],
        max_text=MAX_TEXT,
    )
    response.set_cookie(REPORT_CSRF, token, httponly=True, samesite="strict", max_age=4 * 3600)
    response.headers.update(headers or {})
    return response


@router.get("/report/thanks", response_class=HTMLResponse)
def report_thanks(request: Request, ref: str = "") -> Response:
    if not REFERENCE.match(ref):
        raise HTTPException(404, "no such reference")
    return render(request, "report_done.html", reference=ref)
