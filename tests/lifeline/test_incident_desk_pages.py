"""The incident desk pages (plain HTML forms, no JavaScript): suggestions accepted with one
click open the incident and a submitted warning; casualty updates change the figures; bad
form values come back as a message and record nothing; reports, shelters, closing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api import pages_incident
from api.bootstrap import Container
from domain.clock import FixedClock
from domain.context import Cause
from domain.directory import Role
from domain.postings import IncomingPosting
from tests.helpers import add_user, sign_in, user_with_role
from tests.lifeline.helpers import GWANAK, DeskApi

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="key" value="([\w-]+)"')
PAGE = "/desk/incidents"


def _sign_in(client: TestClient, container: Container, username: str, role: Role) -> str:
    add_user(container, username, role)
    return sign_in(client, username)


def _post(client: TestClient, url: str, csrf: str, **data: str) -> Response:
    sent: Response = client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return sent


def _follow(client: TestClient, sent: Response) -> str:
    page = client.get(sent.headers["location"])
    assert page.status_code == 200, page.text
    text: str = page.text
    return text


def _postings(container: Container, clock: FixedClock, n: int, tag: str = "#서울호우") -> None:
    now = clock.now()
    items = [
        IncomingPosting(
            channel="x",
            source_id=f"desk-{tag}-{i}",
            text=f"신림역 앞 도로 침수 심각 {i}",
            created_at=now - timedelta(minutes=10 - i),
            lon=126.929 + i * 0.0005,
            lat=37.484,
            hashtags=(tag,),
        )
        for i in range(n)
    ]
    container.intake.ingest(Cause("system:test"), items)


def _open(client: TestClient, csrf: str, **over: str) -> tuple[str, str]:
    """Open an incident through the page's form; returns its id and its page's text."""
    form = client.get(f"{PAGE}?lang=en").text
    key = KEY.search(form)
    assert key
    data = {"key": key.group(1), "playbook_id": "heavy_rain", "title_ko": "7월 집중호우"}
    data.update(title_en="July heavy rain", districts=GWANAK, hashtags="#서울호우", **over)
    sent = _post(client, PAGE, csrf, **data)
    found = re.search(r"/desk/incidents/([0-9a-f-]{36})\?", sent.headers["location"])
    assert found, sent.headers["location"]
    return found.group(1), _follow(client, sent)


def _total(page: str, field: str) -> str:
    """The total cell's text, e.g. "3" or "0 +40 unverified"."""
    found = re.search(rf'id="total-{field}">(.*?)</td>', page)
    assert found, field
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_pages_for_desk_and_admin_only(client: TestClient, container: Container) -> None:
    iid = DeskApi(client, container).open()
    for role in (Role.OFFICIAL, Role.APPROVER, Role.AUDITOR):
        headers = user_with_role(client, container, role)
        assert client.get(PAGE, headers=headers).status_code == 403
        assert client.get(f"{PAGE}/{iid}", headers=headers).status_code == 403
    client.cookies.clear()
    assert client.get(PAGE).status_code == 401
    _sign_in(client, container, "desk.admin", Role.ADMIN)
    page = client.get(PAGE).text
    assert 'href="/desk/incidents"' in page and "July heavy rain" in page
    assert "Only the desk can open it" not in page  # no suggestion yet
    csrf = _sign_in(client, container, "desk.one", Role.DESK)
    page = client.get(f"{PAGE}?lang=ko").text
    assert "사고 대응 데스크" in page and 'name="playbook_id"' in page and "관악구" in page
    detail = client.get(f"{PAGE}/{iid}").text
    assert "사상자" in detail or "인명 피해" in detail
    assert f'href="/lifeline?incident={iid}"' in detail
    assert csrf


def _scanned(client: TestClient, container: Container, clock: FixedClock) -> tuple[str, str]:
    """A desk officer signed in, six flood reports from one district, the scan page after."""
    csrf = _sign_in(client, container, "desk.one", Role.DESK)
    _postings(container, clock, 6)
    return csrf, _follow(client, _post(client, f"{PAGE}/scan", csrf))


def test_accepting_a_suggestion_opens_the_incident_and_a_submitted_warning(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    csrf, scanned = _scanned(client, container, clock)
    assert "New possible incidents were found." in scanned
    accept = re.search(r'action="(/desk/incidents/suggestions/[0-9a-f-]{36}/accept)"', scanned)
    assert accept and "Flooding" in scanned and "Gwanak-gu" in scanned
    sent = _post(client, accept.group(1), csrf)
    warning = re.search(r"^/desk/warnings/([0-9a-f-]{36})\?", sent.headers["location"])
    assert warning, sent.headers["location"]
    shown = _follow(client, sent)
    assert "Incident opened and reports linked" in shown
    after = sent.headers["location"].split("after=")[1]
    api = user_with_role(client, container, Role.DESK)
    w = client.get(f"/api/warnings/{warning.group(1)}?after={after}", headers=api).json()
    assert w["state"] == "submitted" and w["playbook_id"] == "urban_flooding"
    incidents = client.get(f"/api/lifeline/incidents?after={after}").json()
    assert len(incidents) == 1 and incidents[0]["districts"] == [GWANAK]
    detail = client.get(f"/api/lifeline/incidents/{incidents[0]['id']}").json()
    assert detail["reports"]["unverified"] == 6
    listed = client.get(f"{PAGE}?after={after}").text
    assert "No possible incident right now." in listed and incidents[0]["id"] in listed
    again = _follow(client, _post(client, f"{PAGE}/scan", csrf))
    assert "No new possible incident." in again


def test_a_dismissed_suggestion_leaves_the_list(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    csrf, scanned = _scanned(client, container, clock)
    dismiss = re.search(r'action="(/desk/incidents/suggestions/[0-9a-f-]{36}/dismiss)"', scanned)
    assert dismiss
    page = _follow(client, _post(client, dismiss.group(1), csrf, reason="burst main, no rain"))
    assert "Dismissed." in page and "No possible incident right now." in page
    api = user_with_role(client, container, Role.DESK)
    gone = client.get("/api/lifeline/suggestions?state=dismissed", headers=api).json()
    assert gone[0]["reason"] == "burst main, no rain"
    late = _follow(client, _post(client, dismiss.group(1).replace("dismiss", "accept"), csrf))
    assert "the suggestion was already dismissed" in late
    assert client.get("/api/lifeline/incidents").json() == []  # nothing was opened


def test_casualty_form_changes_the_figures_and_bad_values_record_nothing(
    client: TestClient, container: Container
) -> None:
    csrf = _sign_in(client, container, "desk.one", Role.DESK)
    iid, page = _open(client, csrf)
    assert "The incident is open." in page and _total(page, "dead") == "0"
    url = f"{PAGE}/{iid}/casualties"
    key = KEY.search(page)
    assert key
    good = {"district": GWANAK, "source": "police", "verified": "on", "dead": "3", "injured": ""}
    page = _follow(client, _post(client, url, csrf, key=key.group(1), **good))
    assert "Casualty update recorded." in page and _total(page, "dead") == "3"
    twice = _follow(client, _post(client, url, csrf, key=key.group(1), **good))
    assert "already recorded" in twice and _total(twice, "dead") == "3"
    for bad, why in (
        ({"dead": "-2"}, "from 0"),
        ({"dead": "two"}, "whole number"),
        ({"district": "99999"}, "unknown district"),
        ({"district": "Gwanak"}, "district"),
        ({"source": "rumour"}, "source"),
        ({"dead": ""}, "at least one"),
    ):
        shown = _follow(client, _post(client, url, csrf, **{**good, **bad}))
        assert why in shown and _total(shown, "dead") == "3", (bad, shown[-2000:])
    detail = client.get(f"/api/lifeline/incidents/{iid}").json()
    assert len(detail["updates"]) == 1
    first = detail["updates"][0]["id"]
    assert f'value="{first}"' in page  # offered as an update to supersede
    fixed = {**good, "dead": "2", "supersedes": first, "note": "one counted twice"}
    page = _follow(client, _post(client, url, csrf, **fixed))
    assert _total(page, "dead") == "2"
    damage = {"district": GWANAK, "source": "official", "houses_flooded": "40"}
    for bad, why in (({"lon": "126.95"}, "or neither"), ({"lon": "x", "lat": "37.4"}, "number")):
        shown = _follow(client, _post(client, f"{PAGE}/{iid}/damage", csrf, **damage, **bad))
        assert why in shown and "Damage update recorded." not in shown, (bad, shown[-2000:])
    where = {"lon": "126.9516", "lat": "37.4784"}
    page = _follow(client, _post(client, f"{PAGE}/{iid}/damage", csrf, **damage, **where))
    assert "Damage update recorded." in page
    assert _total(page, "houses_flooded") == "0 +40 unverified"
    updates = client.get(f"/api/lifeline/incidents/{iid}").json()["updates"]
    assert [u["location"] for u in updates if u["kind"] == "damage"] == [[126.9516, 37.4784]]


def test_reports_shelters_and_closing(
    client: TestClient, container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = _sign_in(client, container, "desk.one", Role.DESK)
    iid, page = _open(client, csrf, status="Exercise")
    assert "EXERCISE" in page
    _postings(container, clock, 2, tag="#서울호우")
    page = _follow(client, _post(client, f"{PAGE}/{iid}/autolink", csrf))
    assert "Reports with the incident&#39;s hashtags were linked." in page
    pids = re.findall(r'data-report="([^"]+)" data-state="unverified"', page)
    assert len(pids) == 2
    verify = f"{PAGE}/{iid}/reports/{pids[0]}/verify"
    row = page[page.index(f'action="{verify}"') :].split("</form>")[0]
    assert 'name="state" value="verified"' in row and 'name="state" value="false"' in row
    page = _follow(client, _post(client, verify, csrf, state="verified"))
    assert f'data-report="{pids[0]}" data-state="verified"' in page
    page = _follow(
        client, _post(client, f"{PAGE}/{iid}/reports/{pids[1]}/verify", csrf, state="false")
    )
    assert f'data-report="{pids[1]}" data-state="false"' in page
    bad = _follow(client, _post(client, verify, csrf, state="maybe"))
    assert "state" in bad and f'data-report="{pids[0]}" data-state="verified"' in bad

    shelter = {"name_ko": "신림초등학교", "name_en": "Sillim Elementary School",
               "address": "관악구 신림로 1", "district": GWANAK, "lat": "37.484",
               "lon": "126.929", "capacity": "200", "occupancy": "15"}  # fmt: skip
    page = _follow(client, _post(client, f"{PAGE}/{iid}/shelters", csrf, **shelter))
    assert "Shelter opened." in page and "15 / 200" in page
    sid = re.search(r'data-shelter="([0-9a-f-]{36})"', page)
    assert sid
    url = f"{PAGE}/{iid}/shelters/{sid.group(1)}"
    page = _follow(client, _post(client, url, csrf, occupancy="200", capacity="200", status="full"))
    assert "Shelter updated." in page and 'data-status="full"' in page and "200 / 200" in page
    page = _follow(client, _post(client, url, csrf, occupancy="999", capacity="200"))
    assert "200 / 200" in page and "Shelter updated." not in page

    page = _follow(client, _post(client, f"{PAGE}/{iid}/close", csrf, reason="rain stopped"))
    assert "The incident is closed; its figures are frozen." in page
    assert 'id="close-submit"' not in page and 'id="form-casualty"' not in page
    late = {"district": GWANAK, "source": "police", "dead": "1"}
    page = _follow(client, _post(client, f"{PAGE}/{iid}/casualties", csrf, **late))
    assert "closed" in page and _total(page, "dead") == "0"
    state = client.get(f"/api/lifeline/incidents/{iid}").json()
    assert state["state"] == "closed" and state["exercise"] is True
    assert "reports-cut" not in page
    monkeypatch.setattr(pages_incident, "REPORTS_SHOWN", 1)
    assert "Showing the first 1 of 2 reports." in client.get(f"{PAGE}/{iid}").text
