"""Intake rules: bad items become visible rejections, near-duplicates cluster, cursors never
run ahead of the items stored before them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from api.bootstrap import Container, build
from api.settings import Settings
from domain.clock import FixedClock
from domain.context import Cause
from domain.intake_service import Cursor, IncomingRejection
from domain.neardup import NearDuplicateIndex, normalise
from domain.postings import IncomingPosting
from projections.intake import IntakeProjection

T = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
CAUSE = Cause("system:test")


def item(source_id: str, text: str, **kw: object) -> IncomingPosting:
    return IncomingPosting(channel="x", source_id=source_id, text=text, created_at=T, **kw)  # type: ignore[arg-type]


def test_bad_items_are_rejected_with_reasons_and_the_rest_is_kept(container: Container) -> None:
    batch = [
        item("1", "강남역 침수 #서울호우"),
        item("2", "   "),
        item("3", "x" * 25_001),
        item("4", "bad place", lat=200.0, lon=127.0),
        replace(item("5", "naive"), created_at=datetime(2026, 1, 1)),  # noqa: DTZ001
    ]
    result = container.intake.ingest(CAUSE, batch, [IncomingRejection("x", "broken", "{")])
    assert (result.new, result.rejected) == (1, 5)
    container.views.wait(result.position)
    reasons = {r["reason"] for r in container.views.get(IntakeProjection).rejections()}
    assert {
        "empty text",
        "text longer than 25000 characters",
        "latitude 200.0 out of range",
        "created time has no time zone",
        "broken",
    } == reasons


def test_near_duplicates_cluster_into_one_case(container: Container) -> None:
    texts = [
        "2호선 강남역 운행 중단 언제 재개되나요? https://t.co/abc @seoul_smc",
        "2호선 강남역 운행 중단 언제 재개되나요?? https://t.co/xyz #서울교통",
        "RT @someone: 2호선 강남역 운행 중단 언제 재개되나요?",
        "Line 2 at Gangnam station stopped, when will it resume? http://x.co/1",
        "line 2 at gangnam station STOPPED — when will it resume?! @seoulmania",
        "오늘 날씨 정말 좋네요 한강 공원 산책",
    ]
    result = container.intake.ingest(CAUSE, [item(str(i), t) for i, t in enumerate(texts)])
    assert result.new == 6 and result.near_duplicates == 3
    container.views.wait(result.position)
    rows = {r["source_id"]: r for r in container.views.get(IntakeProjection).postings()}
    assert rows["0"]["case_id"] is None
    assert rows["1"]["case_id"] == rows["2"]["case_id"] == rows["0"]["id"]
    assert rows["4"]["case_id"] == rows["3"]["id"]
    assert rows["5"]["case_id"] is None
    later = container.intake.ingest(CAUSE, [item("9", "2호선 강남역 운행 중단 언제 재개되나요")])
    assert later.near_duplicates == 1


def test_cursor_moves_with_its_items_and_retries_do_not_duplicate(container: Container) -> None:
    first = container.intake.ingest(CAUSE, [item("10", "first")], cursor=Cursor("x", "s", "10"))
    assert container.intake.cursor("x", "s") == "10"
    # Another process stored item 11 already: the batch conflicts, is retried carefully,
    # and stores 12 plus the cursor exactly once.
    container.intake._seen.clear()  # a fresh process knows nothing
    container.intake.ingest(CAUSE, [item("11", "from elsewhere")])
    container.intake._seen.clear()
    result = container.intake.ingest(
        CAUSE, [item("11", "from elsewhere"), item("12", "new one")], cursor=Cursor("x", "s", "12")
    )
    assert (result.new, result.duplicates) == (1, 1)
    assert container.intake.cursor("x", "s") == "12"
    assert result.position > first.position


def test_normalise_drops_urls_mentions_and_hashtag_marks() -> None:
    assert normalise("RT @a: Hello #World https://t.co/x!") == normalise("hello world")
    index = NearDuplicateIndex(threshold=0.8)
    index.add("a", "서울시 버스 파업 소식 알려주세요", None)
    assert index.find("서울시 버스 파업 소식 알려 주세요!!") is not None
    assert index.find("완전히 다른 이야기입니다 정말로") is None
    with pytest.raises(ValueError, match="threshold"):
        NearDuplicateIndex(threshold=0)


def test_a_failed_batch_leaves_no_texts_in_the_near_duplicate_index() -> None:
    index = NearDuplicateIndex()
    index.add("kept", "한강 공원 자전거 도로 파손 신고합니다", None)
    with pytest.raises(RuntimeError), index.tentative():
        fp = index.fingerprint("잠수교 보행로 침수로 통행 금지 중입니다")
        assert fp is not None and index.match(fp) is None
        index.remember("gone", fp, None)
        assert index.find("잠수교 보행로 침수로 통행 금지 중입니다!") is not None
        raise RuntimeError("the transaction failed")
    assert len(index) == 1
    assert index.find("잠수교 보행로 침수로 통행 금지 중입니다") is None
    assert index.find("한강 공원 자전거 도로 파손 신고합니다") is not None


def test_the_near_duplicate_threshold_is_a_setting(settings: Settings, clock: FixedClock) -> None:
    with pytest.raises(ValidationError, match="near_duplicate_threshold"):
        settings.model_validate({**settings.model_dump(), "near_duplicate_threshold": 0})
    strict = build(settings.model_copy(update={"near_duplicate_threshold": 1.0}), clock)
    try:
        assert strict.intake.index.threshold == 1.0
        texts = [
            "472번 버스가 30분째 안 와요 배차 간격",
            "472번 버스가 30분째 안 와요!! 배차 간격 ㅠ",
        ]
        result = strict.intake.ingest(CAUSE, [item(f"t{i}", t) for i, t in enumerate(texts)])
        assert (result.new, result.near_duplicates) == (2, 0)  # similar, but not identical
    finally:
        strict.close()
