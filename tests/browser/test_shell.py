"""The web shell in a real browser: Korean and English home page, sign-in, admin, sign-out.

The same sign-in and admin form are also driven with JavaScript disabled: every page must
work as plain HTML forms.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from api.demo import DEMO_PASSWORD
from tests.servers import SmcServer

pytestmark = pytest.mark.browser


def _sign_in_as_admin(page: Page, url: str) -> None:
    page.goto(f"{url}/login?next=/admin&lang=en")
    form = page.locator("form[action='/login']")
    form.locator("input[name=username]").fill("admin")
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin(\?|$)"))
    expect(page.locator("h1")).to_have_text("Admin")


def _add_user(page: Page, username: str, display_name: str) -> None:
    form = page.locator("form[action='/admin/users']")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=display_name]").fill(display_name)
    form.locator("select[name=role]").select_option("official")
    form.locator("input[name=password]").fill("a-long-browser-password")
    form.locator("button[type=submit]").click()
    expect(page.locator("p.notice")).to_have_text(f"added {username}")
    row = page.locator(
        "tr", has=page.locator("td", has_text=re.compile(f"^{re.escape(username)}$"))
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text(display_name)


def _sign_out(page: Page) -> None:
    page.locator("form[action='/logout'] button[type=submit]").click()
    expect(page.locator("header a[href='/login']")).to_be_visible()
    expect(page.locator("header a[href='/admin']")).to_have_count(0)


def test_home_in_korean_then_english(
    browser: Browser, smc_server: SmcServer, artifacts: Path
) -> None:
    context = browser.new_context(locale="ko-KR", extra_http_headers={"Accept-Language": "ko-KR"})
    try:
        page = context.new_page()
        page.goto(f"{smc_server.url}/")
        expect(page.locator("html")).to_have_attribute("lang", "ko")
        expect(page.locator("h1")).to_have_text("서울시 소셜미디어센터")
        expect(page.locator("#count-districts")).to_have_text("25")
        expect(page.get_by_text("강남구", exact=True)).to_be_visible()
        page.screenshot(path=artifacts / "shell-home-ko.png", full_page=True)

        page.locator("header a[hreflang=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_text("Gangnam-gu", exact=True)).to_be_visible()
        expect(page.locator("#count-districts")).to_have_text("25")
        page.screenshot(path=artifacts / "shell-home-en.png", full_page=True)
    finally:
        context.close()


def test_admin_signs_in_adds_a_user_and_signs_out(
    page: Page, smc_server: SmcServer, artifacts: Path
) -> None:
    _sign_in_as_admin(page, smc_server.url)
    _add_user(page, "browser.kim", "김브라우저")
    page.screenshot(path=artifacts / "shell-admin-user-added.png", full_page=True)
    _sign_out(page)
    page.goto(f"{smc_server.url}/admin")  # signed out: the page sends us to sign in again
    expect(page).to_have_url(re.compile(r"/login\?next=/admin$"))


def test_sign_in_and_admin_form_work_without_javascript(
    browser: Browser, smc_server: SmcServer, artifacts: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in_as_admin(page, smc_server.url)
        _add_user(page, "nojs.lee", "이자바없음")
        page.screenshot(path=artifacts / "shell-admin-no-js.png", full_page=True)
        _sign_out(page)
    finally:
        context.close()
