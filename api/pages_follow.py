"""Following a public posting: its Atom feed, and by e-mail with double opt-in.

* ``GET /public/{id}/feed.atom``: the posting's status changes and its published answer,
  exactly as the public page shows them (from the redacted public view).
* ``POST /public/{id}/follow``: an address to follow it (CSRF double-submit cookie as on the
  report form; per-client hourly allowance). A confirmation mail with a signed link is
  queued; the answer never tells whether that address already follows the posting.
* ``/follow/confirm`` and ``/follow/unsubscribe``: a page with one button (link scanners
  that open mails do not confirm or end anything); the POST also takes the token in the
  query, so mail clients' one-click unsubscribe (RFC 8058) works.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.bootstrap import Container
from api.deps import anyone, get_container
from api.follow_mail import FollowLinks
from api.ratelimit import client_key, limiter
from api.rendering import catalogue, choose_lang, environment, render
from domain.context import Cause
from domain.errors import DomainError, InvalidInputError
from domain.follow import FollowState
from projections.follow import public_history
from projections.public import PublicProjection

router = APIRouter(include_in_schema=False)
FOLLOW_CSRF = "smc_follow_csrf"
CITIZEN = Cause("citizen:follow")


def _public(container: Container, posting_id: str) -> dict[str, Any]:
    found = container.views.get(PublicProjection).posting(posting_id)
    if found is None or found["exercise"]:
        raise HTTPException(404, "no such public posting")
    return found


def posting_page(
    request: Request,
    posting_id: str,
    errors: tuple[str, ...] = (),
    status: int = 200,
    email: str = "",
) -> HTMLResponse:
    """The public page of one posting, with its feed link and the follow form."""
    container = get_container(request)
    found = _public(container, posting_id)
    history = container.views.get(PublicProjection).history(posting_id)
    token = request.cookies.get(FOLLOW_CSRF) or secrets.token_urlsafe(24)
    if "follow_csrf" in errors:
        token = secrets.token_urlsafe(24)
    response = render(
        request,
        "public_posting.html",
        status_code=status,
        p=found,
        history=history,
        follow_csrf=token,
        follow_errors=errors,
        follow_email=email,
        follow_offered=bool(container.settings.smtp_host),
        follow_sent=request.query_params.get("follow") == "sent",
    )
    response.set_cookie(FOLLOW_CSRF, token, httponly=True, samesite="strict", max_age=4 * 3600)
    return response


@router.get("/public/{posting_id}/feed.atom")
def posting_feed(request: Request, posting_id: str) -> Response:
    container = get_container(request)
    found = _public(container, posting_id)
    changes = public_history(container.views.get(PublicProjection), posting_id)
    published = [c for c in changes if c["state"] == "published"]
    reply = published[-1] if found["reply"] and published else None
    lang = choose_lang(request)
    times = [found["created_at"], *(c["at"] for c in changes)]
    updated = max(datetime.fromisoformat(v) for v in times)
    xml = (
        environment()
        .get_template("public_posting_feed.xml")
        .render(
            p=found,
            changes=changes,
            reply=reply,
            updated=updated.isoformat(),
            base=container.settings.public_base_url.rstrip("/"),
            t=catalogue(lang),
            lang=lang,
        )
    )
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


@router.post("/public/{posting_id}/follow", dependencies=[anyone()])
async def follow(request: Request, posting_id: str) -> Response:
    container = get_container(request)
    _public(container, posting_id)
    form = await request.form(max_files=0, max_fields=5)
    email = form.get("email", "")
    email = email[:300] if isinstance(email, str) else ""
    expected, presented = request.cookies.get(FOLLOW_CSRF, ""), form.get("csrf_token")
    if not (
        expected and isinstance(presented, str) and secrets.compare_digest(expected, presented)
    ):
        return posting_page(request, posting_id, ("follow_csrf",), 400, email)
    if not container.settings.smtp_host:
        return posting_page(request, posting_id, ("follow_unavailable",), 503, email)
    wait = limiter(request, "follow", container.settings.follow_rate_limit).hit(client_key(request))
    if wait is not None:
        response = posting_page(request, posting_id, ("follow_rate",), 429, email)
        response.headers["Retry-After"] = str(wait)
        return response
    lang = choose_lang(request)
    try:
        await run_in_threadpool(container.follow.subscribe, CITIZEN, posting_id, email, lang)
    except InvalidInputError:
        return posting_page(request, posting_id, ("follow_email_bad",), 422, email)
    return RedirectResponse(f"/public/{posting_id}?follow=sent#follow", status_code=303)


def _links(container: Container) -> FollowLinks:
    settings = container.settings
    return FollowLinks(settings.secret_key, settings.public_base_url)


def _token_page(request: Request, purpose: str, token: str, done: str = "") -> HTMLResponse:
    container = get_container(request)
    sid = _links(container).read(token, purpose)
    if sid is None:
        return render(request, "follow.html", 400, purpose=purpose, bad=True, token="", done="")
    posting_id = _posting_of(container, sid)
    return render(
        request, "follow.html", purpose=purpose, bad=False, token=token, done=done, pid=posting_id
    )


def _posting_of(container: Container, sid: UUID) -> str:
    try:
        return container.follow.get(sid).posting_id
    except DomainError:
        raise HTTPException(404, "no such subscription") from None


@router.get("/follow/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, token: str = "") -> HTMLResponse:
    return _token_page(request, "confirm", token[:500])


@router.get("/follow/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str = "") -> HTMLResponse:
    return _token_page(request, "unsubscribe", token[:500])


async def _act(request: Request, purpose: str) -> HTMLResponse:
    container = get_container(request)
    form = await request.form(max_files=0, max_fields=5)
    token = form.get("token") or request.query_params.get("token", "")
    token = token[:500] if isinstance(token, str) else ""
    sid = _links(container).read(token, purpose)
    if sid is None:
        return render(request, "follow.html", 400, purpose=purpose, bad=True, token="", done="")
    _posting_of(container, sid)
    change = container.follow.confirm if purpose == "confirm" else container.follow.unsubscribe
    try:
        sub = await run_in_threadpool(change, CITIZEN, sid)
    except DomainError as exc:
        raise HTTPException(409, exc.detail) from None
    done = "confirmed" if sub.state is FollowState.ACTIVE else "ended"
    return _token_page(request, purpose, token, done)


@router.post("/follow/confirm", response_class=HTMLResponse, dependencies=[anyone()])
async def confirm(request: Request) -> HTMLResponse:
    return await _act(request, "confirm")


@router.post("/follow/unsubscribe", response_class=HTMLResponse, dependencies=[anyone()])
async def unsubscribe(request: Request) -> HTMLResponse:
    return await _act(request, "unsubscribe")
