"""The auto-answer knowledge base: the matcher on a labelled set (negatives must not match),
eligibility by request class, and validation errors that name the entry and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from api.auto_answer_wiring import knowledge_base
from api.settings import Settings, SettingsError
from channels.knowledge_base import KNOWLEDGE_BASE_FILE, load_knowledge_base
from domain.knowledge_base import KnowledgeBase, KnowledgeBaseError, eligible
from tests.conftest import TEST_SECRET

THRESHOLD = 0.8  # the default SMC_AUTO_ANSWER_THRESHOLD

POSITIVES = [
    ("올빼미버스 노선이랑 운행 시간 알려주세요", "night-bus", "ko"),
    ("심야버스 몇 시부터 다녀요?", "night-bus", "ko"),
    ("What time do the night buses run?", "night-bus", "en"),
    ("시청 민원실 몇 시까지 하나요?", "city-hall-hours", "ko"),
    ("Is city hall open on Saturday?", "city-hall-hours", "en"),
    ("주민센터 토요일에도 열어요?", "district-office-hours", "ko"),
    ("다산콜센터 영어 상담 되나요?", "dasan-120", "ko"),
    ("불법주차 신고 어떻게 하나요?", "report-illegal-parking", "ko"),
    ("How do I report illegal parking?", "report-illegal-parking", "en"),
    ("포트홀 어디에 신고하나요?", "report-pothole", "ko"),
    ("Where do I report a pothole?", "report-pothole", "en"),
    ("가로등이 꺼져 있어요 어디에 신고하나요?", "report-streetlight", "ko"),
    ("지하철에 지갑 두고 내렸는데 어디서 찾나요?", "subway-lost-and-found", "ko"),
    ("I lost my wallet on the subway, where can I find it?", "subway-lost-and-found", "en"),
    ("대형폐기물 스티커 어떻게 버리나요?", "bulky-waste", "ko"),
    ("How do I dispose of old furniture? Do I need a sticker?", "bulky-waste", "en"),
    ("분리수거 요일이 언제인가요?", "recycling-rules", "ko"),
    ("따릉이 이용권 어떻게 사나요?", "ddareungi-how-to", "ko"),
    ("등본 온라인 발급 어떻게 하나요?", "resident-certificate", "ko"),
    ("미세먼지 수치 어디서 확인하나요?", "air-quality-info", "ko"),
    ("캠핑장 예약 어떻게 하나요?", "public-facility-booking", "ko"),
]

NEGATIVES = [
    "472번 버스가 30분째 안 와요. 배차 간격 좀 줄여주세요",  # a complaint, not a question
    "강남대로에 포트홀이 있어요 고쳐주세요",  # a report to act on, not "how to report"
    "포트홀 때문에 타이어 터졌어요 보상 어떻게 받나요?",  # compensation: needs a person
    "올빼미버스 너무 좋아요",  # praise, no question
    "불이 났어요 살려주세요 올빼미버스 정류장 근처예요",  # an emergency, whatever it names
    "지하철역 계단에서 사람이 쓰러졌어요 어떻게 하죠?",  # casualty
    "I lost my wallet in a taxi, where can I find it?",  # not the subway
    "Night bus crash on Gangnam-daero, people injured?",  # accident words block it
    "따릉이가 고장나서 넘어졌어요 어디에 말해요?",  # an injury report, excluded
    "재개발 보상 기준이 어떻게 되나요?",  # policy question: no entry
    "서울시장님 정책에 대해 어떻게 생각하세요?",
    "오늘 날씨 좋네요",
    "",
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def test_the_bundled_base_is_big_enough_and_bilingual(kb: KnowledgeBase) -> None:
    assert len(kb.entries) >= 12
    for entry in kb.entries:
        assert entry.answer["ko"] and entry.answer["en"]
        assert "{reference}" in entry.answer["ko"] and "{reference}" in entry.answer["en"]


@pytest.mark.parametrize(("text", "entry_id", "lang"), POSITIVES)
def test_frequent_questions_match_their_entry(
    kb: KnowledgeBase, text: str, entry_id: str, lang: str
) -> None:
    found = kb.match(text)
    assert found is not None, text
    assert (found.entry.id, found.lang) == (entry_id, lang), found.reason
    assert found.confidence >= THRESHOLD, found.reason
    rendered = found.render(reference="R-42")
    assert "R-42" in rendered and "{" not in rendered


@pytest.mark.parametrize("text", NEGATIVES)
def test_other_postings_do_not_match(kb: KnowledgeBase, text: str) -> None:
    found = kb.match(text)
    assert found is None or found.confidence < THRESHOLD, (text, found)


def test_accuracy_on_the_labelled_set(kb: KnowledgeBase) -> None:
    right = sum(
        1
        for text, entry_id, _ in POSITIVES
        if (m := kb.match(text)) is not None and m.entry.id == entry_id and m.confidence >= 0.8
    )
    quiet = sum(1 for t in NEGATIVES if (m := kb.match(t)) is None or m.confidence < THRESHOLD)
    assert right / len(POSITIVES) == 1.0 and quiet == len(NEGATIVES)


def test_two_entries_about_equally_likely_lower_the_confidence(kb: KnowledgeBase) -> None:
    alone = kb.match("따릉이 이용권 어떻게 사나요?")
    both = kb.match("따릉이 이용권이랑 올빼미버스 노선 어떻게 되나요?")
    assert alone is not None and both is not None
    assert "close to" in both.reason and both.confidence < alone.confidence + 0.1


@pytest.mark.parametrize(
    ("request_class", "decisions", "ok"),
    [
        ("simple", {}, True),
        ("review", {}, False),
        ("emergency", {}, False),
        ("incident", {}, False),
        (None, {}, False),
        ("simple", {"info_type": {"value": "Affected individuals"}}, False),
        ("simple", {"category": {"value": "safety"}}, False),
    ],
)
def test_only_the_simple_class_is_eligible(
    request_class: str | None, decisions: dict[str, Any], ok: bool
) -> None:
    assert eligible(request_class, decisions) is ok


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(KNOWLEDGE_BASE_FILE.read_text("utf-8"))
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.pop("version"), "entry 'night-bus': field 'version'"),
        (lambda e: e["answer"].pop("en"), "entry 'night-bus': field 'answer.en'"),
        (lambda e: e["keywords"].update(ko=[]), "entry 'night-bus': field 'keywords.ko'"),
        (lambda e: e.update(category="buses"), "entry 'night-bus': field 'category'"),
        (
            lambda e: e["answer"].update(ko="{deadline}까지"),
            "entry 'night-bus': field 'answer.ko' has unknown placeholder {deadline}",
        ),
        (lambda e: e.update(id="Night Bus!"), "entry #1: field 'id'"),
    ],
)
def test_a_malformed_entry_is_named_with_its_field(change: Any, message: str) -> None:
    raw = copy.deepcopy(_raw())
    change(raw["entries"][0])
    categories = [e["category"] for e in _raw()["entries"]]
    with pytest.raises(KnowledgeBaseError) as err:
        KnowledgeBase.from_dict(raw, categories)
    assert message in err.value.detail


def test_a_duplicate_id_is_refused() -> None:
    raw = _raw()
    raw["entries"].append(copy.deepcopy(raw["entries"][0]))
    with pytest.raises(KnowledgeBaseError, match="'night-bus': id is used twice"):
        KnowledgeBase.from_dict(raw)


def test_a_broken_file_stops_start_up_with_one_clear_line(tmp_path: Path) -> None:
    raw = _raw()
    del raw["entries"][2]["answer"]["ko"]
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    settings = Settings(env="test", secret_key=TEST_SECRET, auto_answer_file=path)
    with pytest.raises(SettingsError) as err:
        knowledge_base(settings)
    message = str(err.value)
    assert message.startswith("SMC_AUTO_ANSWER_FILE: ") and str(path) in message
    assert "entry 'district-office-hours': field 'answer.ko'" in message
    assert knowledge_base(Settings(env="test", secret_key=TEST_SECRET, auto_answer=False)) is None
