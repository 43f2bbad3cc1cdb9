"""The fast read paths give the plain answers: public search (trigram, 2-character grams, the
PostgreSQL newest-first window) equals a brute-force substring filter; the kept inbox counts
equal counting the cases; the inbox order is deadline (none last), then arrival."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.bootstrap import Container
from domain.postings import IncomingPosting
from projections.ledger import OPEN_STATES, LedgerProjection
from projections.public import PublicProjection
from projections.public_search import grams
from tests import scenario
from tests.helpers import store_posting

KST = ZoneInfo("Asia/Seoul")
TEXTS = [
    "가로등이 꺼져 있어요 마포구",
    "도로에 포트홀 생김 2026",
    "불법 주차 차량 신고",
    "주차장 입구 가로막힘",
    "물 새는 곳 있음",
    "누수 신고합니다 물",
    "싱크홀 발견, 가로등 옆",
]
QUERIES = [
    "가로등",
    "가로",
    "주차",
    "차",
    "물",
    "누수",
    "싱크홀",
    "20",
    "2026",
    "없는말",
    "꺼져 있",
]


def _brute(rows: list[dict[str, Any]], q: str, state: str | None = None) -> list[str]:
    hits = [
        r
        for r in rows
        if not r["exercise"]
        and (state is None or r["state"] == state)
        and q in f"{r['text']} {r['reply'] or ''}"
    ]
    return [r["id"] for r in sorted(hits, key=lambda r: -r["position"])]


def test_grams_cover_every_one_and_two_character_word() -> None:
    assert grams("가로등이 꺼져!") == "가로 로등 등이 이 꺼져 져"
    assert grams("A_b 3") == "a b 3"


def test_public_search_equals_brute_force(container: Container) -> None:
    scenario.fill(container)
    at = datetime(2026, 7, 13, 9, 0, tzinfo=KST)
    for i, text in enumerate(TEXTS * 3):
        store_posting(
            container, IncomingPosting(channel="web", source_id=f"fp{i}", text=text, created_at=at)
        )
    container.views.wait(container.store.head())
    view = container.views.get(PublicProjection)
    rows = view.dump()["pub_postings"]
    for q in QUERIES:
        want = _brute(rows, q)
        for limit in (1, 2, 5, 100):  # small pages end in the newest window, big ones do not
            got = [r["id"] for r in view.search(q, limit=limit)]
            assert got == want[:limit], (q, limit)
        assert [r["id"] for r in view.search(q, limit=3, offset=2)] == want[2:5], q
    closed = [r["id"] for r in view.search("정류장", state="published", limit=100)]
    assert closed == _brute(rows, "정류장", "published") and closed


def test_inbox_counts_and_order_equal_counting(container: Container) -> None:
    scenario.fill(container)
    container.views.wait(container.store.head())
    view = container.views.get(LedgerProjection)
    cases = view.dump()["ledger_cases"]
    now = "2026-07-14T01:00:00+00:00"
    open_ = [c for c in cases if c["state"] in OPEN_STATES and not c["exercise"]]
    assert open_, "the story leaves open cases"
    for unit in {None, *(c["unit"] for c in open_)}:
        mine = [c for c in open_ if unit is None or c["unit"] == unit]
        assert view.counts(unit, now) == {
            "open": len(mine),
            "overdue": sum(1 for c in mine if c["deadline"] and c["deadline"] < now),
            "undesignated": sum(1 for c in mine if c["official"] is None),
        }, unit
        order = sorted(
            mine, key=lambda c: (c["deadline"] is None, c["deadline"] or "", c["position"])
        )
        assert [c["id"] for c in view.inbox(unit)] == [c["id"] for c in order]
        web = [c["id"] for c in order if c["channel"] == "web"]
        assert [c["id"] for c in view.inbox(unit, channel="web")] == web
        assert [c["id"] for c in view.inbox(unit, overdue_at=now)] == [
            c["id"] for c in order if c["deadline"] and c["deadline"] < now
        ]
    kept = view.dump()["ledger_counts"]
    with view.view.write() as tx:
        view.recount(tx)
    recounted = {(r["unit"], r["exercise"]): r for r in view.dump()["ledger_counts"]}
    assert {(r["unit"], r["exercise"]): r for r in kept if r["open"]} == recounted


@pytest.mark.parametrize("backend", ["sqlite"])
def test_search_of_one_character_falls_back_for_punctuation(container: Container) -> None:
    at = datetime(2026, 7, 13, 9, 0, tzinfo=KST)
    store_posting(
        container, IncomingPosting(channel="web", source_id="p1", text="정말?! 왜요", created_at=at)
    )
    container.views.wait(container.store.head())
    view = container.views.get(PublicProjection)
    assert len(view.search("?!")) == 1 and len(view.search("왜")) == 1
