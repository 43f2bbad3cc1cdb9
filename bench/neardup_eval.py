"""Precision and recall of near-duplicate clustering (domain.neardup) on CrisisLexT26.

``python -m bench.neardup_eval [CSV] [--thresholds 0.5,0.6,...]``

Tweets are fed in id (time) order through ``NearDuplicateIndex`` exactly as intake does: each
joins the case of its best match at or above the threshold, or opens its own case.

Ground truth ("same message", independent of the index's shingles and threshold):
two tweets are the same message when their *keys* are equal, or when one key is a prefix of
the other and the shorter key has at least ``PREFIX_MIN`` characters (a retweet cut off by the
140-character limit). The key: HTML entities decoded, NFKC, lower case, every leading
``RT @user:`` removed, URLs (also cut-off ``http…`` fragments) and @mentions removed, ``#`` kept
as a word, every non-word character and all whitespace removed. Truth clusters are the
connected components of that relation. Keys shorter than ``MIN_KEY`` characters are singletons
(too short to call the same message).

Scores are pairwise: a pair of tweets is predicted positive when both are in one case, and
truly positive when both are in one truth cluster. precision = TP / predicted pairs,
recall = TP / true pairs.
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from domain.neardup import NearDuplicateIndex

PREFIX_MIN = 40
MIN_KEY = 12
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
RT = re.compile(r"^(\s*rt\s+@\w+\s*:?\s*)+", re.IGNORECASE)
URL = re.compile(r"(https?://\S*|https?…|http…|htt…|ht…|www\.\S+)", re.IGNORECASE)
MENTION = re.compile(r"@\w+")
NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
TRAILING_CUT = re.compile(r"(\.\.\.|…)\s*$")


def key(text: str) -> str:
    text = unicodedata.normalize("NFKC", html.unescape(text)).lower()
    text = RT.sub("", text)
    text = URL.sub(" ", text)
    text = MENTION.sub(" ", text)
    text = TRAILING_CUT.sub("", text)
    return NON_WORD.sub("", text)


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def truth(texts: Sequence[str]) -> list[int]:
    """Truth cluster label per tweet (see the module docstring)."""
    keys = [key(t) for t in texts]
    uf = UnionFind(len(texts))
    by_key: dict[str, int] = {}
    for i, k in enumerate(keys):
        if len(k) >= MIN_KEY:
            uf.union(by_key.setdefault(k, i), i)
    ordered = sorted(by_key)
    for pos, short in enumerate(ordered):
        if len(short) < PREFIX_MIN:
            continue
        for longer in ordered[pos + 1 :]:
            if not longer.startswith(short):
                break
            uf.union(by_key[short], by_key[longer])
    return [uf.find(i) for i in range(len(texts))]


def predict(texts: Sequence[str], threshold: float) -> list[str]:
    """Case id per tweet, exactly as intake assigns them."""
    index = NearDuplicateIndex(threshold, capacity=len(texts) + 1)
    cases: list[str] = []
    for i, text in enumerate(texts):
        match = index.find(text)
        case = match.case_id if match else str(i)
        index.add(str(i), text, case if match else None)
        cases.append(case)
    return cases


def pairs(counts: Iterable[int]) -> int:
    return sum(c * (c - 1) // 2 for c in counts)


def score(predicted: Sequence[str], gold: Sequence[int]) -> tuple[float, float, int, int, int]:
    tp = pairs(Counter(zip(predicted, gold, strict=True)).values())
    pred = pairs(Counter(predicted).values())
    true = pairs(Counter(gold).values())
    return (tp / pred if pred else 1.0), (tp / true if true else 1.0), tp, pred, true


def load(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows.sort(key=lambda r: int(r["tweet_id"]))
    return [r["tweet_text"] for r in rows]


def default_csv() -> Path:
    from tests.shared_data import shared_data_dir

    base = shared_data_dir()
    if base is None:
        sys.exit("shared data not found: give the CSV path or set SMC_SHARED_DATA")
    return base / "tweets" / "crisislext26_shared70.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.neardup_eval", description=__doc__)
    parser.add_argument("csv", nargs="?", type=Path, default=None)
    parser.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)))
    parser.add_argument(
        "--sample", type=int, default=0, help="print this many disagreements (for hand-labelling)"
    )
    args = parser.parse_args(argv)
    texts = load(args.csv or default_csv())
    gold = truth(texts)
    clusters = Counter(gold)
    print(f"{len(texts):,} tweets; truth: {sum(1 for c in clusters.values() if c > 1):,} clusters")
    print(f"of 2+ tweets holding {sum(c for c in clusters.values() if c > 1):,} tweets\n")
    print(
        "| threshold | precision | recall | F1 | true pairs found | predicted pairs |"
        " true pairs | cases | seconds |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for threshold in (float(t) for t in args.thresholds.split(",")):
        started = time.perf_counter()
        predicted = predict(texts, threshold)
        seconds = time.perf_counter() - started
        p, r, tp, pred, true = score(predicted, gold)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(
            f"| {threshold:.2f} | {p:.3f} | {r:.3f} | {f1:.3f} | {tp:,} | {pred:,} | {true:,}"
            f" | {len(set(predicted)):,} | {seconds:.1f} |"
        )
        if args.sample:
            disagreements(texts, predicted, gold, args.sample)
    return 0


def disagreements(
    texts: Sequence[str], predicted: Sequence[str], gold: Sequence[int], k: int
) -> None:
    """Tweets put in a case whose first tweet is not the same message, and the reverse."""
    import random

    rng = random.Random(26)
    first_of_truth: dict[int, int] = {}
    for i, g in enumerate(gold):
        first_of_truth.setdefault(g, i)
    false_pos = [i for i, c in enumerate(predicted) if c != str(i) and gold[int(c)] != gold[i]]
    missed = [
        i
        for i, g in enumerate(gold)
        if first_of_truth[g] != i and predicted[i] != predicted[first_of_truth[g]]
    ]
    groups: list[tuple[str, list[int], dict[int, int]]] = [
        ("clustered, not the same message", false_pos, {i: int(predicted[i]) for i in false_pos}),
        ("same message, not clustered", missed, {i: first_of_truth[gold[i]] for i in missed}),
    ]
    for name, found, other in groups:
        print(f"\n## {name}: {len(found):,} tweets; a sample of {min(k, len(found))}")
        for i in rng.sample(found, min(k, len(found))):
            print(f"- A: {texts[other[i]]!r}\n  B: {texts[i]!r}")


if __name__ == "__main__":
    sys.exit(main())
