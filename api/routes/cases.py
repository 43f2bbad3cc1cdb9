"""The ledger over HTTP: inboxes, a case's steps, and the compliance report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import Field

from api.deps import ContainerDep, PrincipalDep, allow
from api.performance import summarise
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict, Written
from domain.context import Cause
from domain.directory import Role
from domain.ledger_service import LedgerService
from domain.store import Recorded
from projections.ledger import LedgerProjection, utc

router = APIRouter(prefix="/api", tags=["cases"])
VIEW = ["ledger"]
WORKERS = (Role.OFFICIAL, Role.DEPARTMENT_LEAD, Role.ADMIN)
OVERSIGHT = (Role.AUDITOR, Role.DEPARTMENT_LEAD, Role.ADMIN)


class OpenCase(Strict):
    posting_id: UUID = Field(strict=False)


class CaseCommand(Strict):
    expected_version: int | None = Field(default=None, ge=1)
    request_class: str | None = Field(default=None, max_length=32)
    unit: str | None = Field(default=None, max_length=64)
    reason: str = Field(default="", max_length=2000)
    official: str | None = Field(default=None, max_length=64)
    text: str = Field(default="", max_length=10_000)
    template_id: str | None = Field(default=None, max_length=100)
    lang: str = Field(default="ko", pattern=r"^(ko|en)$")
    into: UUID | None = Field(default=None, strict=False)
    by_citizen: bool = False


Run = Callable[[LedgerService, Cause, UUID, CaseCommand], Recorded]

COMMANDS: dict[str, Run] = {
    "classify": lambda s, c, i, b: s.classify(c, i, b.request_class or "", b.expected_version),
    "assign": lambda s, c, i, b: s.assign(c, i, b.unit or "", b.reason, b.expected_version),
    "transfer": lambda s, c, i, b: s.transfer(c, i, b.unit or "", b.reason, b.expected_version),
    "send-back": lambda s, c, i, b: s.send_back(c, i, b.reason, b.expected_version),
    "designate": lambda s, c, i, b: s.designate(c, i, b.official or "", b.expected_version),
    "start-review": lambda s, c, i, b: s.start_review(c, i, b.expected_version),
    "await-citizen": lambda s, c, i, b: s.await_citizen(c, i, b.text, b.expected_version),
    "citizen-replied": lambda s, c, i, b: s.citizen_replied(c, i, b.text),
    "respond": lambda s, c, i, b: s.respond(
        c, i, b.text, template_id=b.template_id, lang=b.lang, expected_version=b.expected_version
    ),
    "publish": lambda s, c, i, _b: s.publish(c, i),
    "close": lambda s, c, i, b: s.close(c, i, b.expected_version),
    "reopen": lambda s, c, i, b: s.reopen(
        c, i, b.reason, by_citizen=b.by_citizen, expected_version=b.expected_version
    ),
    "merge": lambda s, c, i, b: s.merge(c, i, b.into or i, b.expected_version),
    "withdraw": lambda s, c, i, b: s.withdraw(c, i, b.reason, b.expected_version),
    "retract": lambda s, c, i, b: s.retract(c, i, b.reason, b.expected_version),
    "correct": lambda s, c, i, b: s.correct(
        c, i, b.text, template_id=b.template_id, lang=b.lang, expected_version=b.expected_version
    ),
}


@router.get("/cases", dependencies=[allow(*WORKERS, Role.AUDITOR, Role.DESK)])
def cases(
    container: ContainerDep,
    after: AfterQuery = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    official: Annotated[str | None, Query(max_length=64)] = None,
    request_class: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    district: Annotated[str | None, Query(max_length=16, description="posting's SIG_CD")] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    wait_for(container, after, VIEW)
    view = container.views.get(LedgerProjection)
    now = utc(container.clock.now()) or ""
    items = view.inbox(
        unit,
        official=official,
        request_class=request_class,
        channel=channel,
        district=district,
        overdue_at=now if overdue else None,
        limit=limit,
        offset=offset,
    )
    return {"counts": view.counts(unit, now), "items": items}


@router.get("/cases/{case_id}", dependencies=[allow(*WORKERS, Role.AUDITOR, Role.DESK)])
def case(case_id: UUID, container: ContainerDep, after: AfterQuery = None) -> dict[str, Any]:
    wait_for(container, after, VIEW)
    found = container.views.get(LedgerProjection).case(str(case_id))
    if found is None:
        raise HTTPException(404, f"no case {case_id}")
    return found


@router.post("/cases", status_code=201, response_model=Written, dependencies=[allow(*WORKERS)])
def open_case(body: OpenCase, container: ContainerDep, who: PrincipalDep) -> Written:
    result = container.ledger.open_posting(Cause(who.actor), body.posting_id)
    return Written(id=str(result.id), position=result.position)


@router.post(
    "/cases/{case_id}/{command}",
    response_model=Written,
    responses={409: {"description": "not allowed now, or changed by someone else"}},
    dependencies=[allow(*WORKERS)],
)
def act(
    case_id: UUID, command: str, body: CaseCommand, container: ContainerDep, who: PrincipalDep
) -> Written:
    run = COMMANDS.get(command)
    if run is None:
        raise HTTPException(404, f"no case command {command!r}; known: {', '.join(COMMANDS)}")
    result = run(container.ledger, Cause(who.actor), case_id, body)
    return Written(id=str(result.id), position=result.position)


@router.get("/reports/performance", dependencies=[allow(*OVERSIGHT)])
def performance(
    container: ContainerDep,
    start: date,
    end: date,
    by: Annotated[str, Query(pattern="^(unit|official)$")] = "unit",
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """Received, answered, answered on time, median/p90 hours to first reply, overdue, reopened."""
    lo, hi = _range(start, end)
    rows = container.views.get(LedgerProjection).received_between(lo, hi)
    report = summarise(rows, utc(container.clock.now()) or "", by)
    if format == "json":
        return report
    return _csv(report, list(report[0]) if report else [by], f"performance-{by}-{start}-{end}")


def _range(start: date, end: date) -> tuple[str, str]:
    if end < start:
        raise HTTPException(422, "end is before start")
    lo = datetime.combine(start, time(), tzinfo=UTC).isoformat()
    hi = datetime.combine(end, time(23, 59, 59), tzinfo=UTC).isoformat()
    return lo, hi


def _csv(rows: list[dict[str, Any]], fields: list[str], name: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/reports/compliance", dependencies=[allow(*OVERSIGHT)])
def compliance(
    container: ContainerDep,
    start: date,
    end: date,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    if end < start:
        raise HTTPException(422, "end is before start")
    lo = datetime.combine(start, time(), tzinfo=UTC).isoformat()
    hi = datetime.combine(end, time(23, 59, 59), tzinfo=UTC).isoformat()
    rows = container.views.get(LedgerProjection).missed(lo, hi)
    if format == "json":
        return rows
    out = io.StringIO()
    writer = csv.DictWriter(
        out,
        fieldnames=["unit", "case_id", "posting_id", "request_class", "deadline", "at"],
        extrasaction="ignore",
    )
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="missed-{start}-{end}.csv"'},
    )
