"""What crosses the replay's pipe pickles to equal objects (each has its own, faster
``__reduce__``): incoming postings, fingerprints before and after shingling, made-ahead
triage events with their ids."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from domain.ids import uuid_of_int
from domain.intake_premap import TriageAhead
from domain.neardup import fingerprint_of
from domain.postings import IncomingPosting
from domain.triage import FieldDecision
from domain.triage_engine import unknown_decisions

T = TypeVar("T")
T0 = datetime(2026, 7, 14, 1, 0, tzinfo=UTC)


def again(obj: T) -> T:
    copied: T = pickle.loads(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own
    return copied


def test_incoming_posting_round_trip() -> None:
    item = IncomingPosting(
        channel="x",
        source_id="42",
        text="강남역 버스 정류장 #서울시",
        created_at=T0,
        lat=37.49,
        lon=127.02,
        hashtags=("#서울시",),
        contact={"email": "a@example.org"},
    )
    for copied in (again(item), copy.deepcopy(item), copy.copy(item)):
        assert copied == item
        assert isinstance(copied, IncomingPosting)
        assert copied.posting_id == item.posting_id
        assert vars(copied) == vars(item)


def test_fingerprint_round_trip_before_and_after_shingling() -> None:
    fp = fingerprint_of("Flooding on Gangnam-daero near the station, avoid the area!", 12)
    assert fp is not None
    fresh = again(fp)
    assert fresh.normal == fp.normal
    fp.shingled()
    shingled = again(fp)
    assert shingled.normal == fp.normal
    assert shingled.shingled() == fp.shingled()
    assert fresh.shingled() == fp.shingled()


def test_made_ahead_triage_keeps_its_id_and_bytes() -> None:
    decisions = {
        **unknown_decisions("not looked at"),
        "category": FieldDecision("bus", 0.9, "v1", "keywords: 버스"),
    }
    posting_id = UUID("65d884d0-a845-5061-b8d0-a809d95e6ce1")
    mapped = TriageAhead().make(posting_id, decisions)
    copied = again(mapped)
    assert copied == mapped
    triage_id = copied.row[0]
    assert isinstance(triage_id, UUID)
    assert triage_id == mapped.row[0] and hash(triage_id) == hash(mapped.row[0])
    assert str(triage_id) == str(mapped.row[0])
    assert uuid_of_int(mapped.row[0].int) == mapped.row[0]
