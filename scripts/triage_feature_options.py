"""Measure the feature options for the learned triage models (docs/triage.md, "Features").

For each option: featurisation speed (texts/s, one process) on the CrisisLexT26 developer
share, and information-type macro-F1 on our own 80/20 text-keyed split with the same
logistic regression. Usage: PYTHONPATH=. .venv/bin/python scripts/triage_feature_options.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from channels.analysis import Analysis
from channels.training_data import read_table
from domain.classifier import build_vocabulary, feature_rows
from tests.shared_data import shared_data_dir

MAP = {"Not labeled": "Not related", "Not applicable": "Not related"}


def ours(train: list[str], test: list[str]) -> tuple[csr_matrix, csr_matrix, float]:
    vocab = build_vocabulary(train)
    started = time.perf_counter()
    parts = feature_rows(test, vocab)
    rate = len(test) / (time.perf_counter() - started)
    x_test = csr_matrix((parts[2], parts[1], parts[0]), shape=(len(test), len(vocab)))
    p = feature_rows(train, vocab)
    return csr_matrix((p[2], p[1], p[0]), shape=(len(train), len(vocab))), x_test, rate


def hashing(**kw: object) -> Callable[[list[str], list[str]], tuple[csr_matrix, csr_matrix, float]]:
    def make(train: list[str], test: list[str]) -> tuple[csr_matrix, csr_matrix, float]:
        vec = HashingVectorizer(n_features=2**18, alternate_sign=False, **kw)
        started = time.perf_counter()
        x_test = vec.transform(test)
        rate = len(test) / (time.perf_counter() - started)
        return vec.transform(train), x_test, rate

    return make


def main() -> None:
    base = shared_data_dir()
    assert base is not None, "shared data not found"
    path = base / "tweets" / "crisislext26_shared70.csv"
    kw = {"label_map": MAP}
    train = read_table(path, ["tweet_text"], "information_type", rows="train", **kw)  # type: ignore[arg-type]
    test = read_table(path, ["tweet_text"], "information_type", rows="test", **kw)  # type: ignore[arg-type]
    options = {
        "words + word bigrams + Hangul char bigrams, vocabulary (chosen)": ours,
        "sklearn HashingVectorizer char_wb 2-4": hashing(analyzer="char_wb", ngram_range=(2, 4)),
        "sklearn HashingVectorizer words 1-2": hashing(ngram_range=(1, 2)),
    }
    for name, make in options.items():
        x_train, x_test, rate = make(train.texts, test.texts)
        fit = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(
            x_train, train.labels
        )
        f1 = f1_score(test.labels, fit.predict(x_test), average="macro")
        print(f"{name}: {rate:,.0f} texts/s, macro-F1 {f1:.3f}")  # noqa: T201
    analysis = Analysis()
    korean = [
        "강남역 근처 버스 정류장이 침수됐어요 #서울호우",
        "지하철 2호선 운행 중단 언제 재개되나요?",
    ] * 2000
    analysis.keywords(korean[:10])
    started = time.perf_counter()
    analysis.keywords(korean)
    rate = len(korean) / (time.perf_counter() - started)
    print(  # noqa: T201
        f"kiwipiepy nouns/stems (Korean sentences, kiwi={analysis.uses_kiwi}): {rate:,.0f} texts/s"
    )


if __name__ == "__main__":
    main()
