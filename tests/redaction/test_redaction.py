"""Redaction before disclosure: the corpus, offsets, guarantees and speed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.redaction import MARKERS, SHORT_MARKERS, Kind, normalise, redact

CORPUS = [
    json.loads(line)
    for line in (Path(__file__).parent / "corpus.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


def test_corpus_is_big_enough_and_has_negatives() -> None:
    assert len(CORPUS) >= 60
    assert sum(c["note"].startswith("NEGATIVE") for c in CORPUS) >= 15


@pytest.mark.parametrize("case", CORPUS, ids=[c["note"] for c in CORPUS])
def test_corpus(case: dict[str, Any]) -> None:
    result = redact(case["text"])
    if "expected" in case:
        assert result.text == case["expected"], case["note"]
    if "kinds" in case:
        assert sorted(f.kind.value for f in result.findings) == sorted(case["kinds"])
    assert redact(result.text).text == result.text, "idempotent"


def test_findings_point_into_the_original_text() -> None:
    text = "전화 ０１０－１２３４－５６７８, 메일 kim@naver.com, 차 12가3456."
    result = redact(text)
    spans = [(f.kind, text[f.start : f.end]) for f in result.findings]
    assert spans == [
        (Kind.PHONE, "０１０－１２３４－５６７８"),
        (Kind.EMAIL, "kim@naver.com"),
        (Kind.PLATE, "12가3456"),
    ]
    assert result.counts() == {Kind.PHONE: 1, Kind.EMAIL: 1, Kind.PLATE: 1}
    assert result.changed


def test_text_outside_findings_is_kept_exactly() -> None:
    text = "ＡＢＣ　가나다 010-1234-5678 끝！"
    assert redact(text).text == "ＡＢＣ　가나다 [전화번호/phone] 끝！"
    assert not redact("ＡＢＣ　가나다").changed


def test_normalise_keeps_length_and_folds_full_width() -> None:
    text = "０１０－１２３４　kim＠naver．com ㅡ —"
    folded = normalise(text)
    assert len(folded) == len(text)
    assert folded == "010-1234 kim@naver.com - -"


def test_markers_are_short_enough_for_every_kind() -> None:
    for kind in Kind:
        assert len(SHORT_MARKERS[kind]) <= 6 <= len(MARKERS[kind])


def test_context_is_the_sentence() -> None:
    text = "신한은행 지점에 갔습니다.\n민원번호 110-123-456789 입니다."
    assert redact(text).text == text
    assert redact("신한은행 110-123-456789 입니다.").findings[0].kind is Kind.ACCOUNT


def test_speed() -> None:
    texts = [c["text"] for c in CORPUS] * 40
    started = time.perf_counter()
    for text in texts:
        redact(text)
    rate = len(texts) / (time.perf_counter() - started)
    assert rate >= 5000, f"{rate:.0f} texts/s"


# -- properties --------------------------------------------------------------

FRAGMENTS = [
    "010-1234-5678",
    "0 1 0",
    "1234",
    "5678",
    "02",
    "+82",
    "+1",
    "(212)",
    "555-0100",
    " ",
    " - ",
    "-",
    ".",
    "\n",
    "은행",
    "계좌",
    "신한",
    "차량",
    "가",
    "허",
    "서울",
    "12",
    "123",
    "4567",
    "900101",
    "1234567",
    "******",
    "4111",
    "kim",
    "@",
    " at ",
    " dot ",
    "naver",
    "com",
    ".com",
    "점",
    "골뱅이",
    "０",
    "１２３",
    "－",
    "plate ",
    "ABC",
    "[전화번호/phone]",
    "[이메일]",
    "번지",
    "2026",
    "07",
    "14",
    "명",
    "버스",
    "N26",
    "account",
    "bank",
    "3333",
    "01",
]
texty = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=10).map("".join),
)


@settings(max_examples=1500, deadline=None)
@given(texty)
def test_idempotent_and_never_longer(text: str) -> None:
    once = redact(text).text
    assert redact(once).text == once
    assert len(once) <= len(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Nd"]), max_size=80))
def test_digit_free_text_never_lengthens(text: str) -> None:
    result = redact(text)
    assert len(result.text) <= len(text)
    assert redact(result.text).text == result.text
