"""The department inbox in the real Chromium against a real ``smc serve``: a case that arrives
through the API shows up in the open page, counts and row, without a reload; with JavaScript
off the same page is plain HTML that shows it after a reload."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.demo import DEMO_PASSWORD
from domain import ids
from domain.ledger import Case
from tests.servers import SmcServer, token

pytestmark = pytest.mark.browser
LIVE_WITHIN_MS = 2500  # one poll period (1.5 s) plus the projection and a loaded machine


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login?next=/desk/inbox&lang=en")
    form = page.locator("form[action='/login']")
    form.locator("input[name=username]").fill("lee.lead")
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/desk/inbox"))


def _new_case(url: str, n: int) -> str:
    """A citizen's Open311 request, classified if triage left it unclassified: an open case."""
    form = {"service_code": "bus", "description": f"정류장 안내판 고장 {n}",
            "lat": "37.4979", "long": "127.0276"}  # fmt: skip
    r = httpx.post(f"{url}/open311/v2/requests.json", data=form, timeout=10)
    assert r.status_code in (200, 201), r.text
    sid = r.json()[0]["service_request_id"]
    cid = str(Case.create_id(str(ids.posting_id("open311", sid))))
    lee = token(url, "lee.lead", DEMO_PASSWORD)
    for _ in range(100):
        case = httpx.get(f"{url}/api/cases/{cid}", headers=lee, timeout=10)
        if case.status_code == 200:
            break
        time.sleep(0.05)
    assert case.status_code == 200, case.text
    if case.json()["state"] == "received":
        body = {"request_class": "simple"}
        r = httpx.post(f"{url}/api/cases/{cid}/classify", json=body, headers=lee, timeout=10)
        assert r.status_code == 200, r.text
    return cid


def _open_count(page: Page) -> int:
    return int(page.locator("#count-open").text_content() or "0")


def test_new_case_appears_in_the_open_inbox_without_reload(
    page: Page, smc_server: SmcServer, artifacts: Path
) -> None:
    _sign_in(page, smc_server.url)
    page.evaluate("window.__notReloaded = true")
    before = _open_count(page)
    started = time.monotonic()
    cid = _new_case(smc_server.url, 1)
    row = page.locator(f"#inbox tr[data-case='{cid}']")
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    seen_s = time.monotonic() - started
    expect(page.locator("#count-open")).to_have_text(str(before + 1))
    expect(row).to_have_class(re.compile("fresh"))
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=str(artifacts / "desk-inbox-live.png"), full_page=True)
    print(f"new case in the open inbox after {seen_s * 1000:.0f} ms")

    page.locator("#inbox input[name=case_ids]").first.check()  # a bulk selection is kept:
    cid = _new_case(smc_server.url, 2)  # only the notice, and the counts, change
    expect(page.locator("#live-banner")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(page.locator(f"#inbox tr[data-case='{cid}']")).to_have_count(0)
    expect(page.locator("#inbox input[name=case_ids]:checked")).to_have_count(1)


def test_inbox_without_javascript_is_plain_html(browser: Browser, smc_server: SmcServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in(page, smc_server.url)
        before = _open_count(page)
        cid = _new_case(smc_server.url, 3)
        page.wait_for_timeout(2000)
        expect(page.locator(f"#inbox tr[data-case='{cid}']")).to_have_count(0)
        expect(page.locator("#live-banner")).to_be_hidden()
        page.reload()
        expect(page.locator(f"#inbox tr[data-case='{cid}']")).to_be_visible()
        assert _open_count(page) == before + 1
    finally:
        context.close()


def test_case_page_says_when_someone_else_acted(page: Page, smc_server: SmcServer) -> None:
    _sign_in(page, smc_server.url)
    cid = _new_case(smc_server.url, 4)
    page.goto(f"{smc_server.url}/desk/cases/{cid}?lang=en")
    page.locator("textarea").first.fill("half-written reply")
    expect(page.locator("#live-banner")).to_be_hidden()
    kim = token(smc_server.url, "kim.official", DEMO_PASSWORD)
    for command, body in (("assign", {"unit": "department:BUS", "reason": "test"}),
                          ("designate", {"official": "kim.official"})):  # fmt: skip
        r = httpx.post(f"{smc_server.url}/api/cases/{cid}/{command}", json=body, headers=kim)
        if r.status_code == 200:
            break
    assert r.status_code == 200, r.text
    expect(page.locator("#live-banner")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(page.locator("textarea").first).to_have_value("half-written reply")
