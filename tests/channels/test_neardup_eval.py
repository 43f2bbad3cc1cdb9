"""The ground truth used to measure near-duplicate clustering (bench/neardup_eval.py)."""

from __future__ import annotations

from bench.neardup_eval import key, predict, score, truth

TEXTS = [
    "Explosion at the fertilizer plant in West, Texas &amp; many hurt http://t.co/abc",
    "RT @news: Explosion at the fertilizer plant in West, Texas & many hurt http://t.co/xyz",
    "RT @a: RT @news: Explosion at the fertilizer plant in West, Texas &amp; many h…",
    "Praying for everyone in West Texas tonight",
    "short one",
    "short one",
]


def test_key_drops_retweet_prefixes_urls_mentions_and_cut_offs() -> None:
    assert key(TEXTS[0]) == key(TEXTS[1]) == "explosionatthefertilizerplantinwesttexasmanyhurt"
    assert key(TEXTS[2]) == "explosionatthefertilizerplantinwesttexasmanyh"


def test_truth_joins_copies_and_cut_off_retweets_but_not_short_texts() -> None:
    gold = truth(TEXTS)
    assert gold[0] == gold[1] == gold[2]
    assert len({gold[3], gold[4], gold[5], gold[0]}) == 4


def test_scores_are_pairwise() -> None:
    gold = truth(TEXTS)
    precision, recall, tp, predicted, true = score(predict(TEXTS, 0.7), gold)
    assert true == 3 and tp <= predicted
    assert 0.0 <= precision <= 1.0 and 0.0 <= recall <= 1.0
    assert score(["a", "a", "b"], [1, 1, 2]) == (1.0, 1.0, 1, 1, 1)
