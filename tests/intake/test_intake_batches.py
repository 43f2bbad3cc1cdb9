"""Intake's batch paths decide exactly what the one-item paths decide: triage of a whole
batch at once (and one failing posting spoils only its own decision), and the vectorised
MinHash signature."""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from api.bootstrap import Container
from domain.context import Cause, acting
from domain.neardup import SEEDS, signature
from domain.postings import IncomingPosting, Posting
from domain.triage import Triage
from domain.triage_engine import Posted
from domain.triage_service import TriageService

AT = datetime(2026, 7, 14, 1, 0, tzinfo=UTC)
TEXTS = (
    "472번 버스가 30분째 안 와요. 배차 간격 좀 줄여주세요",
    "강남구 역삼역 3번 출구 가로등이 꺼져 있어요",
    "마포구 한강공원 쓰레기가 며칠째 쌓여 있습니다",
    "Pothole on the road near Seoul Station",
    "boom",
)


def _pairs() -> list[tuple[Posting, IncomingPosting]]:
    items = [
        IncomingPosting(channel="web", source_id=f"b{i}", created_at=AT, text=t, lon=None)
        for i, t in enumerate(TEXTS)
    ]
    return [(Posting.receive(i), i) for i in items]


def _decisions(triaged: Any) -> dict[str, Any]:
    assert isinstance(triaged, Triage)
    return dict(triaged.decisions)


def test_batch_triage_decides_what_single_triage_decides(container: Container) -> None:
    assert container.triage is not None
    with acting(Cause("system:test"), AT):
        pairs = _pairs()
        one_by_one = [_decisions(container.triage.triage(p, i)) for p, i in pairs]
        batch = [_decisions(t) for t in container.triage.triage_many(pairs)]
    assert batch == one_by_one
    assert any(d["request_class"]["value"] for d in batch)


class Failing:
    """An engine that cannot look at one posting ("boom"): the batch call fails as a whole."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def decide_many(self, posteds: Sequence[Posted]) -> list[Any]:
        if any(p.text == "boom" for p in posteds):
            raise RuntimeError("boom")
        return list(self.inner.decide_many(posteds))

    def decide(self, posted: Posted) -> Any:
        return self.decide_many([posted])[0]


def test_one_bad_posting_spoils_only_its_own_decision(container: Container) -> None:
    assert container.triage is not None
    service = TriageService(container.commands, Failing(container.triage.engine))  # type: ignore[arg-type]
    with acting(Cause("system:test"), AT):
        decided = [_decisions(t) for t in service.triage_many(_pairs())]
    reasons = [d["category"]["reason"] for d in decided]
    assert reasons[-1].startswith("triage failed: RuntimeError: boom")
    assert not any(r.startswith("triage failed") for r in reasons[:-1])
    assert any(d["request_class"]["value"] for d in decided[:-1])


def test_signature_is_the_plain_minimum_per_seed() -> None:
    rng = random.Random(7)
    for size in (1, 2, 5, 40, 300):
        hashes = frozenset(zlib.crc32(rng.randbytes(8)) for _ in range(size))
        expected = tuple(min(h ^ seed for h in hashes) for seed in SEEDS)
        assert signature(hashes) == expected
