"""Triage decisions: categories from the city's keywords (Korean and English), request
classes, districts (point → box → place names), destinations, and bad input."""

from __future__ import annotations

import pytest
import shapely

from channels.reference_data import load_district_locator
from domain.deadline_policy import REQUEST_CLASSES
from domain.triage_engine import Posted, TriageEngine

CITY_HALL = (126.97794, 37.56637)
OUTSIDE = [(126.7052, 37.4563), (129.0756, 35.1796), (127.0286, 37.2636), (0.0, 0.0)]


def decide(engine: TriageEngine, text: str, **kw: object) -> dict[str, object]:
    return {k: d.value for k, d in engine.decide(Posted(text, **kw)).items()}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("버스가 30분째 안 와요", "bus"),
        ("버스를 타려는데 배차 간격이 너무 길어요", "bus"),
        ("버스정류장 의자가 부서졌어요", "bus"),
        ("마을버스 노선 문의", "bus"),
        ("택시 승차거부 당했습니다", "taxi"),
        ("지하철 2호선 운행 중단 언제 재개되나요?", "subway"),
        ("도로에 포트홀이 생겼어요", "road"),
        ("불법주차 차량 때문에 못 지나가요", "parking"),
        ("재개발 구역 철거 일정이 궁금합니다", "housing"),
        ("골목에 쓰레기 무단투기가 심해요", "waste"),
        ("미세먼지 때문에 숨쉬기 힘들어요", "environment"),
        ("어르신 돌봄 서비스 신청 방법", "welfare"),
        ("보건소 백신 접종 예약", "health"),
        ("한강 축제 공연 일정", "culture"),
        ("주민센터 증명서 발급 시간", "administration"),
        ("항상 감사합니다 힘내세요", "not_actionable"),
        ("The bus never came this morning", "bus"),
        ("Huge pothole on the road near my house", "road"),
        ("버스킹 공연 너무 좋았어요", "culture"),
    ],
)
def test_category_from_keywords(engine: TriageEngine, text: str, category: str) -> None:
    assert decide(engine, text)["category"] == category


@pytest.mark.parametrize(
    ("text", "request_class"),
    [
        ("건물에 불이 났어요 살려주세요", "emergency"),
        ("사고로 부상자가 여러 명 있어요", "incident"),
        ("버스 노선을 늘려 주셨으면 합니다 제안합니다", "policy"),
        ("가로등이 고장 났어요 신고합니다", "review"),
        ("버스 몇 시에 와요?", "simple"),
        ("감사합니다", "not_actionable"),
    ],
)
def test_request_class_uses_the_deadline_policy_names(
    engine: TriageEngine, text: str, request_class: str
) -> None:
    got = decide(engine, text)["request_class"]
    assert got == request_class and got in REQUEST_CLASSES


def test_every_decision_has_confidence_version_and_reason(engine: TriageEngine) -> None:
    decisions = engine.decide(Posted("강남역 버스 정류장 침수", lon=127.0276, lat=37.4979))
    assert set(decisions) == {"category", "request_class", "info_type", "district", "destination"}
    for d in decisions.values():
        assert 0 <= d.confidence <= 1 and d.version and d.reason
    assert decisions["category"].version.startswith("taxonomy@")
    assert decisions["destination"].version.startswith("rules@")
    assert decisions["district"].version == "geo:point"


def test_25_points_one_per_district_and_city_hall() -> None:
    locator = load_district_locator()
    engine_points = []
    for district in locator.districts():
        p = shapely.Point(locator.geometry(district.code).representative_point())
        engine_points.append((district.code, p.x, p.y))
    assert len(engine_points) == 25
    from channels.triage_config import build_engine

    engine = build_engine(None)
    for code, lon, lat in engine_points:
        assert decide(engine, "여기", lon=lon, lat=lat)["district"] == code
    assert decide(engine, "시청 앞", lon=CITY_HALL[0], lat=CITY_HALL[1])["district"] == "11140"
    batch = engine.decide_many([Posted("x", lon=lon, lat=lat) for _, lon, lat in engine_points])
    assert [d["district"].value for d in batch] == [code for code, _, _ in engine_points]


def test_points_outside_seoul_stay_unknown_with_a_reason(engine: TriageEngine) -> None:
    for lon, lat in OUTSIDE:
        d = engine.decide(Posted("hello", lon=lon, lat=lat))["district"]
        assert d.value is None and "outside Seoul" in d.reason


def test_district_from_place_box_and_from_place_names(engine: TriageEngine) -> None:
    box = (127.05, 37.505, 127.06, 37.512)  # around COEX, Samseong-dong
    assert decide(engine, "hello", place_bbox=box)["district"] == "11680"
    assert decide(engine, "망원동 골목 쓰레기")["district"] == "11440"
    assert decide(engine, "Pothole near Hongdae station")["district"] == "11440"
    unknown = engine.decide(Posted("버스가 안 와요"))["district"]
    assert unknown.value is None and unknown.reason == "no known place name"
    assert decide(engine, "강동원 팬미팅")["district"] is None  # a person, not 강동


def test_destinations_follow_the_rules(engine: TriageEngine) -> None:
    assert decide(engine, "망원동 쓰레기 무단투기 신고")["destination"] == "gu:11440"
    assert decide(engine, "쓰레기 무단투기 신고")["destination"] == "dept:WASTE"
    assert decide(engine, "버스가 안 와요")["destination"] == "dept:BUS"
    assert decide(engine, "불이 났어요 살려주세요")["destination"] == "dept:DISASTER"
    assert decide(engine, "hmm", account="seoul_topis")["destination"] == "dept:TRANSPORT"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀🚌🔥",
        "https://t.co/abc http://example.com/x @seoul_smc",
        "가" * 100_000,
        "버스 " * 20_000,
        "x" * 100_000,
        "Seoul 서울 Сеул 東京 ソウル 🚌 bus مرحبا \u200b\u0000",
        "\ud7a3\uffff\U0010ffff",
    ],
)
def test_bad_input_gives_a_decision_or_unknown_with_a_reason(
    engine: TriageEngine, text: str
) -> None:
    for decisions in (engine.decide(Posted(text)), engine.decide_many([Posted(text)])[0]):
        for d in decisions.values():
            assert d.value is not None or d.reason


def test_batch_equals_one_by_one(engine: TriageEngine) -> None:
    posts = [
        Posted("강남역 버스 정류장 침수"),
        Posted(""),
        Posted("help", lon=CITY_HALL[0], lat=CITY_HALL[1]),
        Posted("Fire on Olympic-daero, people trapped"),
    ]
    assert engine.decide_many(posts) == [engine.decide(p) for p in posts]


def test_batch_points_match_the_locator_everywhere() -> None:
    import random

    from domain.triage_places import locate_points

    locator = load_district_locator()
    rnd = random.Random(7)
    points = [(126.7 + rnd.random() * 0.6, 37.35 + rnd.random() * 0.4) for _ in range(2_000)]
    points += [(float("nan"), 37.5), (127.0, 95.0)]
    assert locate_points(locator, points) == [locator.explain_point(x, y) for x, y in points]


def test_an_engine_failure_is_recorded_not_raised(engine: TriageEngine) -> None:
    from unittest.mock import MagicMock

    from domain.triage_service import TriageService

    broken = MagicMock(spec=TriageEngine)
    broken.decide.side_effect = RuntimeError("boom")
    decisions = TriageService(MagicMock(), broken).decide(Posted("버스"))
    assert all(d.value is None and "triage failed: RuntimeError: boom" in d.reason
               for d in decisions.values())  # fmt: skip
