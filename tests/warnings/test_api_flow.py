"""Must-show: draft -> approve (another user) -> escalate -> ... -> cancel, CAP out, feeds."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from lxml import etree

from api.bootstrap import Container
from domain.clock import FixedClock
from domain.context import Cause
from domain.directory import Role
from tests.helpers import add_user, bearer
from tests.warnings.helpers import CAP, Desk, assert_valid_cap, draft_body

ATOM = "{http://www.w3.org/2005/Atom}"


def _cap(desk: Desk, identifier: str) -> etree._Element:
    r = desk.client.get(f"/cap/{identifier}.xml")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/cap+xml")
    return assert_valid_cap(r.content)


def _refs(doc: etree._Element) -> list[str]:
    return (doc.findtext(f"{CAP}references") or "").split()


def _feed_ids(desk: Desk, path: str) -> list[str]:
    r = desk.client.get(path)
    assert r.status_code == 200 and len(r.content) < 100_000
    return [e.text or "" for e in etree.fromstring(r.content).iter(f"{CAP}identifier")]


def test_full_lifecycle_gives_xsd_valid_cap_messages_with_exact_references(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    desk = Desk(client, container)
    wid = desk.issue()
    for step in ("escalate", "all-clear", "cancel"):
        clock.advance(timedelta(minutes=10))
        desk.post(
            f"/api/warnings/{wid}/{step}",
            desk.approver,
            {"reason": "test"} if step == "cancel" else None,
        )
    detail = desk.detail(wid)
    assert detail["state"] == "cancelled"
    messages = detail["messages"]
    assert [m["msg_type"] for m in messages] == ["Alert", "Update", "Update", "Cancel"]
    docs = [_cap(desk, m["identifier"]) for m in messages]
    triples = [
        f"{d.findtext(f'{CAP}sender')},{d.findtext(f'{CAP}identifier')},{d.findtext(f'{CAP}sent')}"
        for d in docs
    ]
    for i, doc in enumerate(docs):
        assert _refs(doc) == triples[:i]  # every earlier message, exactly, in order
        assert doc.findtext(f"{CAP}status") == "Actual"
        langs = [x.text for x in doc.iter(f"{CAP}language")]
        assert langs == ["ko-KR", "en-US"]
    geocodes = [v.text for v in docs[0].iter(f"{CAP}value")]
    assert "11110" in geocodes and "11140" in geocodes
    assert docs[0].find(f".//{CAP}polygon") is not None
    assert _feed_ids(desk, "/cap/feed.atom") == [messages[-1]["identifier"]]


def test_draft_approve_escalate_cancel_and_the_feed_follows(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    desk = Desk(client, container)
    wid = desk.issue()
    first = desk.detail(wid)["messages"][0]["identifier"]
    assert _feed_ids(desk, "/cap/feed.atom") == [first]
    clock.advance(timedelta(minutes=5))
    desk.post(f"/api/warnings/{wid}/escalate", desk.desk)
    messages = desk.detail(wid)["messages"]
    assert messages[-1]["stage_id"] == "warning"
    assert _feed_ids(desk, "/cap/feed.atom") == [messages[-1]["identifier"]]
    assert _feed_ids(desk, "/cap/feed.rss") == [messages[-1]["identifier"]]
    desk.post(f"/api/warnings/{wid}/cancel", desk.approver, {"reason": "forecast changed"})
    messages = desk.detail(wid)["messages"]
    assert [m["msg_type"] for m in messages] == ["Alert", "Update", "Cancel"]
    cancel = _cap(desk, messages[-1]["identifier"])
    assert len(_refs(cancel)) == 2
    assert _feed_ids(desk, "/cap/feed.atom") == [messages[-1]["identifier"]]
    assert _feed_ids(desk, "/cap/exercise/feed.atom") == []


def test_the_drafter_can_never_approve_their_own_warning(
    client: TestClient, container: Container
) -> None:
    desk = Desk(client, container)
    wid = desk.draft()
    desk.post(f"/api/warnings/{wid}/submit", desk.desk)
    r = client.post(f"/api/warnings/{wid}/approve", headers=desk.desk)
    assert r.status_code == 403  # a desk user is no approver
    add_user(container, "dual", Role.DESK)
    dual = bearer(client, "dual")
    wid2 = str(desk.post("/api/warnings", dual, draft_body(), 201)["id"])
    desk.post(f"/api/warnings/{wid2}/submit", dual)
    container.directory.change_role(Cause("system:test"), "dual", Role.APPROVER)
    r = client.post(f"/api/warnings/{wid2}/approve", headers=bearer(client, "dual"))
    assert r.status_code == 403, r.text
    assert "drafter" in r.json()["detail"]
    desk.post(f"/api/warnings/{wid2}/approve", desk.approver)


def test_rejection_returns_to_draft_with_reason_and_transitions_are_checked(
    client: TestClient, container: Container
) -> None:
    desk = Desk(client, container)
    wid = desk.draft()
    r = client.post(f"/api/warnings/{wid}/approve", headers=desk.approver)
    assert r.status_code == 409  # not submitted yet
    desk.post(f"/api/warnings/{wid}/submit", desk.desk)
    desk.post(f"/api/warnings/{wid}/reject", desk.approver, {"reason": "wrong district"})
    detail = desk.detail(wid)
    assert detail["state"] == "draft" and detail["reject_reason"] == "wrong district"
    assert detail["messages"] == []


def test_exercise_goes_to_the_exercise_feed_only(client: TestClient, container: Container) -> None:
    desk = Desk(client, container)
    wid = desk.issue(status="Exercise", area={"kind": "city"})
    ident = desk.detail(wid)["messages"][0]["identifier"]
    assert _cap(desk, ident).findtext(f"{CAP}status") == "Exercise"
    assert _feed_ids(desk, "/cap/exercise/feed.atom") == [ident]
    assert _feed_ids(desk, "/cap/feed.atom") == []


def test_polygon_and_circle_areas(client: TestClient, container: Container) -> None:
    desk = Desk(client, container)
    poly = [[126.97, 37.56], [126.99, 37.56], [126.99, 37.58], [126.97, 37.58]]
    w1 = desk.issue(area={"kind": "polygon", "polygon": poly})
    w2 = desk.issue(area={"kind": "circle", "circle": [127.0276, 37.4979, 2.0]})
    d1, d2 = desk.detail(w1), desk.detail(w2)
    doc1 = _cap(desk, d1["messages"][0]["identifier"])
    assert (doc1.findtext(f".//{CAP}polygon") or "").startswith("37.56,126.97 ")
    doc2 = _cap(desk, d2["messages"][0]["identifier"])
    assert doc2.findtext(f".//{CAP}circle") == "37.4979,127.0276 2"
    assert "11680" in [v.text for v in doc2.iter(f"{CAP}value")]  # Gangnam-gu
