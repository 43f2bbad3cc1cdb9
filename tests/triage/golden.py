"""A fixed triage corpus and its expected decisions (``golden_decisions.json``), so that a
faster engine can be checked to decide exactly as the engine did when the file was written.

The corpus is stored in the file itself (the test needs no shared data). It mixes Korean city
postings naming places from the gazetteer (decisive, ambiguous, outside Seoul, noise),
English crisis tweets, mixed scripts, URLs, mentions, romanisations, bad input (empty, emoji,
100 KB texts), points inside and outside Seoul, place boxes, place names, addresses and
accounts. Decisions are recorded for the rules-only engine and for the engine with two
synthetic learned models (seeded weights over a stored vocabulary), so that the "a model
replaces the rule when more confident" path is covered too.

Regenerate only on purpose, with the code whose decisions are the reference:
``PYTHONPATH=. .venv/bin/python -m tests.triage.golden``.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import numpy as np

from channels.reference_data import GAZETTEER_FILE
from channels.triage_config import TAXONOMY_FILE, build_engine
from domain.classifier import LinearModel, build_vocabulary
from domain.taxonomy import INFO_TYPES
from domain.triage import FieldDecision
from domain.triage_engine import Posted, TriageEngine
from tests.shared_data import shared_data_dir

GOLDEN_FILE = Path(__file__).with_name("golden_decisions.json")
CATEGORY_CLASSES = ("bus", "road", "waste", "not_actionable", "housing")

KO = [
    "{p} 근처 버스 정류장이 침수됐어요 #서울호우",
    "{p}에서 불법주차 때문에 지나갈 수가 없어요",
    "{p} 골목 쓰레기 무단투기 신고합니다",
    "지하철 2호선 {p} 운행 중단 언제 재개되나요?",
    "{p} 도로에 포트홀이 생겼어요 위험해요",
    "오늘 {p} 날씨 좋네요 ㅎㅎ",
    "{p} 재개발 철거 일정이 궁금합니다",
    "택시 승차거부 당했어요 {p}에서",
    "{p} 건물에 불이 났어요 살려주세요",
    "{p}역 앞 가로등이 고장 났어요",
    "{p} 주민센터 증명서 발급 시간 문의",
    "{p} 근처에서 사고로 부상자가 여러 명 있어요",
    "{p}에 버스 노선을 늘려 주셨으면 합니다 제안합니다",
]
EN = [
    "Pothole near {p}, please fix it",
    "Flooding at {p} station, avoid the area",
    "The bus never came at {p} this morning",
    "Fire near {p}!! people trapped, help us",
    "Praying for everyone in {p} #prayforseoul",
    "Illegal parking blocking the road at {p}'s main street",
]
MIXED = [
    "RT @seoul_smc: {p} 버스 broken again https://t.co/abc123 #bus",
    "{p} subway 운행 중단?? www.example.com/status",
    "ＦＵＬＬＷＩＤＴＨ ｂｕｓ {p} 정류장 ① ⅱ",
    "Chŏngno-gu 에서 Sŏngsu-dong 까지 버스가 안 와요",
    "{p} 🚌🔥 버스킹 공연 너무 좋았어요",
    "Сеул {p} 東京 ソウル 🚌 bus مرحبا \u200b",
]
BAD: list[dict[str, Any]] = [
    {"text": ""},
    {"text": "   "},
    {"text": "😀🚌🔥"},
    {"text": "https://t.co/abc http://example.com/x @seoul_smc"},
    {"text": "가", "repeat": 100_000},
    {"text": "버스 ", "repeat": 20_000},
    {"text": "x", "repeat": 100_000},
    {"text": "망원동 ", "repeat": 3_000},
    {"text": "Seoul 서울 Сеул 東京 ソウル 🚌 bus مرحبا \u200b\u0000"},
    {"text": "\ud7a3\uffff\U0010ffff"},
    {"text": "@@@ ### /// www. http:// ’s 's ŏŭ"},
]
GEO: list[dict[str, Any]] = [
    {"text": "hello", "lon": float("nan"), "lat": 37.5},
    {"text": "망원동 hello", "lon": 127.0, "lat": 95.0},
    {"text": "hello", "lon": 129.0756, "lat": 35.1796},
    {"text": "hello", "place_bbox": [127.06, 37.51, 127.05, 37.505]},
    {"text": "hello", "place_bbox": [126.7, 37.3, 127.3, 37.8]},
    {"text": "hello", "place_bbox": [127.0, 37.5, 127.0, 37.5]},
    {"text": "hello", "place_bbox": [200.0, 37.5, 201.0, 37.6]},
    {"text": "", "place_name": "Mangwon-dong", "address": "Seoul"},
    {"text": "쓰레기 무단투기", "address": "서울 마포구 망원동", "account": "Seoul_Topis"},
]


def _places(rnd: random.Random) -> list[str]:
    entries = json.loads(GAZETTEER_FILE.read_text("utf-8"))
    names: list[str] = []
    for e in entries:
        names.append(e["name"])
        names.extend(e.get("aliases", ()))
    picked = rnd.sample(names, 140)
    return [*picked, "집 앞", "회사", "학교 앞", "우리 동네", "강동원", "서울", "한강"]


def _english(rnd: random.Random) -> list[str]:
    base = shared_data_dir()
    path = base / "tweets" / "crisislext26_shared70.csv" if base else None
    if path is None or not path.exists():
        raise SystemExit("the golden corpus needs ../shared/data/tweets/crisislext26_shared70.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        texts = [row["tweet_text"] for row in csv.DictReader(fh)]
    return rnd.sample(texts, 120)


def _keyword_texts(rnd: random.Random) -> list[str]:
    raw = json.loads(TAXONOMY_FILE.read_text("utf-8"))
    words = [w for c in raw["categories"] for w in (*c.get("keywords_ko", ()),
                                                    *c.get("keywords_en", ()))]  # fmt: skip
    for group in ("request_class_keywords", "info_type_keywords"):
        words += [w for ws in raw[group].values() for w in ws]
    words += list(raw.get("not_keywords", ()))
    out = []
    for _ in range(60):
        picked = rnd.sample(words, rnd.randint(1, 5))
        out.append(" ".join(w + rnd.choice(["", "가", "를", "에서", "s", ""]) for w in picked))
    return out


def build_corpus() -> list[dict[str, Any]]:
    rnd = random.Random(20261126)
    places = _places(rnd)
    items: list[dict[str, Any]] = []
    for i in range(200):
        template = rnd.choice(KO if i % 3 else EN)
        items.append({"text": template.format(p=rnd.choice(places))})
    items += [{"text": rnd.choice(MIXED).format(p=rnd.choice(places))} for _ in range(40)]
    items += [{"text": t} for t in _english(rnd)]
    items += [{"text": t} for t in _keyword_texts(rnd)]
    for item in items:
        _decorate(item, rnd, places)
    items += [dict(b) for b in BAD] + [{**b, "lon": 126.97794, "lat": 37.56637} for b in BAD]
    return items + [dict(g) for g in GEO]


def _decorate(item: dict[str, Any], rnd: random.Random, places: list[str]) -> None:
    roll = rnd.random()
    if roll < 0.15:
        item["lon"], item["lat"] = 126.75 + rnd.random() * 0.5, 37.4 + rnd.random() * 0.3
    elif roll < 0.2:
        lon, lat = 126.8 + rnd.random() * 0.3, 37.45 + rnd.random() * 0.2
        size = rnd.choice([0.0, 0.003, 0.01, 0.3])
        item["place_bbox"] = [lon, lat, lon + size, lat + size]
    elif roll < 0.25:
        item["place_name"] = rnd.choice(places)
    elif roll < 0.3:
        item["address"] = f"서울특별시 {rnd.choice(places)} 123-4"
    if rnd.random() < 0.1:
        item["account"] = rnd.choice(["seoul_topis", "SEOUL_SAFETY", "seoul_smc", "other"])


def posted(item: dict[str, Any]) -> Posted:
    bbox = item.get("place_bbox")
    return Posted(
        item["text"] * item.get("repeat", 1), item.get("lon"), item.get("lat"),
        tuple(bbox) if bbox else None, item.get("place_name"), item.get("address"),
        item.get("account"),
    )  # fmt: skip


def synthetic_models(vocabulary: list[str]) -> dict[str, LinearModel]:
    """Two models with seeded weights: deterministic everywhere, no training needed."""
    vocab = {f: i for i, f in enumerate(vocabulary)}
    rng = np.random.default_rng(20261126)
    out = {}
    for name, classes in (("info_type", INFO_TYPES), ("category", CATEGORY_CLASSES)):
        weights = (rng.standard_normal((len(vocab), len(classes))) * 3).astype(np.float32)
        bias = (rng.standard_normal(len(classes))).astype(np.float32)
        out[name] = LinearModel(name, "v1", tuple(classes), vocab, weights, bias)
    return out


def engines(vocabulary: list[str]) -> dict[str, TriageEngine]:
    rules = build_engine(None)
    learned = build_engine(None)
    learned.models = synthetic_models(vocabulary)
    return {"rules": rules, "learned": learned}


def encode(decisions: dict[str, FieldDecision]) -> dict[str, list[Any]]:
    return {k: [d.value, d.confidence, d.version, d.reason] for k, d in decisions.items()}


def main() -> None:
    corpus = build_corpus()
    texts = [item["text"] for item in corpus]
    vocabulary = [f for f, _ in sorted(build_vocabulary(texts, min_count=2).items(),
                                       key=lambda kv: kv[1])]  # fmt: skip
    expected = {
        name: [encode(d) for d in engine.decide_many([posted(i) for i in corpus])]
        for name, engine in engines(vocabulary).items()
    }

    def lines(rows: list[Any]) -> str:
        return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]"

    parts = [
        f'"corpus": {lines(corpus)}',
        f'"vocabulary": {json.dumps(vocabulary, ensure_ascii=False)}',
    ]
    parts.append(
        '"expected": {' + ", ".join(f'"{n}": {lines(rows)}' for n, rows in expected.items()) + "}"
    )
    GOLDEN_FILE.write_text("{\n" + ",\n".join(parts) + "\n}\n", "utf-8")
    print(f"wrote {GOLDEN_FILE} ({len(corpus)} postings)")


if __name__ == "__main__":
    main()
