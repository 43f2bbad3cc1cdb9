"""HTML pages that work without JavaScript: home, sign-in, administration."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SESSION_COOKIE, ContainerDep, PrincipalDep, allow, anyone
from api.rendering import render
from api.routes.auth import authenticate
from domain.context import Cause
from domain.directory import Role
from domain.errors import DomainError
from projections.directory import DirectoryProjection
from projections.event_log import EventLogProjection

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "smc_login_csrf"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, container: ContainerDep) -> HTMLResponse:
    directory = container.views.get(DirectoryProjection)
    head = container.store.head()
    return render(
        request,
        "home.html",
        departments=directory.departments(),
        districts=directory.districts(),
        accounts=directory.accounts(),
        head=head,
        projections=container.views.status(head, container.projection_errors()),
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", login_csrf=token, next=_safe(next), username="", error=False
    )
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", max_age=3600)
    return response


@router.post("/login", response_class=HTMLResponse, dependencies=[anyone()])
def login(
    request: Request,
    container: ContainerDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF, "")
    result = None
    if expected and secrets.compare_digest(expected, csrf_token):
        result = authenticate(container, username, password)
    if result is None:
        return render(
            request,
            "login.html",
            status_code=401,
            login_csrf=expected,
            next=_safe(next),
            username=username,
            error=True,
        )
    response = RedirectResponse(_safe(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.access_token,
        httponly=True,
        samesite="lax",
        max_age=container.settings.session_max_age,
    )
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout", dependencies=[allow(*Role)])
def logout() -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/admin", response_class=HTMLResponse, dependencies=[allow(Role.ADMIN)])
def admin(request: Request, container: ContainerDep, message: str = "") -> HTMLResponse:
    directory = container.views.get(DirectoryProjection)
    return render(
        request,
        "admin.html",
        users=directory.users(),
        accounts=directory.accounts(),
        events=container.views.get(EventLogProjection).recent(30),
        roles=[r.value for r in Role if r is not Role.PUBLIC],
        message=message[:200],
    )


@router.post("/admin/users", dependencies=[allow(Role.ADMIN)])
def admin_add_user(
    request: Request,
    container: ContainerDep,
    who: PrincipalDep,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=256)],
    display_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    try:
        result = container.directory.add_user(
            Cause(who.actor),
            username=username,
            display_name=display_name,
            role=role,
            password_hash=container.passwords.hash(password),
        )
    except DomainError as exc:
        return render(request, "error.html", status_code=422, status=422, detail=exc.detail)
    container.views.wait(result.position, ["directory", "event_log"])
    return RedirectResponse(f"/admin?message=added+{username}", status_code=303)


def _safe(target: str) -> str:
    """Only same-site relative redirects."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
