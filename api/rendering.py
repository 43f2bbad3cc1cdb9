"""Server-rendered pages: jinja2 (autoescape on), Korean and English."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.deps import current_principal, get_container
from web import LOCALES_DIR, TEMPLATES_DIR

LANGS = ("ko", "en")
LANG_COOKIE = "smc_lang"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        auto_reload=False,
    )


@cache
def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALES_DIR / f"{lang}.json").read_text("utf-8"))
    return data


def choose_lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGS:
        return asked
    accept = request.headers.get("accept-language", "").lower()
    for part in accept.split(","):
        code = part.split(";")[0].strip()[:2]
        if code in LANGS:
            return code
    default: str = get_container(request).settings.default_lang
    return default


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = choose_lang(request)
    who = current_principal(request)
    container = get_container(request)
    csrf = container.tokens.csrf_for(who.token) if who.signed_in else ""
    html = (
        environment()
        .get_template(template)
        .render(lang=lang, t=catalogue(lang), who=who, csrf=csrf, request=request, **context)
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
