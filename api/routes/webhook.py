"""``POST /channels/webhook/{source}``: SMS gateways and other signed pushes.

Unknown sources are 404. A missing or wrong ``X-SMC-Signature`` is refused with 401, counted
(per process, ``GET /api/intake/webhooks``) and recorded as an intake rejection an administrator
sees; identical refused bodies collapse into one rejection, and at most 60 refusals per client
per hour are recorded (all are counted), so an unauthenticated caller cannot flood the store.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.bootstrap import Container
from api.deps import allow, anyone, get_container
from api.ratelimit import RateLimiter, client_key, limiter
from channels.webhook import SIGNATURE_HEADER, PayloadError, parse_message, verify
from domain.context import Cause
from domain.directory import Role
from domain.intake_service import IncomingRejection
from projections.intake import IntakeProjection

router = APIRouter(tags=["channels"])
SOURCE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MAX_BODY = 64 * 1024
RECORDED_REFUSALS_PER_HOUR = 60
CAUSE = Cause("system:webhook")
REFUSED = "refused webhook call"


class Refusals:
    """Refused calls per source, counted in this process since it started."""

    def __init__(self, started: datetime) -> None:
        self.started = started.isoformat(timespec="seconds")
        self.by_source: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def count(self, source: str, reason: str, at: str) -> None:
        with self._lock:
            entry = self.by_source.setdefault(source, {"refused": 0})
            entry.update(refused=entry["refused"] + 1, last_reason=reason, last_at=at)


def refusals(request: Request) -> Refusals:
    with _CREATE:
        found = getattr(request.app.state, "webhook_refusals", None)
        if not isinstance(found, Refusals):
            found = Refusals(get_container(request).clock.now())
            request.app.state.webhook_refusals = found
    return found


_CREATE = threading.Lock()


@router.post("/channels/webhook/{source}", dependencies=[anyone()])
async def receive(request: Request, source: str) -> JSONResponse:
    container = get_container(request)
    secret = container.settings.webhook_secrets.get(source) if SOURCE.match(source) else None
    if secret is None:
        raise HTTPException(404, f"no webhook source {source[:40]!r} is configured")
    body = await _body(request)
    reason = verify(secret, body, request.headers.get(SIGNATURE_HEADER))
    if reason is not None:
        await run_in_threadpool(_refuse, request, container, source, reason, body)
        raise HTTPException(
            401,
            f"{reason}: sign the raw body with the source's secret and send"
            f" {SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256>",
            headers={"WWW-Authenticate": f'HMAC-SHA256 header="{SIGNATURE_HEADER}"'},
        )
    return await run_in_threadpool(_take_in, container, source, body)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, f"body larger than {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HTTPException(413, f"body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(request: Request, container: Container, source: str, reason: str, body: bytes) -> None:
    who = client_key(request)
    refusals(request).count(source, reason, container.clock.now().isoformat(timespec="seconds"))
    recorder: RateLimiter = limiter(request, "webhook_refusals", RECORDED_REFUSALS_PER_HOUR)
    if recorder.hit(who) is None:
        excerpt = body[:300].decode("utf-8", "replace")
        rejection = IncomingRejection(source, f"{REFUSED}: {reason} (client {who})", excerpt)
        container.intake.ingest(CAUSE, [], [rejection])


def _take_in(container: Container, source: str, body: bytes) -> JSONResponse:
    try:
        item = parse_message(
            source,
            body,
            now=container.clock.now(),
            author_key_secret=container.settings.author_key,
        )
    except PayloadError as exc:
        excerpt = body[:300].decode("utf-8", "replace")
        container.intake.ingest(CAUSE, [], [IncomingRejection(source, str(exc), excerpt)])
        raise HTTPException(422, str(exc)) from None
    result = container.intake.ingest(CAUSE, [item])
    if result.rejected:
        raise HTTPException(422, "message rejected; see the intake rejections for the reason")
    body_out = {
        "posting_id": str(item.posting_id),
        "source_id": item.source_id,
        "new": result.new == 1,
        "duplicate": result.duplicates == 1,
        "position": result.position,
    }
    return JSONResponse(body_out, status_code=202 if result.new else 200)


@router.get("/api/intake/webhooks", dependencies=[allow(Role.ADMIN, Role.AUDITOR)])
def webhook_status(request: Request) -> dict[str, Any]:
    container, counted = get_container(request), refusals(request)
    rows = container.views.get(IntakeProjection).query(
        "SELECT channel, COUNT(*) AS n FROM intake_rejections WHERE reason LIKE ? GROUP BY channel",
        [f"{REFUSED}:%"],
    )
    return {
        "sources": sorted(container.settings.webhook_secrets),
        "refused_since_start": counted.by_source,
        "process_started": counted.started,
        "refusals_recorded": {r["channel"]: r["n"] for r in rows},
    }
