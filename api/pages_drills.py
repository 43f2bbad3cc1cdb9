"""The desk's drills page: start a drill replay (a bundled script or an upload), watch it.

``GET /desk/drills`` lists the bundled scripts and this server's runs with their progress (the
page reloads itself every 3 s while one runs, no JavaScript needed); ``POST /desk/drills``
(desk) starts a replay, optionally opening an exercise incident that watches the drill's
hashtag; ``POST /desk/drills/{run}/stop`` stops one. The drill's warning itself is drafted on
the warning form with status Exercise (linked from here).
"""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import ContainerDep, PrincipalDep, allow
from api.drill import parse_script
from api.drill_runs import MAX_SCRIPT_BYTES, DrillRuns, bundled_scripts
from api.pages_inbox import kst
from api.rendering import render
from api.warning_ports import playbook_library
from domain.directory import Role
from domain.errors import DomainError, InvalidInputError, NotFoundError

router = APIRouter(include_in_schema=False)
READERS = (Role.DESK, Role.APPROVER, Role.ADMIN, Role.AUDITOR)
_runs_lock = DrillRuns().lock


def drill_runs(request: Request) -> DrillRuns:
    """The runs of this app (one registry per app, made on first use)."""
    with _runs_lock:
        runs = getattr(request.app.state, "drill_runs", None)
        if runs is None:
            runs = request.app.state.drill_runs = DrillRuns()
    return cast(DrillRuns, runs)


def _page(request: Request, error: str = "", code: int = 200, **form: Any) -> Response:
    runs = drill_runs(request).recent()
    books = sorted(playbook_library(), key=lambda b: b.id)
    return render(
        request,
        "desk/drills.html",
        code,
        scripts=bundled_scripts(),
        runs=runs,
        started={r.id: kst(r.started) for r in runs},
        live=any(r.state == "running" for r in runs),
        books=books,
        error=error,
        form=form,
        shown=request.query_params.get("run", "")[:40],
    )


@router.get("/desk/drills", response_class=HTMLResponse, dependencies=[allow(*READERS)])
def drills_page(request: Request) -> Response:
    return _page(request)


async def _script_bytes(form: Any) -> tuple[str, bytes]:
    upload = form.get("script_file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_SCRIPT_BYTES + 1)
        if len(raw) > MAX_SCRIPT_BYTES:
            raise InvalidInputError("the drill script is larger than 1 MB")
        return upload.filename[:100], raw
    name = str(form.get("script") or "")
    scripts = bundled_scripts()
    if name not in scripts:
        raise InvalidInputError("choose a bundled drill script or upload one")
    return name, scripts[name]["raw"]


def _speed(raw: object) -> float:
    try:
        return float(str(raw or "10"))
    except ValueError:
        raise InvalidInputError("speed is a number, e.g. 10 (ten times as fast)") from None


@router.post("/desk/drills", dependencies=[allow(Role.DESK)])
async def start_drill(request: Request, container: ContainerDep, who: PrincipalDep) -> Response:
    form = await request.form()
    fields = {k: str(form.get(k) or "") for k in ("script", "hashtag", "speed", "incident")}
    try:
        name, raw = await _script_bytes(form)
        script = parse_script(raw, fields["hashtag"].strip() or None)
        speed = _speed(fields["speed"])
        playbook = fields["incident"].strip()
        if playbook and playbook not in playbook_library():
            raise InvalidInputError(f"unknown playbook for the exercise incident: {playbook}")
        runs = drill_runs(request)
        run = await run_in_threadpool(
            runs.start, container, who.actor, name, script, speed, playbook
        )
    except DomainError as exc:
        return _page(request, exc.detail, 422, **fields)
    return RedirectResponse(f"/desk/drills?run={run.id}#run-{run.id}", status_code=303)


@router.post("/desk/drills/{run_id}/stop", dependencies=[allow(Role.DESK)])
def stop_drill(request: Request, run_id: str) -> Response:
    run = drill_runs(request).get(run_id)
    if run is None:
        raise NotFoundError("no such drill run", id=run_id[:40])
    run.stop.set()
    return RedirectResponse(f"/desk/drills?run={run.id}#run-{run.id}", status_code=303)
