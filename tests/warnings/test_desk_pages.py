"""The disaster desk's pages work as plain HTML forms, in Korean and English.

Draft from a playbook (texts rendered, then edited) -> submit -> approve by another person ->
escalate -> all-clear -> cancel, with buttons only for the allowed roles and states; then the
same in a real Chromium as the demo users park.desk and choi.approver.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from api.bootstrap import Container
from api.demo import DEMO_PASSWORD
from api.pages_warnings import allowed_actions
from api.security import Principal
from domain.directory import Role
from tests import helpers
from tests.browser.conftest import artifacts, browser_type_launch_args, smc_server  # noqa: F401
from tests.helpers import PASSWORD, add_user
from tests.servers import SmcServer
from tests.shared_data import shared

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    return helpers.sign_in(client, username, "/desk/warnings", password)


@pytest.fixture
def people(container: Container) -> Container:
    add_user(container, "desk.kim", Role.DESK)
    add_user(container, "appr.lee", Role.APPROVER)
    return container


def _form(csrf: str, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": csrf,
        "key": "desk-page-test-0001",
        "playbook_id": "heavy_rain",
        "stage_id": "advisory",
        "status": "Actual",
        "area_kind": "districts",
        "districts": ["11650", "11680"],
    }
    data.update(over)
    return data


def _texts(page: str) -> dict[str, str]:
    found = re.findall(r'<textarea name="((?:ko|en)_\w+)"[^>]*>([^<]*)</textarea>', page)
    return {name: text.replace("&#34;", '"').replace("&#39;", "'") for name, text in found}


def _buttons(page: str) -> set[str]:
    return set(re.findall(r'id="action-([\w-]+)"', page))


def _draft(client: TestClient, csrf: str) -> str:
    rendered = client.post("/desk/warnings/new", data=_form(csrf))
    assert rendered.status_code == 200, rendered.text
    texts = _texts(rendered.text)
    assert "서초구, 강남구" in texts["ko_headline"] and "Gangnam-gu" in texts["en_headline"]
    texts["ko_headline"] = "[서초·강남] 호우주의보 — 편집됨"
    saved = client.post("/desk/warnings", data={**_form(csrf), **texts})
    assert saved.status_code == 200 and "초안을 저장했습니다" in saved.text, saved.text
    assert "[서초·강남] 호우주의보 — 편집됨" in saved.text
    found = re.search(r"/desk/warnings/([0-9a-f-]{36})", str(saved.url))
    assert found
    return found.group(1)


def test_new_warning_form_renders_the_playbook_texts(client: TestClient, people: Container) -> None:
    sign_in(client, "desk.kim")
    page = client.get("/desk/warnings/new?lang=ko")
    assert page.status_code == 200
    texts = _texts(page.text)
    assert "서울특별시 전역" in texts["ko_headline"] and "All of Seoul" in texts["en_headline"]
    assert "지하차도" in texts["ko_instruction"] or texts["ko_instruction"]
    assert page.text.count('name="districts"') == 25
    english = client.get("/desk/warnings/new?lang=en&playbook=heavy_snow")
    assert "Render texts" in english.text and "Save draft" in english.text
    assert 'value="heavy_snow" selected' in english.text


def test_desk_drafts_another_person_approves_then_the_lifecycle(
    client: TestClient, people: Container
) -> None:
    csrf = sign_in(client, "desk.kim")
    wid = _draft(client, csrf)
    url = f"/desk/warnings/{wid}"
    assert _buttons(client.get(url).text) == {"submit"}
    submitted = client.post(f"{url}/submit", data={"csrf_token": csrf})
    assert "승인을 요청했습니다" in submitted.text and _buttons(submitted.text) == set()
    assert client.post(f"{url}/approve", data={"csrf_token": csrf}).status_code == 403
    assert client.post(f"{url}/submit", data={}).status_code == 403  # no CSRF token

    csrf = sign_in(client, "appr.lee")
    assert _buttons(client.get(url).text) == {"approve", "reject"}
    issued = client.post(f"{url}/approve", data={"csrf_token": csrf})
    assert "승인되어 발령했습니다" in issued.text
    assert _buttons(issued.text) == {"escalate", "deescalate", "all-clear", "cancel"}
    assert 'href="/cap/feed.atom"' in issued.text and "delivery-" in issued.text
    escalated = client.post(f"{url}/escalate", data={"csrf_token": csrf})
    assert _buttons(escalated.text) == {"deescalate", "all-clear", "cancel"}  # at the top stage
    for step, reason in (("all-clear", ""), ("cancel", "예보 변경")):
        page = client.post(f"{url}/{step}", data={"csrf_token": csrf, "reason": reason})
        assert page.status_code == 200 and 'role="status"' in page.text
    final = client.get(f"{url}?lang=en")
    assert 'id="warning-state">cancelled<' in final.text and _buttons(final.text) == set()
    caps = re.findall(r'class="cap-link" href="/cap/([^"]+)\.xml"', final.text)
    assert len(caps) == 4
    for ident in caps:
        assert client.get(f"/cap/{ident}.xml").status_code == 200
    refs = re.findall(r'<td class="refs">(.*?)</td>', final.text)
    assert [r.count("<a ") for r in refs] == [0, 1, 2, 3]
    listing = client.get("/desk/warnings?lang=en")
    assert wid in listing.text.split('id="warnings-recent"')[1].split("</section>")[0]


def test_reject_with_reason_returns_the_draft(client: TestClient, people: Container) -> None:
    csrf = sign_in(client, "desk.kim")
    wid = _draft(client, csrf)
    client.post(f"/desk/warnings/{wid}/submit", data={"csrf_token": csrf})
    csrf = sign_in(client, "appr.lee")
    listing = client.get("/desk/warnings")
    assert wid in listing.text.split('id="warnings-awaiting"')[1].split("</section>")[0]
    page = client.post(
        f"/desk/warnings/{wid}/reject", data={"csrf_token": csrf, "reason": "구역 오류"}
    )
    assert 'id="reject-reason">반려 사유: 구역 오류' in page.text
    assert 'id="warning-state">초안<' in page.text and 'id="edit-form"' not in page.text
    csrf = sign_in(client, "desk.kim")
    page = client.get(f"/desk/warnings/{wid}")
    texts = _texts(page.text.split('id="edit-form"')[1])
    texts["en_headline"] = "Heavy rain advisory — Seocho-gu only"
    edited = client.post(f"/desk/warnings/{wid}/edit", data={"csrf_token": csrf, **texts})
    assert "문안을 고쳤습니다" in edited.text and "Seocho-gu only" in edited.text
    again = client.post(f"/desk/warnings/{wid}/submit", data={"csrf_token": csrf})
    assert 'id="warning-state">승인 대기<' in again.text
    assert 'id="drafter">desk.kim (desk.kim)<' in again.text


def test_polygon_circle_and_a_bad_area_keep_what_was_typed(
    client: TestClient, people: Container
) -> None:
    csrf = sign_in(client, "desk.kim")
    ring = [[126.97, 37.56], [126.99, 37.56], [126.99, 37.58], [126.97, 37.58], [126.97, 37.56]]
    geojson = json.dumps(
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    )
    poly = client.post("/desk/warnings/new", data=_form(csrf, area_kind="polygon", polygon=geojson))
    assert "지정 구역" in _texts(poly.text)["ko_headline"]
    circle = _form(csrf, area_kind="circle", circle="37.4979, 127.0276, 2", key="circle-0001")
    rendered = _texts(client.post("/desk/warnings/new", data=circle).text)
    saved = client.post("/desk/warnings", data={**circle, **rendered})
    assert "반경 2km 구역" in saved.text and "/desk/warnings/" in str(saved.url)
    bad = _form(csrf, area_kind="polygon", polygon="not json", ko_headline="내가 쓴 제목")
    refused = client.post("/desk/warnings", data=bad)
    assert refused.status_code == 422 and 'id="form-error"' in refused.text
    assert "내가 쓴 제목" in refused.text and "not json" in refused.text
    assert client.post("/desk/warnings", data=_form(csrf, status="Bogus")).status_code == 422


def test_external_cap_imports_show_on_the_desk(client: TestClient, people: Container) -> None:
    from api.routes.cap import import_cap

    path = sorted(shared("cap", "valid").glob("*.xml"))[0]
    outcome, _ = import_cap(people, "system:test", path.read_bytes())
    people.views.wait(outcome.position, ["warnings"], timeout=60)
    sign_in(client, "appr.lee")
    listing = client.get("/desk/warnings")
    section = listing.text.split('id="warnings-external"')[1]
    assert "nothing" not in section and section.count("<tr>") >= 2


def test_buttons_follow_role_state_and_the_two_person_rule() -> None:
    from uuid import uuid4

    uid = uuid4()
    drafter = Principal(Role.APPROVER, user_id=uid)
    other = Principal(Role.APPROVER, user_id=uuid4())
    w = {"state": "submitted", "drafter": f"user:{uid}"}
    assert allowed_actions(drafter, w) == []
    assert allowed_actions(other, w) == ["approve", "reject"]
    assert allowed_actions(Principal(Role.AUDITOR, user_id=uid), {**w, "state": "issued"}) == []


# -- a real browser ----------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_park_drafts_and_choi_approves(
    browser: Browser,
    smc_server: SmcServer,  # noqa: F811 - the browser tests' server with the demo data
    artifacts: Path,  # noqa: F811
) -> None:
    def sign_in_page(page: Page, user: str) -> None:
        page.goto(f"{smc_server.url}/login?next=/desk/warnings&lang=ko")
        form = page.locator("form[action='/login']")
        form.locator("input[name=username]").fill(user)
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        form.locator("button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("경보 상황판")

    context = browser.new_context(locale="ko-KR")
    try:
        page = context.new_page()
        sign_in_page(page, "park.desk")
        page.locator("#new-warning").click()
        page.locator("input[name=area_kind][value=districts]").check()
        page.locator("input[name=districts][value='11620']").check()
        page.locator("#render-texts").click()
        expect(page.locator("textarea[name=ko_headline]")).to_contain_text("관악구")
        page.locator("textarea[name=ko_headline]").fill("[관악구] 호우주의보 — 브라우저 시험")
        page.screenshot(path=artifacts / "warnings-desk-draft-form.png", full_page=True)
        page.locator("#save-draft").click()
        expect(page.locator("#warning-headline")).to_have_text(
            "[관악구] 호우주의보 — 브라우저 시험"
        )
        page.locator("#action-submit").click()
        expect(page.locator("#warning-state")).to_have_text("승인 대기")
        expect(page.locator("#action-approve")).to_have_count(0)
        detail = page.url.split("?")[0]
        page.locator("form[action='/logout'] button").click()

        sign_in_page(page, "choi.approver")
        page.goto(detail)
        page.locator("#action-approve").click()
        expect(page.locator("#warning-state")).to_have_text("발령")
        expect(page.locator("#messages a[href^='/cap/']").first).to_be_visible()
        expect(page.locator("#deliveries tr.delivery-delivered")).to_have_count(1, timeout=15_000)
        expect(page.locator("#deliveries tr.delivery-requested")).to_have_count(0)
        page.screenshot(path=artifacts / "warnings-desk-approved.png", full_page=True)
    finally:
        context.close()


def test_demo_history_shows_on_the_desk_and_in_the_cap_feed(
    client: TestClient, container: Container
) -> None:
    from api.demo import load_demo
    from projections.deliveries import DeliveriesProjection
    from projections.warnings import WarningsProjection

    load_demo(container)
    container.views.wait(container.store.head(), timeout=60)
    sign_in(client, "choi.approver", DEMO_PASSWORD)
    listing = client.get("/desk/warnings?lang=ko").text
    active = listing.split('id="warnings-active"')[1].split("</section>")[0]
    awaiting = listing.split('id="warnings-awaiting"')[1].split("</section>")[0]
    assert "(1)" in active and "호우특보 해제" in active and "(1)" in awaiting
    wid = re.search(r'href="/desk/warnings/([0-9a-f-]{36})"', active)
    assert wid
    detail = client.get(f"/desk/warnings/{wid.group(1)}").text
    assert detail.count('class="cap-link"') == 3  # Alert, Update (escalate), Update (all clear)
    feed = client.get("/cap/feed.atom").text
    assert feed.count("<entry>") == 1 and "호우특보 해제" in feed
    targets = {
        r["target"] for r in container.views.get(DeliveriesProjection).for_warning(wid.group(1))
    }
    assert targets == {"feed"}  # demo data is never posted to an account
    head = container.store.head()
    load_demo(container, force=True)  # loading again adds no warning
    container.views.wait(container.store.head(), timeout=60)
    assert len(container.views.get(WarningsProjection).warnings()) == 2
    assert container.store.head() - head < 5
