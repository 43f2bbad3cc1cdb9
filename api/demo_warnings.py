"""Demo warnings: a heavy-rain warning for southern Seoul (issued -> escalated -> all-clear)
and a cold-wave draft awaiting approval, so the desk and the CAP feed show something.

The history is recorded at earlier times (a clock set back) through the real service, so
the two-person rule and the self-contained CAP messages are the same as in use. Its only
delivery target is the feed: demo data is never posted to any account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from api.bootstrap import Container
from domain.clock import FixedClock
from domain.context import Cause
from domain.store import Commands, Recorded
from domain.warning_content import AreaSpec
from domain.warning_service import WarningService
from domain.warnings import Action

SOUTH = ("11530", "11545", "11590", "11620", "11650", "11680")  # 구로 금천 동작 관악 서초 강남
RAIN_KEY = "demo-heavy-rain-south-seoul"
COLD_KEY = "demo-cold-wave-draft"


def _actor(container: Container, username: str) -> Cause | None:
    user = container.directory.find_user(username)
    return Cause(f"user:{user.id}") if user is not None else None


def _service(container: Container, clock: FixedClock) -> WarningService:
    live = container.warnings
    return WarningService(
        Commands(container.store, clock),
        live.playbooks,
        live.areas,
        lambda _status: ["feed"],
        sender=live.sender,
        base_url=live.base_url,
    )


def load_demo_warnings(container: Container) -> int:
    """Record the demo warnings once; returns how many warnings were added (0 or 2)."""
    desk, approver = _actor(container, "park.desk"), _actor(container, "choi.approver")
    if desk is None or approver is None:
        return 0  # no demo users (production): no demo warnings either
    now = container.clock.now()
    clock = FixedClock(now - timedelta(hours=3))
    svc = _service(container, clock)
    area = AreaSpec("districts", districts=SOUTH)
    common: dict[str, Any] = {"playbook_id": "heavy_rain", "status": "Actual", "area": area}
    rain = svc.draft(desk, key=RAIN_KEY, stage_id="advisory", **common)
    if svc.get(rain.id).messages:
        return 0  # already loaded
    steps: list[tuple[timedelta, Callable[[], Recorded]]] = [
        (timedelta(minutes=5), lambda: svc.submit(desk, rain.id)),
        (timedelta(minutes=10), lambda: svc.approve(approver, rain.id, "approver")),
        (timedelta(minutes=70), lambda: svc.change_stage(approver, rain.id, Action.ESCALATE)),
        (timedelta(minutes=85), lambda: svc.all_clear(approver, rain.id)),
    ]
    for step, run in steps:
        clock.advance(step)
        run()
    clock.set(now - timedelta(minutes=10))
    cold = svc.draft(
        desk,
        key=COLD_KEY,
        playbook_id="cold_wave",
        stage_id=_first_stage(svc, "cold_wave"),
        status="Actual",
        area=AreaSpec("city"),
    )
    svc.submit(desk, cold.id)
    return 2


def _first_stage(svc: WarningService, playbook_id: str) -> str:
    return svc.playbooks.stage_ids(playbook_id)[0]
