"""LIFELINE in the real Chromium against a real ``smc serve``: live counters and warning areas
without a reload, and the same figures after a dropped and resumed WebSocket."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.demo import DEMO_PASSWORD
from tests.servers import SmcServer, token

pytestmark = pytest.mark.browser
GWANAK, DONGJAK = "11620", "11590"
LIVE_WITHIN_MS = 1000

FIGURES_JS = """() => {
  const norm = (el) => el ? el.textContent.replace(/\\s+/g, ' ').trim() : null;
  const totals = {};
  document.querySelectorAll('.total').forEach(b => {
    totals[b.dataset.field] = norm(b.querySelector('p'));
  });
  const districts = {};
  document.querySelectorAll('#districts tbody tr').forEach(tr => {
    districts[tr.dataset.district] = [...tr.querySelectorAll('td[data-field]')].map(norm);
  });
  return {totals, districts, mix: norm(document.getElementById('mix')),
          asOf: norm(document.getElementById('as-of')),
          timeline: document.querySelectorAll('#timeline li').length,
          warnings: [...document.querySelectorAll('#warnings li[data-warning-id]')]
                      .map(li => li.dataset.warningId + ':' + li.dataset.stage)};
}"""


class Desk:
    def __init__(self, url: str) -> None:
        self.url = url
        self.desk = token(url, "park.desk", DEMO_PASSWORD)
        self.approver = token(url, "choi.approver", DEMO_PASSWORD)
        self.position = 0

    def post(self, path: str, body: Any = None, who: dict[str, str] | None = None) -> Any:
        r = httpx.post(f"{self.url}{path}", json=body, headers=who or self.desk, timeout=10)
        assert r.status_code in (200, 201), r.text
        self.position = max(self.position, int(r.json()["position"]))
        return r.json()

    def open(self) -> str:
        body = {"key": secrets.token_hex(8), "playbook_id": "heavy_rain",
                "title_ko": "관악구 집중호우", "title_en": "Gwanak heavy rain",
                "districts": [GWANAK, DONGJAK]}  # fmt: skip
        return str(self.post("/api/lifeline/incidents", body)["id"])

    def casualty(self, iid: str, district: str, **figures: int) -> None:
        body = {"district": district, "figures": figures, "source": "fire", "verified": True}
        self.post(f"/api/lifeline/incidents/{iid}/casualties", body)

    def warning(self) -> str:
        body = {"playbook_id": "heavy_rain", "stage_id": "advisory", "status": "Actual",
                "area": {"kind": "districts", "districts": [GWANAK]}}  # fmt: skip
        wid = str(self.post("/api/warnings", body)["id"])
        self.post(f"/api/warnings/{wid}/submit")
        self.post(f"/api/warnings/{wid}/approve", who=self.approver)
        return wid

    def settle(self, iid: str) -> None:
        r = httpx.get(f"{self.url}/api/lifeline/incidents/{iid}?after={self.position}")
        assert r.status_code == 200


def _open_page(page: Page, url: str, iid: str) -> None:
    page.goto(f"{url}/lifeline?incident={iid}&lang=en")
    expect(page.locator("#live-state")).to_have_text("live")


def _value(page: Page, field: str) -> int:
    return int((page.locator(f"#total-{field} .value").text_content() or "0").replace(",", ""))


def test_counter_and_warning_area_change_live_without_reload(
    page: Page, smc_server: SmcServer, artifacts: Path
) -> None:
    desk = Desk(smc_server.url)
    iid = desk.open()
    wid = desk.warning()
    desk.settle(iid)
    _open_page(page, smc_server.url, iid)
    page.evaluate("window.__notReloaded = true")
    item = page.locator(f"#warnings li[data-warning-id='{wid}']")
    expect(item).to_have_attribute("data-stage", "advisory")
    expect(page.locator("path.warning-area.stage-advisory").first).to_be_attached()
    dead = _value(page, "dead")

    started = time.monotonic()
    desk.casualty(iid, GWANAK, dead=3, injured=2)
    expect(page.locator("#total-dead .value")).to_have_text(str(dead + 3), timeout=LIVE_WITHIN_MS)
    counter_s = time.monotonic() - started

    started = time.monotonic()
    desk.post(f"/api/warnings/{wid}/escalate")
    expect(item).to_have_attribute("data-stage", "warning", timeout=LIVE_WITHIN_MS)
    expect(page.locator("path.warning-area.stage-warning").first).to_be_attached(
        timeout=LIVE_WITHIN_MS
    )
    area_s = time.monotonic() - started
    expect(page.locator("path.warning-area.stage-advisory")).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True
    assert page.evaluate("window.smcLifeline.stats.snapshots") == 0  # deltas only
    page.screenshot(path=str(artifacts / "lifeline-live.png"), full_page=True)
    print(f"live counter {counter_s * 1000:.0f} ms, warning area {area_s * 1000:.0f} ms")


def test_dropped_websocket_resumes_and_matches_a_fresh_load(
    browser: Browser, page: Page, smc_server: SmcServer, artifacts: Path
) -> None:
    desk = Desk(smc_server.url)
    iid = desk.open()
    desk.casualty(iid, GWANAK, dead=1)
    desk.settle(iid)
    _open_page(page, smc_server.url, iid)
    page.evaluate("window.smcLifeline.drop(1500)")
    expect(page.locator("#live-state")).to_have_text("reconnecting…")
    desk.casualty(iid, DONGJAK, injured=4, evacuated=30)
    desk.casualty(iid, GWANAK, missing=2)
    desk.post(
        f"/api/lifeline/incidents/{iid}/damage",
        {"district": DONGJAK, "figures": {"houses_flooded": 12}, "source": "official",
         "verified": True, "location": [126.95, 37.5]},
    )  # fmt: skip
    desk.settle(iid)
    expect(page.locator("#live-state")).to_have_text("live", timeout=5000)
    expect(page.locator("#total-evacuated .value")).to_have_text("30")
    assert page.evaluate("window.smcLifeline.stats.connects") == 2
    assert page.evaluate("window.smcLifeline.stats.snapshots") == 0  # it got what it missed
    fresh = browser.new_page()
    try:
        _open_page(fresh, smc_server.url, iid)
        assert page.evaluate(FIGURES_JS) == fresh.evaluate(FIGURES_JS)
        assert page.evaluate("window.smcLifeline.position()") == fresh.evaluate(
            "window.smcLifeline.position()"
        )
        fresh.screenshot(path=str(artifacts / "lifeline-fresh.png"), full_page=True)
    finally:
        fresh.close()


def test_a_shelter_appears_live_as_its_own_marker_with_a_popup(
    page: Page, smc_server: SmcServer, artifacts: Path
) -> None:
    desk = Desk(smc_server.url)
    iid = desk.open()
    desk.settle(iid)
    _open_page(page, smc_server.url, iid)
    expect(page.locator("#shelters li.none")).to_have_count(1)
    body = {"name_ko": "신림초등학교 체육관", "name_en": "Sillim Elementary School gym",
            "address": "관악구 신림로 246", "lon": 126.9297, "lat": 37.4846,
            "district": GWANAK, "capacity": 200, "occupancy": 80}  # fmt: skip
    sid = desk.post(f"/api/lifeline/incidents/{iid}/shelters", body)["id"]
    item = page.locator(f"#shelters li[data-shelter-id='{sid}']")
    expect(item).to_contain_text("80 / 200", timeout=LIVE_WITHIN_MS)
    marker = page.locator(".shelter-marker.open")
    expect(marker).to_have_count(1)
    expect(page.locator(".report-cluster")).to_have_count(0)  # not a report pin
    desk.post(f"/api/lifeline/incidents/{iid}/shelters/{sid}", {"occupancy": 200, "status": "full"})
    expect(item).to_have_attribute("data-status", "full", timeout=LIVE_WITHIN_MS)
    page.locator(".shelter-marker.full").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Sillim Elementary School gym")
    expect(popup).to_contain_text("full · occupancy 200 / 200")
    page.screenshot(path=str(artifacts / "lifeline-shelter.png"), full_page=True)
