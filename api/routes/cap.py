"""CAP 1.2 out (messages, Atom/RSS feeds) and in (imports of other agencies' alerts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from api.bootstrap import Container
from api.deps import ContainerDep, PrincipalDep, allow
from channels.cap import (
    CapAlert,
    CapImportError,
    FeedEntry,
    parse_cap,
    render_alert,
    render_atom,
    render_rss,
)
from channels.cap.validate import DEFAULT_MAX_BYTES
from domain.context import Cause
from domain.directory import Role
from domain.warning_content import ImportOutcome
from projections.warnings import WarningsProjection

router = APIRouter(tags=["cap"])
CAP_MIME = "application/cap+xml"


@router.get("/cap/{identifier}.xml", response_class=Response)
def cap_message(identifier: str, container: ContainerDep) -> Response:
    xml = container.views.get(WarningsProjection).message_xml(identifier)
    if xml is None:
        raise HTTPException(404, f"no CAP message {identifier}")
    return Response(xml.encode("utf-8"), media_type=CAP_MIME)


def feed_entries(container: Container, cap_status: str, lang: str = "ko") -> list[FeedEntry]:
    base = container.settings.public_base_url.rstrip("/")
    rows = container.views.get(WarningsProjection).current(cap_status, container.clock.now())
    return [
        FeedEntry(
            identifier=r["identifier"],
            title=r[f"headline_{lang}"],
            summary=f"{r['msg_type']}: {r[f'headline_{lang}']}",
            updated=datetime.fromisoformat(r["sent"]),
            link=f"{base}/cap/{r['identifier']}.xml",
            severity=r["severity"],
            status=r["status"],
        )
        for r in rows
    ]


def _feed(container: Container, cap_status: str, path: str, rss: bool) -> Response:
    base = container.settings.public_base_url.rstrip("/")
    entries = feed_entries(container, cap_status)
    updated = max((e.updated for e in entries), default=datetime(2026, 1, 1, tzinfo=UTC))
    title = "서울특별시 재난 경보 / Seoul warnings"
    if cap_status != "Actual":
        title = f"[{cap_status}] {title}"
    if rss:
        data = render_rss(entries, title=title, updated=updated, self_url=base + path)
        return Response(data, media_type="application/rss+xml")
    data = render_atom(
        entries, feed_id=base + path, title=title, updated=updated, self_url=base + path
    )
    return Response(data, media_type="application/atom+xml")


@router.get("/cap/feed.atom", response_class=Response)
def atom(container: ContainerDep) -> Response:
    return _feed(container, "Actual", "/cap/feed.atom", rss=False)


@router.get("/cap/feed.rss", response_class=Response)
def rss(container: ContainerDep) -> Response:
    return _feed(container, "Actual", "/cap/feed.rss", rss=True)


@router.get("/cap/exercise/feed.atom", response_class=Response)
def exercise_atom(container: ContainerDep) -> Response:
    return _feed(container, "Exercise", "/cap/exercise/feed.atom", rss=False)


def summary(alert: CapAlert) -> dict[str, Any]:
    info = alert.infos[0] if alert.infos else None
    areas = [a.area_desc for i in alert.infos[:1] for a in i.areas]
    return {
        "sent": alert.sent.isoformat(),
        "status": alert.status,
        "msg_type": alert.msg_type,
        "event": info.event if info else "",
        "headline": (info.headline or info.event) if info else (alert.note or ""),
        "severity": info.severity if info else "",
        "area": "; ".join(areas)[:1000],
    }


def import_cap(container: Container, actor: str, data: bytes) -> tuple[ImportOutcome, list[str]]:
    """Validate in stages (size, XML, XSD, rules) and record every alert of the document."""
    result = parse_cap(data)
    alerts = [
        {
            "sender": a.sender,
            "identifier": a.identifier,
            "summary": summary(a),
            "xml": render_alert(a).decode("utf-8"),
        }
        for a in result.alerts
    ]
    exercise = all(a.status != "Actual" for a in result.alerts)
    outcome = container.warnings.import_external(Cause(actor, exercise=exercise), alerts)
    return outcome, list(result.warnings)


@router.post(
    "/api/cap/import", status_code=status.HTTP_201_CREATED, dependencies=[allow(Role.DESK)]
)
async def import_endpoint(request: Request, container: ContainerDep, who: PrincipalDep) -> Any:
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > DEFAULT_MAX_BYTES:
            raise HTTPException(413, f"CAP documents are limited to {DEFAULT_MAX_BYTES} bytes")
    from starlette.concurrency import run_in_threadpool

    try:
        outcome, warnings = await run_in_threadpool(import_cap, container, who.actor, data)
    except CapImportError as exc:
        raise HTTPException(422, f"refused at stage {exc.stage}: {exc.message}") from None
    return {
        "imported": outcome.imported,
        "duplicates": outcome.duplicates,
        "warnings": warnings,
        "position": outcome.position,
    }
