"""Server-rendered pages in Korean and English, sign-in with cookies, CSRF on forms."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def _sign_in(client: TestClient, username: str, password: str) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_home_in_korean_and_english(client: TestClient, container: Container) -> None:
    load_demo(container)
    container.views.wait(container.store.head())
    ko = client.get("/", headers={"accept-language": "ko-KR,ko;q=0.9"})
    assert ko.status_code == 200 and '<html lang="ko">' in ko.text
    assert "서울시 소셜미디어센터" in ko.text and "강남구" in ko.text
    assert 'id="count-districts">25<' in ko.text
    en = client.get("/?lang=en")
    assert '<html lang="en">' in en.text and "Gangnam-gu" in en.text
    assert client.cookies.get("smc_lang") == "en"
    assert '<html lang="en">' in client.get("/").text  # the choice sticks


def test_sign_in_admin_page_and_csrf(client: TestClient, container: Container) -> None:
    load_demo(container)
    assert client.get("/admin", follow_redirects=False).status_code in (303, 401)
    bad = client.post("/login", data={"username": "admin", "password": "wrong", "csrf_token": "x"})
    assert bad.status_code == 401
    _sign_in(client, "admin", DEMO_PASSWORD)
    page = client.get("/admin")
    assert page.status_code == 200 and "kim.official" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    form = {"username": "new.one", "role": "official", "password": "long-enough-pw"}
    refused = client.post("/admin/users", data=form)
    assert refused.status_code == 403 and "CSRF" in refused.text
    done = client.post("/admin/users", data={**form, "csrf_token": csrf.group(1)})
    assert done.status_code == 200 and "new.one" in done.text
    dup = client.post("/admin/users", data={**form, "csrf_token": csrf.group(1)})
    assert dup.status_code == 422 and "already exists" in dup.text


def test_official_cannot_open_admin(client: TestClient, container: Container) -> None:
    load_demo(container)
    _sign_in(client, "kim.official", DEMO_PASSWORD)
    page = client.get("/admin", headers={"accept": "text/html"})
    assert page.status_code == 403 and "admin" in page.text


def test_pages_escape_what_users_typed(client: TestClient, container: Container) -> None:
    from domain.context import Cause

    container.directory.register_department(
        Cause("system:test"), "XSS", "<script>alert(1)</script>", "x"
    )
    container.views.wait(container.store.head())
    html = client.get("/?lang=ko").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
