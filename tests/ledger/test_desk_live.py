"""The desk pages' live endpoints: the inbox answers "unchanged" while its page is current and
the fresh counts and rows (rendered by the page's own template) once a case arrives; the case
page learns its case's new version. Readers only."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.demo import load_demo
from domain.context import Cause
from domain.postings import IncomingPosting
from tests.helpers import store_posting
from tests.ledger.test_cases_api import login

KST = ZoneInfo("Asia/Seoul")
WHO = Cause("system:test")


def test_inbox_live_and_case_live(client: TestClient, container: Container) -> None:
    load_demo(container)
    container.views.wait(container.store.head())
    lee = login(client, "lee.lead")
    unit = "department:ROAD"
    page = client.get(f"/desk/inbox?unit={unit}&lang=en", headers=lee)
    stamp = re.search(r'data-stamp="([0-9a-f]+)"', page.text)
    live = re.search(r'data-live="([^"]+)"', page.text)
    assert stamp and live and page.status_code == 200
    url = live.group(1).replace("&amp;", "&")
    assert url.startswith("/desk/inbox/live?unit=department%3AROAD")
    same = client.get(f"{url}&since={stamp.group(1)}", headers=lee).json()
    assert same == {"stamp": stamp.group(1), "changed": False}

    item = IncomingPosting(
        channel="web",
        source_id="live-1",
        text="포트홀",
        created_at=datetime(2026, 7, 13, tzinfo=KST),
    )
    store_posting(container, item)
    cid = container.ledger.open(WHO, str(item.posting_id), "web", item.created_at).id
    container.ledger.classify(WHO, cid, "simple")
    done = container.ledger.assign(WHO, cid, unit, "rule")
    container.views.wait(done.position)
    fresh = client.get(f"{url}&since={stamp.group(1)}", headers=lee).json()
    assert fresh["changed"] and fresh["stamp"] != stamp.group(1)
    assert f'href="/desk/cases/{cid}"' in fresh["rows"] and "Simple (3 h)" in fresh["rows"]
    assert fresh["counts"]["open"] == page.text.count('name="case_ids"') + 1

    case = client.get(f"/desk/cases/{cid}/live", headers=lee).json()
    assert case == {"stamp": "3", "state": "assigned"}
    container.views.wait(container.ledger.designate(WHO, cid, "kim.official").position)
    assert client.get(f"/desk/cases/{cid}/live", headers=lee).json()["stamp"] == "4"
    assert client.get(f"{url}&since=x").status_code == 401
    assert (
        client.get("/desk/cases/00000000-0000-4000-8000-000000000000/live", headers=lee).status_code
        == 404
    )
