"""The shortcuts of the fast triage path give exactly what the plain computations give:
one normalisation shared by tokens and gazetteer, guarded tries, the ASCII tokenizer, the
per-word bigram cache, and the engine's memo tables follow new rules and taxonomies."""

from __future__ import annotations

import json
import random
import re

from channels.triage_config import RULES_FILE, build_engine
from domain.classifier import _TOKEN, MAX_CHARS, feature_rows, lowered, tokens, tokens_of
from domain.gazetteer import normalize, normalize_lowered
from domain.taxonomy import guarded_trie, trie_pattern
from domain.triage_engine import Posted
from domain.triage_rules import RoutingRules
from tests.triage.golden import GOLDEN_FILE, posted

ODD = "'’‘ʼ`ŏŭŎŬ#@/:._- \u200b\u0000ſKİΣς😀가힣ᄏ①ｂＡ"


def _texts(n: int = 3_000) -> list[str]:
    rnd = random.Random(11)
    golden = json.loads(GOLDEN_FILE.read_text("utf-8"))["corpus"]
    out = [posted(item).text for item in golden]
    pool = ODD + "abcxyz Seoul's www.x.com http://t.co @user_1 강남역에서 "
    for _ in range(n):
        out.append("".join(rnd.choice(pool) for _ in range(rnd.randint(0, 30))))
        out.append("".join(chr(rnd.randint(0, 0x2FFFF)) for _ in range(rnd.randint(0, 12))))
    return out


def test_one_normalisation_serves_tokens_and_gazetteer() -> None:
    for text in _texts():
        low = lowered(text)
        assert normalize_lowered(low) == normalize(f"{text[:MAX_CHARS]} "), text
        assert tokens_of(low) == _TOKEN.findall(_plain_subs(low)), text
        assert tokens(text) == tokens_of(low)


def _plain_subs(low: str) -> str:
    low = re.sub(r"https?://\S+|www\.\S+", " xxurl ", low, flags=re.IGNORECASE)
    return re.sub(r"@\w+", " xxmention ", low)


def test_guarded_tries_match_what_plain_tries_match() -> None:
    rnd = random.Random(5)
    alphabet = "abc가나다 ŏ#"
    words = {"".join(rnd.choice(alphabet[:6]) for _ in range(rnd.randint(1, 4))) for _ in range(60)}
    plain = re.compile(f"(?<![^ ])(?:{trie_pattern(words)})")
    guarded = re.compile(f"(?<![^ ])(?:{guarded_trie(words)})")
    for _ in range(3_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20)))
        assert plain.findall(text) == guarded.findall(text), text
    assert guarded_trie([]) == trie_pattern([])


def test_bigram_cache_gives_the_same_rows() -> None:
    texts = [tokens(t) for t in _texts(500)] * 2
    vocabulary: dict[str, int] = {}
    for words in texts[:400]:
        for w in words:
            vocabulary.setdefault(w, len(vocabulary))
            if len(w) > 2:
                vocabulary.setdefault(f"~{w[:2]}", len(vocabulary))
    cache: dict[str, list[int | None]] = {}
    assert feature_rows(texts, vocabulary, cache) == feature_rows(texts, vocabulary)
    assert cache and feature_rows(texts, vocabulary, cache) == feature_rows(texts, vocabulary)


def test_remembered_decisions_follow_new_rules() -> None:
    engine = build_engine(None)
    before = engine.decide(Posted("버스가 안 와요"))["destination"]
    assert before.value == "dept:BUS"
    raw = json.loads(RULES_FILE.read_text("utf-8"))
    for rule in raw["rules"]:
        if rule.get("to") == "dept:BUS":
            rule["to"], rule["why"] = "dept:TRANSPORT", "bus, now with transport"
    raw["version"] = "test.2"
    engine.rules = RoutingRules.from_dict(raw, engine.taxonomy.codes())
    after = engine.decide(Posted("버스가 안 와요"))["destination"]
    assert (after.value, after.version) == ("dept:TRANSPORT", "rules@test.2")
    assert after.reason.endswith("bus, now with transport")


def test_place_prefilter_reads_hashtags_as_the_plain_translation_did() -> None:
    from channels.triage_config import load_places
    from domain.triage_places import _DIACRITICS_AND_HASH

    places = load_places()
    texts = [" ".join(tokens(t)) for t in _texts(1_000)]
    texts += ["#강남역 침수", "x#gangnam", "#chŏngno gu", "#", "a #b #망원동", "#서울 #hongdae"]
    for joined in texts:
        plain = places._start.search(joined.translate(_DIACRITICS_AND_HASH)) is not None
        assert places.may_name_a_place_joined(joined) is plain, joined
