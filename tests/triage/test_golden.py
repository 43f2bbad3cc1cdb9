"""The engine decides a fixed corpus exactly as the reference engine did (values,
confidences, versions and reasons), in batch and one at a time: a faster engine must not
change a single decision. See tests/triage/golden.py for the corpus and how to regenerate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.triage_engine import TriageEngine
from tests.triage.golden import GOLDEN_FILE, encode, engines, posted


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN_FILE.read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def golden_engines(golden: dict[str, Any]) -> dict[str, TriageEngine]:
    return engines(golden["vocabulary"])


@pytest.mark.parametrize("name", ["rules", "learned"])
def test_batch_decisions_equal_the_reference(
    golden: dict[str, Any], golden_engines: dict[str, TriageEngine], name: str
) -> None:
    posts = [posted(item) for item in golden["corpus"]]
    got = [encode(d) for d in golden_engines[name].decide_many(posts)]
    expected = golden["expected"][name]
    assert len(got) == len(expected) == len(posts) > 400
    for item, g, e in zip(golden["corpus"], got, expected, strict=True):
        assert g == e, item["text"][:80]


@pytest.mark.parametrize("name", ["rules", "learned"])
def test_one_at_a_time_equals_the_reference(
    golden: dict[str, Any], golden_engines: dict[str, TriageEngine], name: str
) -> None:
    engine = golden_engines[name]
    for item, e in zip(golden["corpus"], golden["expected"][name], strict=True):
        assert encode(engine.decide(posted(item))) == e, item["text"][:80]


def test_batches_of_any_size_and_order_decide_the_same(
    golden: dict[str, Any], golden_engines: dict[str, TriageEngine]
) -> None:
    engine = golden_engines["learned"]
    corpus, expected = golden["corpus"][::-1], golden["expected"]["learned"][::-1]
    for size in (1, 7, 64):
        got = []
        for i in range(0, len(corpus), size):
            got += [
                encode(d) for d in engine.decide_many([posted(x) for x in corpus[i : i + size]])
            ]
        assert got == expected


def test_a_big_batch_decides_the_same_and_leaves_the_collector_as_it_was(
    golden: dict[str, Any], golden_engines: dict[str, TriageEngine]
) -> None:
    import gc

    engine = golden_engines["learned"]
    posts = [posted(item) for item in golden["corpus"]] * 3  # over the big-batch threshold
    for collector_on in (True, False):
        (gc.enable if collector_on else gc.disable)()
        try:
            got = [encode(d) for d in engine.decide_many(posts)]
            assert gc.isenabled() is collector_on
        finally:
            gc.enable()
        assert got == golden["expected"]["learned"] * 3
