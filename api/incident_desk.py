"""Shared parts of the incident desk pages: reading plain HTML forms into the JSON API's
request bodies, and running one desk action (then a 303 back with a message and the position
the page waits for; a refusal becomes the message instead, never a 500)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.lifeline_geo import district_names
from api.pages_lifeline import kst
from channels.reference_data import load_district_locator
from domain.directory import Role
from domain.errors import DomainError, InvalidInputError

DESK_ROLES = (Role.DESK, Role.ADMIN)
ACCEPTERS = (Role.DESK,)
"""The API's accept route lets only the desk open an incident from a suggestion."""
LIST_PAGE = "/desk/incidents"


@dataclass(frozen=True)
class Done:
    message: str
    position: int
    to: str = ""
    """Where to go instead of the page the form was on (e.g. the drafted warning)."""


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def whole(form: FormData, name: str, label: str = "") -> int | None:
    """An optional whole number; a typed-in word or fraction is refused with a message."""
    raw = text(form, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInputError(f"{label or name} must be a whole number") from None


def decimal(form: FormData, name: str) -> float:
    try:
        return float(text(form, name))
    except ValueError:
        raise InvalidInputError(f"{name} must be a number") from None


def many(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def hashtags(value: str) -> list[str]:
    """'#서울호우 #침수, flood' -> ['#서울호우', '#침수', '#flood']."""
    words = value.replace(",", " ").split()
    return [w if w.startswith("#") else f"#{w}" for w in words]


def problem_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:3]:
            where = ".".join(str(p) for p in err["loc"])
            parts.append(f"{where}: {err['msg']}" if where else str(err["msg"]))
        return "; ".join(parts)
    if isinstance(exc, DomainError):
        return exc.detail
    if isinstance(exc, HTTPException):
        return str(exc.detail)
    return str(exc)


def back(page: str, **query: Any) -> Response:
    return RedirectResponse(f"{page}?{urlencode(query)}", status_code=303)


async def act(request: Request, page: str, work: Callable[[FormData], Done]) -> Response:
    """Run ``work`` with the posted form (in a thread: commands block), then go back."""
    form = await request.form()
    try:
        done = await run_in_threadpool(work, form)
    except (DomainError, ValidationError, HTTPException, ValueError) as exc:
        return back(page, message=problem_text(exc)[:250])
    return back(done.to or page, message=done.message, after=done.position)


def message(request: Request) -> str:
    return request.query_params.get("message", "")[:300]


def form_context(request: Request, lang: str) -> dict[str, Any]:
    """What every incident desk page's forms need: the districts to choose from and their
    names, a fresh idempotency key, the message of the last action, the time formatter."""
    return {
        "districts": load_district_locator().districts(),
        "district": district_label(lang),
        "key": secrets.token_hex(16),
        "message": message(request),
        "kst": kst,
    }


def district_label(lang: str) -> Callable[[str], str]:
    names = district_names()

    def label(code: str) -> str:
        found = names.get(code)
        return f"{found[lang]} ({code})" if found else code or "-"

    return label
