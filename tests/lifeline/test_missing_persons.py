"""Missing persons: name search across Hangul and romanisations, moderated notes, a public
view without contact details or exact address, expiry and exercise separation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from domain.clock import FixedClock
from domain.missing_persons import EXPIRY_DAYS
from domain.person_names import name_keys, query_keys
from tests.lifeline.helpers import GWANAK, DeskApi

SAME_PEOPLE = [
    ("김민준", ["Kim Min-jun", "Gim Minjoon", "Minjun Kim", "김 민준", "kim"]),
    ("이서연", ["Lee Seo-yeon", "Yi Suh-yeon", "Rhee Seoyeon", "서연"]),
    ("박지훈", ["Park Ji-hoon", "Pak Jihun", "Bak Jihoon"]),
    ("최수아", ["Choi Su-a", "Choe Sua"]),
    ("정예준", ["Jung Ye-jun", "Jeong Yejun", "Chung Ye-joon"]),
    ("Ahn Jiwoo", ["안지우", "An Ji-woo"]),
]


@pytest.mark.parametrize(("stored", "queries"), SAME_PEOPLE)
def test_name_variants_meet(stored: str, queries: list[str]) -> None:
    keys = name_keys([stored])
    for q in queries:
        assert all(k in keys for k in query_keys(q)), (stored, q, keys, query_keys(q))


def test_different_names_do_not_meet() -> None:
    keys = name_keys(["김민준"])
    for other in ("박민준", "Kim Seoyeon", "이지훈"):
        assert not all(k in keys for k in query_keys(other)), other


def _person(desk: DeskApi, iid: str, name: str, **over: object) -> str:
    body = {
        "full_name": name,
        "home_district": GWANAK,
        "home_address": "신림로 123, 101호",
        "author_contact": {"phone": "010-1234-5678"},
        "description": "키 170cm",
        **over,
    }
    return str(desk.post(f"/api/lifeline/incidents/{iid}/persons", body, 201)["id"])


def test_public_view_hides_private_data_and_unmoderated_notes(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    pid = _person(desk, iid, "이서연", alternate_names=["Lee Seo-yeon"])
    note = {"status": "believed_alive", "text": "신림역에서 봤어요. 연락 010-9876-5432",
            "author_name": "언니", "author_contact": {"email": "sister@example.com"}}  # fmt: skip
    r = client.post(f"/api/lifeline/persons/{pid}/notes", json=note)  # anonymous relative
    assert r.status_code == 200, r.text
    desk.position = max(desk.position, r.json()["position"])
    found = desk.get("/api/lifeline/persons?q=Yi Suh-yeon").json()
    assert [p["id"] for p in found] == [pid]
    text = str(found)
    assert "신림로" not in text and "010-1234-5678" not in text and found[0]["notes"] == []
    assert found[0]["status"] == "information_sought"
    pending = client.get(f"/api/lifeline/persons/pending?after={desk.position}", headers=desk.desk)
    note_id = next(n["id"] for n in pending.json() if n["person_id"] == pid)
    desk.post(f"/api/lifeline/persons/{pid}/notes/{note_id}/moderate", {"decision": "approved"})
    found = desk.get("/api/lifeline/persons?q=이서연").json()
    assert found[0]["status"] == "believed_alive"
    assert "010-9876-5432" not in str(found) and "sister@" not in str(found)
    assert "신림역" in found[0]["notes"][0]["text"]
    full = client.get(f"/api/lifeline/persons/{pid}/full", headers=desk.desk).json()
    assert full["private"]["home_address"] == "신림로 123, 101호"
    assert client.get(f"/api/lifeline/persons/{pid}/full").status_code == 401
    clock.advance(timedelta(days=EXPIRY_DAYS + 1))
    assert desk.get("/api/lifeline/persons?q=이서연").json() == []


def test_exercise_records_stay_in_the_exercise_view(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    drill = desk.open(status="Exercise", key="drill-persons-1")
    _person(desk, drill, "박지훈")
    assert desk.get("/api/lifeline/persons?q=Park Jihoon").json() == []
    assert len(desk.get("/api/lifeline/persons?q=Park Jihoon&exercise=true").json()) == 1


def test_public_search_page_works_without_javascript(
    client: TestClient, container: Container
) -> None:
    desk = DeskApi(client, container)
    iid = desk.open()
    _person(desk, iid, "김민준", alternate_names=["Kim Min-jun"])
    page = desk.get("/lifeline/persons?q=Gim Minjoon&lang=en").text
    assert "김민준" in page and "information sought" in page
    assert "신림로" not in page and "010-1234-5678" not in page
    assert "No matching record" in desk.get("/lifeline/persons?q=Park&lang=en").text
