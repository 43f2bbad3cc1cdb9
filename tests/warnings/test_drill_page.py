"""The desk starts drills from its page: a bundled or uploaded script is replayed in the
background as exercise postings (progress shown, stoppable), optionally with an exercise
incident watching the drill's hashtag; the drill's warning is drafted with status Exercise."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.directory import Role
from domain.incidents import Incident
from projections.intake import IntakeProjection
from tests.helpers import PASSWORD, add_user, user_with_role

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SNOW = "#서울제설훈련"


@pytest.fixture
def desk(client: TestClient, container: Container) -> str:
    """Signed in with a cookie as a desk officer; returns the page's CSRF token."""
    add_user(container, "desk.drill", Role.DESK)
    client.cookies.clear()
    token = CSRF.search(client.get("/login").text)
    assert token
    data = {"username": "desk.drill", "password": PASSWORD, "csrf_token": token.group(1)}
    client.post("/login", data=data, follow_redirects=False)
    csrf = CSRF.search(client.get("/desk/drills").text)
    assert csrf
    return csrf.group(1)


def wait_for(client: TestClient, run_id: str, state: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page = str(client.get("/desk/drills").text)
        if f'id="run-{run_id}" class="drill-{state}' in page:
            return page
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} never became {state}: {page}")


def start(client: TestClient, data: dict[str, Any], files: Any = None) -> Any:
    return client.post("/desk/drills", data=data, files=files, follow_redirects=False)


def run_of(response: Any) -> str:
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).split("run=")[1].split("#")[0]


def test_the_desk_replays_a_bundled_script_with_an_exercise_incident(
    client: TestClient, container: Container, desk: str
) -> None:
    page = client.get("/desk/drills").text
    assert "snow_removal_2011" in page and 'id="drill-form"' in page
    assert 'href="/desk/warnings/new?status=Exercise"' in page
    form = {"csrf_token": desk, "script": "snow_removal_2011", "speed": "1000"}
    rid = run_of(start(client, {**form, "incident": "heavy_snow"}))
    done = wait_for(client, rid, "finished")
    assert "7/7" in done
    container.views.wait(container.store.head(), timeout=60)
    intake = container.views.get(IntakeProjection)
    assert len(intake.postings(hashtag=SNOW, exercise=True)) == 7
    assert intake.postings(hashtag=SNOW) == []  # real views never show drill postings
    run = client.app.state.drill_runs.get(rid)  # type: ignore[attr-defined]
    incident = container.store.load(UUID(run.incident_id), Incident, "incident")
    assert incident.status == "Exercise" and SNOW in incident.hashtags


def test_an_uploaded_script_runs_and_can_be_stopped(
    client: TestClient, container: Container, desk: str
) -> None:
    script = {"hashtag": "#훈련업로드", "postings": [
        {"after_seconds": 0, "text": "첫 게시물"},
        {"after_seconds": 3600, "text": "한 시간 뒤 게시물"},
    ]}  # fmt: skip
    raw = json.dumps(script, ensure_ascii=False).encode()
    files = {"script_file": ("mine.json", raw, "application/json")}
    rid = run_of(start(client, {"csrf_token": desk, "speed": "1"}, files))
    running = wait_for(client, rid, "running")
    assert '<meta http-equiv="refresh"' in running and "mine.json" in running
    deadline = time.monotonic() + 10
    while "1/2" not in client.get("/desk/drills").text and time.monotonic() < deadline:
        time.sleep(0.05)
    stopped = client.post(f"/desk/drills/{rid}/stop", data={"csrf_token": desk})
    assert stopped.status_code == 200
    page = wait_for(client, rid, "stopped")
    assert "1/2" in page


def test_bad_scripts_and_speeds_are_refused_with_a_message(
    client: TestClient, container: Container, desk: str
) -> None:
    files = {"script_file": ("bad.json", b"{not json", "application/json")}
    bad = start(client, {"csrf_token": desk}, files)
    assert bad.status_code == 422 and "not JSON" in bad.text
    slow = start(client, {"csrf_token": desk, "script": "snow_removal_2011", "speed": "0"})
    assert slow.status_code == 422 and "speed" in slow.text
    none = start(client, {"csrf_token": desk, "script": "nope"})
    assert none.status_code == 422 and 'id="drill-error"' in none.text
    no_csrf = start(client, {"script": "snow_removal_2011"})
    assert no_csrf.status_code == 403


def test_other_roles_read_the_page_but_cannot_start(
    client: TestClient, container: Container
) -> None:
    approver = user_with_role(client, container, Role.APPROVER)
    page = client.get("/desk/drills", headers=approver)
    assert page.status_code == 200 and 'id="drill-form"' not in page.text
    refused = client.post("/desk/drills", data={"script": "x"}, headers=approver)
    assert refused.status_code == 403
    official = user_with_role(client, container, Role.OFFICIAL)
    assert client.get("/desk/drills", headers=official).status_code == 403
    desk = user_with_role(client, container, Role.DESK)
    form = client.get("/desk/warnings/new?status=Exercise", headers=desk).text
    assert '<option value="Exercise" selected>' in form
