"""The public record: redacted before disclosure, replies only once published, searchable in
Korean, with a page per posting and an Atom feed."""

from __future__ import annotations

import re
from uuid import uuid4

from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import load_demo
from domain.context import Cause
from domain.postings import IncomingPosting
from tests import scenario
from tests.ledger.test_desk_pages import sign_in


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


def test_public_filters_by_district_category_and_unit(
    client: TestClient, container: Container
) -> None:
    load_demo(container)
    now = container.clock.now()
    items = [
        IncomingPosting(  # City Hall, Jung-gu: a bus matter
            channel="x", source_id="99001", text="시청 앞 버스 정류장 의자가 부서졌어요",
            created_at=now, lat=37.5663, lon=126.9779,
        ),
        IncomingPosting(  # COEX, Gangnam-gu: waste
            channel="x", source_id="99002", text="코엑스 뒤 골목에 쓰레기 무단투기가 심합니다",
            created_at=now, lat=37.5116, lon=127.0595,
        ),
    ]  # fmt: skip
    container.intake.ingest(Cause("system:test"), items)
    container.views.wait(container.store.head())
    ids = [str(i.posting_id) for i in items]

    def found(query: str) -> list[str]:
        rows = client.get(f"/api/public/postings?{query}&limit=100").json()
        return [r["id"] for r in rows if r["id"] in ids]

    assert found("district=11140") == [ids[0]]
    assert found("district=11680") == [ids[1]]
    bus = client.get(f"/api/public/postings/{ids[0]}").json()
    assert bus["district"] == "11140" and bus["category"]
    assert found(f"category={bus['category']}") == [ids[0]]
    if bus["unit"]:
        assert ids[0] in found(f"unit={bus['unit']}")
    page = client.get("/public?district=11680&lang=ko")
    assert page.status_code == 200 and f"/public/{ids[1]}" in page.text
    assert f"/public/{ids[0]}" not in page.text and '<option value="11680" selected' in page.text
    assert container.triage is not None
    who = Cause(f"user:{uuid4()}")
    container.triage.correct(who, items[0].posting_id, {"district": "11680"}, "lee.lead")
    container.views.wait(container.store.head())
    assert sorted(found("district=11680")) == sorted(ids)


def test_inbox_and_case_page_count_down_to_the_deadline(
    client: TestClient, container: Container
) -> None:
    scenario.fill(container)
    container.views.wait(container.store.head())
    sign_in(client, "lee.lead")
    inbox = client.get("/desk/inbox?lang=en")
    assert re.search(r'class="countdown( late)?" data-minutes="-?\d+">', inbox.text)
    assert re.search(r"\d+m (left)?|overdue by", inbox.text)
    case_id = re.search(r'href="/desk/cases/([0-9a-f-]{36})"', inbox.text)
    assert case_id
    page = client.get(f"/desk/cases/{case_id.group(1)}?lang=ko")
    assert re.search(r"(남음|초과)</small>|초과 ", page.text)
