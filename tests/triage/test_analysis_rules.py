"""The reusable keyword analysis (kiwipiepy for Korean, a tokenizer for English, graceful
fallback), and validation of the city-editable taxonomy and routing rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels.analysis import Analysis, kiwi_available
from channels.triage_config import RULES_FILE, TAXONOMY_FILE, load_data
from domain.taxonomy import Taxonomy, TaxonomyError
from domain.triage_engine import Posted, TriageEngine
from domain.triage_rules import RoutingRules, RulesError


@pytest.mark.skipif(not kiwi_available(), reason="kiwipiepy not installed")
def test_kiwi_nouns_and_stems() -> None:
    a = Analysis()
    assert a.uses_kiwi
    for text in ("버스가 안 와요", "버스를 타요", "버스정류장 침수"):
        assert "버스" in a.one(text)
    assert "오다" in a.one("버스가 안 와요")
    assert a.one("강남역 #서울호우 flooding now") == ["강남역", "서울호우", "flooding", "now"]


def test_english_tokenizer_and_fallback() -> None:
    plain = Analysis(use_kiwi=False)
    assert not plain.uses_kiwi
    assert plain.one("The buses are late again! https://t.co/x @seoul") == [
        "buses",
        "late",
        "again",
    ]
    assert plain.one("버스가 안 와요") == ["버스가", "안", "와요"]
    assert plain.keywords(["", "😀", "Ciao Roma, l'autobus è in ritardo"])[:2] == [[], []]


def test_engine_with_the_analyser_agrees_on_examples(engine: TriageEngine) -> None:
    analysed = TriageEngine(
        engine.taxonomy, engine.rules, engine.locator, engine.places, analyzer=Analysis()
    )
    for text, category in [
        ("버스가 안 와요", "bus"),
        ("버스정류장이 부서졌어요", "bus"),
        ("불법주차 신고합니다", "parking"),
        ("Huge pothole on the road", "road"),
    ]:
        assert analysed.decide(Posted(text))["category"].value == category


def raw_taxonomy() -> dict[str, object]:
    data: dict[str, object] = json.loads(TAXONOMY_FILE.read_text("utf-8"))
    return data


def test_shipped_data_is_valid_and_has_the_issue_categories() -> None:
    data = load_data()
    codes = set(data.taxonomy.codes())
    assert {"bus", "taxi", "subway", "road", "parking", "housing", "safety", "environment",
            "waste", "welfare", "health", "culture", "administration",
            "not_actionable"} <= codes  # fmt: skip
    for c in data.taxonomy.categories:
        assert c.name_ko and c.name_en and c.keywords
    assert data.rules.rules[-1].to == "dept:SMC" and len(data.digest) == 16


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(request_class_order=["urgent"]), "unknown request class 'urgent'"),
        (lambda d: d["categories"].pop(), "'not_actionable' category is required"),
        (lambda d: d["categories"][1].update(parent="nope"), "unknown parent 'nope'"),
        (lambda d: d["categories"][0].update(code="Bad Code"), "category code 'Bad Code'"),
        (lambda d: d.update(info_type_keywords={"Rumours": ["x"]}), "unknown information type"),
        (lambda d: d["categories"][0].update(keywords_en=["!!"]), "has no letters"),
    ],
)
def test_taxonomy_errors_say_what_to_fix(change: object, message: str) -> None:
    data = raw_taxonomy()
    change(data)  # type: ignore[operator]
    with pytest.raises(TaxonomyError, match=message):
        Taxonomy.from_dict(data)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"when": {"category": ["bus"]}, "to": "dept:BUS"}], "last routing rule"),
        ([{"when": {"category": ["boats"]}, "to": "dept:BUS"}, {"to": "dept:SMC"}], "'boats'"),
        ([{"when": {"colour": ["red"]}, "to": "dept:BUS"}, {"to": "dept:SMC"}], "'colour'"),
        ([{"when": {}, "to": "BUS"}], "'dept:CODE' or 'district'"),
        ([{"when": {"category": ["waste"]}, "to": "district"}, {"to": "dept:SMC"}],
         "district_known: true"),
        ([{"when": {}, "to": "dept:NASA"}], "unknown department 'NASA'"),
        ([{"when": {}, "to": "dept:SMC", "confidence": 2}], "confidence"),
    ],
)  # fmt: skip
def test_routing_rule_errors_say_what_to_fix(rules: list[object], message: str) -> None:
    with pytest.raises(RulesError, match=message):
        RoutingRules.from_dict({"version": "t", "rules": rules}, ["bus", "waste"], ["BUS", "SMC"])


def test_bad_file_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "taxonomy.json"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match=r"taxonomy\.json"):
        load_data(broken, RULES_FILE)
