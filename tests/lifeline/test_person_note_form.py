"""Relatives' notes through the public HTML form: CSRF, awaiting moderation, approval on the
desk's moderation page, contact details never public, bad input and too many notes refused."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from api.bootstrap import Container
from domain.directory import Role
from tests.helpers import PASSWORD, add_user, user_with_role
from tests.lifeline.helpers import GWANAK, DeskApi

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="key" value="([0-9a-f]{32})"')
PRIVATE = ("신림로 123", "010-1234-5678", "010-5555-1234", "mom@example.com")
NOTE = {
    "status": "believed_alive",
    "text": "신림역 2번 출구 앞에서 오후 3시쯤 봤어요",
    "last_seen": "신림역",
    "author_name": "어머니",
    "phone": "010-5555-1234",
    "email": "mom@example.com",
}


def _person(desk: DeskApi, **incident: str) -> str:
    iid = desk.open(**incident)
    body = {
        "full_name": "이서연",
        "alternate_names": ["Lee Seo-yeon"],
        "home_district": GWANAK,
        "home_address": "신림로 123, 101호",
        "author_contact": {"phone": "010-1234-5678"},
    }
    pid = str(desk.post(f"/api/lifeline/incidents/{iid}/persons", body, 201)["id"])
    desk.container.views.wait(desk.position)
    return pid


def _form_tokens(client: TestClient, pid: str, query: str = "lang=en") -> dict[str, str]:
    page = client.get(f"/lifeline/persons/{pid}?{query}")
    assert page.status_code == 200, page.text
    csrf, key = CSRF.search(page.text), KEY.search(page.text)
    assert csrf and key
    return {"csrf_token": csrf.group(1), "key": key.group(1)}


def _send(client: TestClient, pid: str, **over: Any) -> Response:
    data = {**_form_tokens(client, pid), **NOTE, **over}
    url = f"/lifeline/persons/{pid}/notes?lang=en"
    sent: Response = client.post(url, data=data, follow_redirects=False)
    return sent


def _after(sent: Response) -> int:
    return int(sent.headers["location"].split("after=")[1].split("&")[0])


def _public_texts(client: TestClient, pid: str, after: int) -> str:
    client.cookies.clear()
    page = client.get(f"/lifeline/persons/{pid}?lang=en&after={after}").text
    found = client.get(f"/api/lifeline/persons?q=Yi Suhyeon&after={after}").json()
    listing = client.get("/lifeline/persons?q=이서연&lang=en").text
    return f"{page}{found}{listing}"


def _sign_in(client: TestClient, username: str) -> str:
    client.cookies.clear()
    token = CSRF.search(client.get("/login").text)
    assert token
    data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    page = client.get("/desk/persons/moderation?lang=en")
    assert page.status_code == 200, page.text
    csrf = CSRF.search(page.text)
    assert csrf
    return csrf.group(1)


def test_a_note_sent_through_the_form_is_public_only_after_approval(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    pid = _person(desk)
    sent = _send(client, pid)
    assert sent.status_code == 303, sent.text
    mine = client.get(sent.headers["location"] + "&lang=en")
    assert 'data-moderation="pending"' in mine.text and "awaiting review" in mine.text
    assert "2번 출구" not in mine.text  # not public yet, not even to the sender
    public = _public_texts(client, pid, desk.position)
    assert "2번 출구" not in public and "No reviewed notes yet" in public
    assert all(secret not in public for secret in PRIVATE)

    add_user(container, "desk.moderator", Role.DESK)
    csrf = _sign_in(client, "desk.moderator")
    queue = client.get("/desk/persons/moderation?lang=en").text
    assert "2번 출구" in queue and "010-5555-1234" in queue and "mom@example.com" in queue
    note_id = sent.headers["location"].split("note=")[1].split("&")[0]
    done = client.post(
        f"/desk/persons/{pid}/notes/{note_id}/moderate?lang=en",
        data={"csrf_token": csrf, "decision": "approved"},
    )
    assert done.status_code == 200 and "approved and is now public" in done.text
    assert "No note is waiting for review" in done.text
    after = int(done.url.params["after"])

    public = _public_texts(client, pid, after)
    assert "2번 출구" in public and "believed alive" in public and "신림역" in public
    assert all(secret not in public for secret in PRIVATE)
    sender = client.get(sent.headers["location"] + "&lang=en").text
    assert 'data-moderation="approved"' in sender


def test_the_same_form_sent_twice_makes_one_note(client: TestClient, container: Container) -> None:
    desk = DeskApi(client, container)
    pid = _person(desk)
    tokens = _form_tokens(client, pid)
    url = f"/lifeline/persons/{pid}/notes"
    first = client.post(url, data={**tokens, **NOTE}, follow_redirects=False)
    again = client.post(url, data={**tokens, **NOTE}, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"].split("&")[0] == again.headers["location"].split("&")[0]
    staff = user_with_role(client, container, Role.DESK)
    after = _after(first)
    pending = client.get(f"/api/lifeline/persons/pending?after={after}", headers=staff)
    assert [n["person_id"] for n in pending.json()] == [pid]


def test_bad_input_is_refused_with_a_message_and_nothing_is_recorded(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    pid = _person(desk)
    url = f"/lifeline/persons/{pid}/notes?lang=en"
    forged = client.post(url, data={**NOTE, "csrf_token": "forged"})
    assert forged.status_code == 400 and "nothing was sent" in forged.text
    assert "2번 출구" in forged.text  # the text typed is kept in the form
    cases = [
        ({"text": "  "}, "Please write your note."),
        ({"status": "alive-ish"}, "one of the listed statuses"),
        ({"phone": "call me maybe"}, "phone number does not look right"),
        ({"email": "not-an-address"}, "e-mail address does not look right"),
        ({"last_seen": "x" * 201}, "at most 200 characters"),
        ({"text": "x" * 2001}, "under 2,000 characters"),
    ]
    for over, message in cases:
        r = _send(client, pid, **over)
        assert r.status_code == 422, (over, r.status_code)
        assert message in r.text, over
    assert client.post(url, data={**NOTE}).status_code == 400  # no CSRF at all
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/lifeline/persons/{unknown}").status_code == 404
    assert client.post(f"/lifeline/persons/{unknown}/notes", data=NOTE).status_code == 404
    assert client.get("/lifeline/persons/not-a-uuid").status_code == 422
    staff = user_with_role(client, container, Role.DESK)
    assert client.get("/api/lifeline/persons/pending", headers=staff).json() == []


def test_too_many_notes_from_one_client_get_429(client: TestClient, container: Container) -> None:
    container.settings.lifeline_note_rate_limit = 2
    desk = DeskApi(client, container)
    pid = _person(desk)
    assert _send(client, pid).status_code == 303
    assert _send(client, pid).status_code == 303
    refused = _send(client, pid)
    assert refused.status_code == 429 and "Too many notes" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    api = client.post(f"/api/lifeline/persons/{pid}/notes", json={"status": "found", "text": "x"})
    assert api.status_code == 429 and "too many notes" in api.json()["detail"]
    staff = user_with_role(client, container, Role.DESK)  # staff are not counted
    body = {"status": "found", "text": "확인됨"}
    ok = client.post(f"/api/lifeline/persons/{pid}/notes", json=body, headers=staff)
    assert ok.status_code == 200, ok.text


def test_the_moderation_page_is_for_the_desk_only(client: TestClient, container: Container) -> None:
    assert client.get("/desk/persons/moderation").status_code == 401
    official = user_with_role(client, container, Role.OFFICIAL)
    assert client.get("/desk/persons/moderation", headers=official).status_code == 403
    desk = user_with_role(client, container, Role.DESK)
    assert client.get("/desk/persons/moderation", headers=desk).status_code == 200


def test_exercise_records_take_notes_in_the_exercise_view_only(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    pid = _person(desk, status="Exercise", key="drill-note-form")
    assert client.get(f"/lifeline/persons/{pid}").status_code == 404
    page = client.get(f"/lifeline/persons/{pid}?exercise=1&lang=ko").text
    assert "훈련" in page and "메모 남기기" in page and 'name="exercise" value="1"' in page
    listing = client.get("/lifeline/persons?q=Lee Seoyeon&exercise=1").text
    assert f'href="/lifeline/persons/{pid}?exercise=1"' in listing
    tokens = _form_tokens(client, pid, "exercise=1")
    url = f"/lifeline/persons/{pid}/notes"
    assert client.post(url, data={**tokens, **NOTE}).status_code == 404  # not the real view
    sent = client.post(url, data={**tokens, **NOTE, "exercise": "1"}, follow_redirects=False)
    assert sent.status_code == 303 and "exercise=1" in sent.headers["location"]
    staff = user_with_role(client, container, Role.DESK)
    pending = client.get(f"/api/lifeline/persons/pending?after={_after(sent)}", headers=staff)
    assert [(n["person_id"], n["exercise"]) for n in pending.json()] == [(pid, True)]
