"""Officials' desk pages work without JavaScript: inbox, case page, template, answer, publish."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import DEMO_PASSWORD, load_demo
from domain.context import Cause
from domain.ledger import Case
from domain.postings import IncomingPosting
from tests import scenario

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def sign_in(client: TestClient, username: str) -> str:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    page = client.get("/desk/inbox")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    return csrf.group(1)


def test_inbox_case_page_template_answer_publish(client: TestClient, container: Container) -> None:
    scenario.fill(container)
    container.views.wait(container.store.head())
    csrf = sign_in(client, "lee.lead")
    inbox = client.get("/desk/inbox?unit=department:ROAD&lang=ko")
    assert inbox.status_code == 200 and 'id="count-open">1<' in inbox.text
    case_id = re.search(r'href="/desk/cases/([0-9a-f-]{36})"', inbox.text)
    assert case_id
    url = f"/desk/cases/{case_id.group(1)}"
    page = client.get(f"{url}?template=ack-simple-ko")
    assert page.status_code == 200 and "도로관리과에서 확인하여" in page.text
    version = re.search(r'name="expected_version" value="(\d+)"', page.text)
    assert version
    r = client.post(
        f"{url}/designate",
        data={"csrf_token": csrf, "official": "lee.lead", "expected_version": version.group(1)},
    )
    assert r.status_code == 200 and "designate done" in r.text
    stale = client.post(
        f"{url}/designate",
        data={"csrf_token": csrf, "official": "kim.official", "expected_version": version.group(1)},
    )
    assert "someone else changed this case first" in stale.text
    answered = client.post(f"{url}/respond", data={"csrf_token": csrf, "text": "곧 보수합니다"})
    assert "respond done" in answered.text
    published = client.post(f"{url}/publish", data={"csrf_token": csrf})
    assert "publish done" in published.text and "곧 보수합니다" in published.text
    no_csrf = client.post(f"{url}/close", data={})
    assert no_csrf.status_code == 403
    mine = client.get("/desk/inbox?mine=true")
    assert mine.status_code == 200


def test_case_page_shows_triage_map_and_near_duplicates(
    client: TestClient, container: Container
) -> None:
    load_demo(container)
    now = container.clock.now()
    text = "서울시청 앞 도로에 큰 포트홀이 생겨서 차량들이 위험합니다 빨리 보수해 주세요"
    items = [
        IncomingPosting(
            channel="x",
            source_id=f"77000{i}",
            text=text + (" #서울시" if i else ""),
            created_at=now,
            lat=37.5663,  # City Hall, Jung-gu
            lon=126.9779,
            author_handle=f"citizen{i}",
        )
        for i in range(2)
    ]
    result = container.intake.ingest(Cause("system:test"), items)
    assert result.new == 2 and result.near_duplicates == 1
    container.views.wait(container.store.head())
    sign_in(client, "lee.lead")
    page = client.get(f"/desk/cases/{Case.create_id(str(items[0].posting_id))}?lang=en")
    assert page.status_code == 200
    triage = page.text.split('id="case-triage"')[1].split("</div>")[0]
    assert "Category" in triage and "Destination" in triage and re.search(r"0\.\d\d", triage)
    figure = page.text.split('id="case-map"')[1].split("</figure>")[0]
    assert figure.count("<path") == 25 and "<circle" in figure
    assert figure.count('fill="#ffe08a"') == 1  # Jung-gu, where City Hall is
    mentions = page.text.split('id="case-mentions"')[1].split("</section>")[0]
    assert "@citizen1" in mentions and "@citizen0" not in mentions


def test_inbox_filters_by_the_postings_district_and_follows_corrections(
    client: TestClient, container: Container
) -> None:
    load_demo(container)
    now = container.clock.now()
    places = {"88001": (37.5663, 126.9779), "88002": (37.5116, 127.0595)}  # City Hall, COEX
    texts = {
        "88001": "버스 정류장 안내판이 고장났어요 확인 부탁드립니다",
        "88002": "버스 노선 안내 전광판이 며칠째 꺼져 있습니다",
    }
    items = [
        IncomingPosting(
            channel="x", source_id=source, text=texts[source], created_at=now, lat=lat, lon=lon
        )
        for source, (lat, lon) in places.items()
    ]
    container.intake.ingest(Cause("system:test"), items)
    container.views.wait(container.store.head())
    sign_in(client, "lee.lead")
    ids = {s: str(Case.create_id(str(i.posting_id))) for s, i in zip(places, items, strict=True)}

    def listed(district: str) -> set[str]:
        page = client.get(f"/desk/inbox?district={district}&lang=en")
        assert page.status_code == 200
        assert f'<option value="{district}" selected' in page.text
        api = client.get(f"/api/cases?district={district}").json()["items"]
        shown = {i for i in ids.values() if f"/desk/cases/{i}" in page.text}
        assert shown == {row["id"] for row in api} & set(ids.values())
        return shown

    assert listed("11140") == {ids["88001"]}
    assert listed("11680") == {ids["88002"]}
    # a person corrects the district: the inbox follows
    assert container.triage is not None
    lead = Cause(f"user:{uuid4()}")
    container.triage.correct(lead, items[0].posting_id, {"district": "11680"}, "lee.lead")
    container.views.wait(container.store.head())
    assert listed("11680") == {ids["88001"], ids["88002"]}
    assert listed("11140") == set()
