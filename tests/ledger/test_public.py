"""The public record: redacted before disclosure, replies only once published, searchable in
Korean, with a page per posting and an Atom feed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Container
from tests import scenario


def test_public_record_is_redacted_and_searchable(client: TestClient, container: Container) -> None:
    scenario.fill(container)
    container.views.wait(container.store.head())
    rows = client.get("/api/public/postings?q=정류장&limit=100").json()
    assert len(rows) == 3
    assert all("010-1234" not in r["text"] and "[전화번호" in r["text"] for r in rows)
    published = [r for r in rows if r["state"] == "published"]
    assert len(published) == 1
    assert (
        "02-120-0000" not in published[0]["reply"]
        and "help@seoul.go.kr" not in published[0]["reply"]
    )
    assert [r for r in rows if r["state"] == "merged"]
    assert all(r["reply"] is None for r in rows if r["state"] != "published")
    one = client.get(f"/api/public/postings/{published[0]['id']}").json()
    assert [h["state"] for h in one["history"]][:2] == ["triaged", "assigned"]
    assert "contact" not in one and "draft_reply" not in one
    page = client.get(f"/public/{published[0]['id']}?lang=ko")
    assert page.status_code == 200 and "답변 공개" in page.text and "010-1234" not in page.text
    listing = client.get("/public?q=%EC%A0%95%EB%A5%98%EC%9E%A5&lang=en")
    assert listing.status_code == 200 and listing.text.count("/public/") >= 3
    feed = client.get("/public/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "<entry>" in feed.text and "010-1234" not in feed.text
    assert client.get("/public/nope").status_code == 404
    english = client.get("/api/public/postings?q=the&limit=5").json()
    assert isinstance(english, list)
