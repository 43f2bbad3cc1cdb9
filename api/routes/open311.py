"""Open311 GeoReport v2 (JSON and XML): the service list, posting a request, reading requests.

Anonymous reports are allowed and rate-limited per client; when the city sets
``SMC_OPEN311_API_KEYS`` a POST needs one of them. Errors use the spec's shape
``[{"code": 400, "description": "..."}]`` (``<errors><error>…`` in XML).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.bootstrap import Container
from api.deps import anyone, get_container
from api.ratelimit import client_key, limiter
from api.rendering import choose_lang
from api.reports import Report, ReportError, parse_point, submit
from channels import open311
from projections.open311 import Open311Projection, utc

router = APIRouter(prefix="/open311/v2", tags=["open311"])
MAX_DESCRIPTION = 4000
CONTACT_FIELDS = {"email": 254, "first_name": 100, "last_name": 100, "phone": 40}
DEFAULT_WINDOW = timedelta(days=90)


class Open311Error(Exception):
    def __init__(self, code: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.headers = code, description, headers or {}


def respond(fmt: str, root: str, item: str, rows: list[dict[str, Any]]) -> Response:
    return Response(open311.render(fmt, root, item, rows), media_type=open311.FORMATS[fmt])


def failed(fmt: str, exc: Open311Error) -> Response:
    fmt = fmt if fmt in open311.FORMATS else "json"
    body = open311.render_errors(fmt, exc.code, exc.description)
    return Response(body, exc.code, exc.headers, media_type=open311.FORMATS[fmt])


def check_format(fmt: str) -> None:
    if fmt not in open311.FORMATS:
        raise Open311Error(404, f"unknown format {fmt[:20]!r}; use .json or .xml")


@router.get("/services.{fmt}")
def services(request: Request, fmt: str) -> Response:
    try:
        check_format(fmt)
    except Open311Error as exc:
        return failed(fmt, exc)
    lang = choose_lang(request)
    rows = [s.as_open311(lang) for s in open311.services().values()]
    return respond(fmt, "services", "service", rows)


@router.post("/requests.{fmt}", dependencies=[anyone()])
async def create_request(request: Request, fmt: str) -> Response:
    try:
        check_format(fmt)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        container = get_container(request)
        _check_key_and_rate(request, container, form.get("api_key", ""))
        report = parse_request(form)
        lang = choose_lang(request)
        reference = await run_in_threadpool(submit, container, report)
    except (Open311Error, ReportError) as exc:
        error = exc if isinstance(exc, Open311Error) else Open311Error(400, str(exc))
        return failed(fmt, error)
    notice = service_notice(lang)
    row = {"service_request_id": reference, "service_notice": notice, "account_id": None}
    return respond(fmt, "service_requests", "request", [row])


def _check_key_and_rate(request: Request, container: Container, api_key: str) -> None:
    settings = container.settings
    keyed = bool(api_key) and api_key in settings.open311_api_keys
    if settings.open311_api_keys and not keyed:
        raise Open311Error(403, "api_key missing or not valid")
    if keyed:  # a known partner: counted per key, ten times the anonymous allowance
        name, allowed, key = "keyed", settings.open311_rate_limit * 10, f"key:{api_key}"
    else:
        name, allowed, key = "reports", settings.open311_rate_limit, client_key(request)
    wait = limiter(request, name, allowed).hit(key)
    if wait is not None:
        raise Open311Error(
            429,
            f"too many reports from this client: at most {allowed} per hour; try again in"
            f" {wait} seconds",
            {"Retry-After": str(wait)},
        )


def parse_request(form: Mapping[str, str]) -> Report:
    """The spec's form fields, checked; contact details kept apart (private)."""
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    if code not in open311.services():
        raise Open311Error(400, f"service_code {code[:40]!r} is not a service of this city")
    description = form.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    address = form.get("address_string", "").strip()[:500] or None
    lat, lon = parse_point(form.get("lat", ""), form.get("long", ""))
    if lat is None and address is None:
        raise Open311Error(400, "give lat and long, or address_string")
    media = form.get("media_url", "").strip()
    if media and (len(media) > 2000 or not media.lower().startswith(("http://", "https://"))):
        raise Open311Error(400, "media_url must be an http(s) URL of at most 2000 characters")
    if not description and not media:
        raise Open311Error(400, "description or media_url is required")
    contact = {}
    for name, size in CONTACT_FIELDS.items():
        value = form.get(name, "").strip()
        if len(value) > size:
            raise Open311Error(400, f"{name} is longer than {size} characters")
        if value:
            contact[name] = value
    return Report(
        channel="open311",
        prefix="311",
        text=description,
        service_code=code,
        lat=lat,
        lon=lon,
        address=address,
        media_urls=(media,) if media else (),
        contact=contact,
    )


def service_notice(lang: str) -> str:
    if lang == "en":
        return "Received. The responsible office and deadline follow once it is classified."
    return "접수되었습니다. 담당 부서와 처리 기한은 분류 후 안내됩니다."


@router.get("/requests.{fmt}")
def list_requests(request: Request, fmt: str) -> Response:
    try:
        check_format(fmt)
        rows = _query(request)
    except Open311Error as exc:
        return failed(fmt, exc)
    return respond(fmt, "service_requests", "request", rows)


@router.get("/requests/{service_request_id}.{fmt}")
def one_request(request: Request, service_request_id: str, fmt: str) -> Response:
    try:
        check_format(fmt)
        view = get_container(request).views.get(Open311Projection)
        found = view.request(service_request_id)
        if found is None:
            raise Open311Error(404, f"no service request {service_request_id[:60]!r}")
    except Open311Error as exc:
        return failed(fmt, exc)
    return respond(fmt, "service_requests", "request", [present(request, found)])


def _query(request: Request) -> list[dict[str, Any]]:
    q = request.query_params
    ids = _list(q.get("service_request_id"))
    statuses = _list(q.get("status"))
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status must be open or closed (comma-separated)")
    start, end = _date(q.get("start_date"), "start_date"), _date(q.get("end_date"), "end_date")
    if not ids and start is None and end is None:
        now = get_container(request).clock.now()
        start = utc(now - DEFAULT_WINDOW)
    view = get_container(request).views.get(Open311Projection)
    rows = view.requests(
        ids=ids, service_codes=_list(q.get("service_code")), statuses=statuses, start=start, end=end
    )
    return [present(request, r) for r in rows]


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()][:200]


def _date(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        msg = f"{name} must be a W3C datetime like 2026-07-14T09:00:00+09:00"
        raise Open311Error(400, msg) from None
    return utc(when if when.tzinfo else when.replace(tzinfo=UTC))


def present(request: Request, row: Mapping[str, Any]) -> dict[str, Any]:
    """A view row as the spec's request (contact details are not in the view at all)."""
    lang = choose_lang(request)
    service = open311.services().get(row["service_code"] or "other")
    agencies = get_container(request).views.get(Open311Projection).agencies()
    unit = row.get("unit") or ""
    code = unit.removeprefix("department:") if unit.startswith("department:") else None
    agency = agencies.get(code or (service.department_code if service else ""))
    media = row["media_url"]
    if media and media.startswith("/"):
        media = str(request.base_url).rstrip("/") + media
    out = {
        "service_request_id": row["service_request_id"],
        "status": row["status"],
        "status_notes": row["status_notes"],
        "service_name": service.name(lang) if service else None,
        "service_code": row["service_code"],
        "description": row["description"],
        "agency_responsible": (agency[f"name_{lang}"] if agency else None)
        or (unit.replace("district:", "district office ") if unit.startswith("district:") else None)
        or (service.department_code if service else None),
        "service_notice": service_notice(lang),
        "requested_datetime": open311.w3c(row["requested_datetime"]),
        "updated_datetime": open311.w3c(row["updated_datetime"]),
        "expected_datetime": open311.w3c(row["expected_datetime"]),
        "address": row["address"],
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": media,
    }
    return {k: out[k] for k in open311.REQUEST_FIELDS}
