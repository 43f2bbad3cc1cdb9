"""Officials' desks: the department inbox and the case page (no JavaScript needed)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.case_map import case_map
from api.deps import ContainerDep, PrincipalDep, allow
from api.lifeline_geo import district_names
from api.rendering import catalogue, choose_lang, environment, render
from api.routes.cases import COMMANDS, WORKERS, CaseCommand
from domain.context import Cause
from domain.directory import Role
from domain.errors import DomainError
from domain.templates import fill
from projections.auto_answer import AutoAnswerProjection
from projections.directory import DirectoryProjection
from projections.event_log import EventLogProjection
from projections.intake import IntakeProjection
from projections.ledger import LedgerProjection, utc
from projections.templates import TemplatesProjection
from projections.triage import TriageProjection

router = APIRouter(include_in_schema=False)
KST = ZoneInfo("Asia/Seoul")
READERS = (*WORKERS, Role.AUDITOR, Role.DESK)


def kst(value: str | None) -> str:
    return datetime.fromisoformat(value).astimezone(KST).strftime("%m-%d %H:%M") if value else "—"


def units(container: ContainerDep) -> list[tuple[str, str]]:
    d = container.views.get(DirectoryProjection)
    return [(f"department:{r['code']}", r["name_ko"]) for r in d.departments()] + [
        (f"district:{r['code']}", r["name_ko"]) for r in d.districts()
    ]


def minutes_left(case: dict[str, Any], now: datetime) -> int | None:
    """Wall-clock minutes to the case's deadline (negative: overdue); None without a running
    one (no deadline, paused while awaiting the citizen, or answered)."""
    if not case.get("deadline") or case.get("state") not in RUNNING:
        return None
    due = datetime.fromisoformat(case["deadline"])
    return math.floor((due - now).total_seconds() / 60)


RUNNING = ("triaged", "assigned", "designated", "under_review")


@dataclass(frozen=True)
class InboxQuery:
    unit: str
    request_class: str
    channel: str
    district: str
    overdue: bool
    mine: bool
    page: int

    def url(self) -> str:
        """The filters as a query string (the page apart: the links add their own)."""
        flags = {"overdue": str(self.overdue).lower(), "mine": str(self.mine).lower()}
        chosen = {
            "unit": self.unit,
            "request_class": self.request_class,
            "channel": self.channel,
            "district": self.district,
        }
        return urlencode({**chosen, **flags})


def inbox_query(
    unit: Annotated[str, Query(max_length=64)] = "",
    request_class: Annotated[str, Query(max_length=32)] = "",
    channel: Annotated[str, Query(max_length=32)] = "",
    district: Annotated[str, Query(max_length=16)] = "",
    overdue: bool = False,
    mine: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> InboxQuery:
    return InboxQuery(unit, request_class, channel, district, overdue, mine, page)


InboxDep = Annotated[InboxQuery, Depends(inbox_query)]


def inbox_state(container: ContainerDep, who: PrincipalDep, q: InboxQuery) -> dict[str, Any]:
    """One page of the inbox and its counts, with a stamp that changes when either does."""
    view = container.views.get(LedgerProjection)
    now = utc(container.clock.now()) or ""
    items = view.inbox(
        q.unit or None,
        official=who.username if q.mine else None,
        request_class=q.request_class or None,
        channel=q.channel or None,
        district=q.district or None,
        overdue_at=now if q.overdue else None,
        limit=50,
        offset=(q.page - 1) * 50,
    )
    for item in items:
        item["due"] = kst(item["deadline"])
        item["late"] = bool(item["deadline"] and item["deadline"] < now)
        item["left"] = minutes_left(item, container.clock.now())
    counts = view.counts(q.unit or None, now)
    seen = [(i["id"], i["version"], i["late"]) for i in items], sorted(counts.items())
    stamp = hashlib.sha256(repr(seen).encode()).hexdigest()[:16]
    return {"items": items, "counts": counts, "stamp": stamp}


@router.get("/desk/inbox", response_class=HTMLResponse, dependencies=[allow(*READERS)])
def inbox(
    request: Request, container: ContainerDep, who: PrincipalDep, q: InboxDep
) -> HTMLResponse:
    return render(
        request,
        "inbox.html",
        **inbox_state(container, who, q),
        units=units(container),
        unit=q.unit,
        request_class=q.request_class,
        channel=q.channel,
        district=q.district,
        districts=[(c, n["ko"], n["en"]) for c, n in sorted(district_names().items())],
        overdue=q.overdue,
        mine=q.mine,
        page=q.page,
        query=q.url(),
    )


@router.get("/desk/inbox/live", dependencies=[allow(*READERS)])
def inbox_live(
    request: Request,
    container: ContainerDep,
    who: PrincipalDep,
    q: InboxDep,
    since: Annotated[str, Query(max_length=32)] = "",
) -> dict[str, Any]:
    """For the page's script: nothing but the stamp while the page is current; otherwise the
    counts and the rows, rendered by the page's own template."""
    state = inbox_state(container, who, q)
    if state["stamp"] == since:
        return {"stamp": since, "changed": False}
    lang = choose_lang(request)
    rows = (
        environment()
        .get_template("desk/inbox_rows.html")
        .render(items=state["items"], t=catalogue(lang))
    )
    return {"stamp": state["stamp"], "changed": True, "counts": state["counts"], "rows": rows}


@router.get("/desk/cases/{case_id}", response_class=HTMLResponse, dependencies=[allow(*READERS)])
def case_page(
    request: Request,
    case_id: UUID,
    container: ContainerDep,
    template: Annotated[str, Query(max_length=64)] = "",
    message: Annotated[str, Query(max_length=300)] = "",
) -> HTMLResponse:
    case = container.views.get(LedgerProjection).case(str(case_id))
    if case is None:
        raise HTTPException(404, "no such case")
    posting = container.views.get(IntakeProjection).posting(case["posting_id"])
    log = container.views.get(EventLogProjection)
    history = sorted(
        log.history(str(case_id)) + log.history(case["posting_id"]), key=lambda r: r["position"]
    )
    templates = container.views.get(TemplatesProjection).all()
    triage = container.views.get(TriageProjection).item(case["posting_id"])
    intake = container.views.get(IntakeProjection)
    mentions = intake.mentions(case["posting_id"])
    district = (triage or {}).get("district")
    where = case_map(posting["lat"], posting["lon"], district) if posting else None
    auto = container.views.get(AutoAnswerProjection).for_case(str(case_id))
    draft = _draft(container, case, posting, template)
    template_id = template
    if not draft and auto is not None and auto["status"] == "drafted" and not case["reply"]:
        draft, template_id = auto["text"], f"kb:{auto['entry_id']}@{auto['entry_version']}"
    return render(
        request,
        "case.html",
        case=case,
        posting=posting,
        history=history,
        triage=triage,
        mentions=mentions,
        where=where,
        templates=templates,
        draft=draft,
        template_id=template_id,
        auto=auto,
        due=kst(case["deadline"]),
        left=minutes_left(case, container.clock.now()),
        units=units(container),
        message=message,
    )


@router.get("/desk/cases/{case_id}/live", dependencies=[allow(*READERS)])
def case_live(case_id: UUID, container: ContainerDep) -> dict[str, Any]:
    """For the case page's script: the case's version (a new version: someone acted on it)."""
    case = container.views.get(LedgerProjection).case(str(case_id))
    if case is None:
        raise HTTPException(404, "no such case")
    return {"stamp": str(case["version"]), "state": case["state"]}


def _draft(
    container: ContainerDep, case: dict[str, Any], posting: dict[str, Any] | None, key: str
) -> str:
    chosen = container.views.get(TemplatesProjection).get(key) if key else None
    if chosen is None:
        return ""
    unit = case["unit"] or ""
    names = dict(units(container))
    return fill(
        chosen["text"],
        department=names.get(unit, unit),
        deadline=kst(case["deadline"]),
        reference=(posting or {}).get("source_id", case["posting_id"][:8]),
    )


@router.post("/desk/cases/{case_id}/{command}", dependencies=[allow(*WORKERS)])
def act(
    case_id: UUID,
    command: str,
    container: ContainerDep,
    who: PrincipalDep,
    expected_version: Annotated[int | None, Form()] = None,
    unit: Annotated[str, Form(max_length=64)] = "",
    official: Annotated[str, Form(max_length=64)] = "",
    text: Annotated[str, Form(max_length=10_000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    request_class: Annotated[str, Form(max_length=32)] = "",
    template_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    run = COMMANDS.get(command)
    if run is None:
        raise HTTPException(404, f"no case command {command!r}")
    body = CaseCommand(
        expected_version=expected_version,
        unit=unit or None,
        official=official or None,
        text=text,
        reason=reason,
        request_class=request_class or None,
        template_id=template_id or None,
    )
    try:
        result = run(container.ledger, Cause(who.actor), case_id, body)
    except DomainError as exc:
        return RedirectResponse(
            f"/desk/cases/{case_id}?message={exc.detail[:250]}", status_code=303
        )
    container.views.wait(result.position, ["ledger", "event_log"])
    return RedirectResponse(f"/desk/cases/{case_id}?message={command}+done", status_code=303)


@router.post("/desk/bulk", dependencies=[allow(Role.DEPARTMENT_LEAD, Role.ADMIN)])
def bulk(
    container: ContainerDep,
    who: PrincipalDep,
    case_ids: Annotated[list[UUID], Form()],
    action: Annotated[str, Form(pattern="^(assign|designate|transfer)$")],
    value: Annotated[str, Form(max_length=64)],
    back: Annotated[str, Form(max_length=300)] = "/desk/inbox",
) -> Response:
    done = failed = 0
    position = 0
    for cid in case_ids[:500]:
        body = CaseCommand(unit=value, official=value, reason="bulk")
        try:
            position = COMMANDS[action](container.ledger, Cause(who.actor), cid, body).position
            done += 1
        except DomainError:
            failed += 1
    container.views.wait(position, ["ledger"])
    target = back if back.startswith("/desk/") else "/desk/inbox"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done={done}&failed={failed}", status_code=303)
