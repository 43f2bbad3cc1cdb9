"""``Case.OpenedRouted``: intake opens, classifies and assigns a new case in one event. The
aggregate and every view end as they would after ``Opened`` + ``Classified`` + ``Assigned``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.bootstrap import Container
from domain.context import Cause, acting
from domain.ledger import Case, State
from domain.postings import IncomingPosting, Posting
from projections.ledger import LedgerProjection
from projections.open311 import Open311Projection
from projections.public import PublicProjection

KST = ZoneInfo("Asia/Seoul")
AT = datetime(2026, 7, 13, 10, 0, tzinfo=KST)
DEADLINE = AT + timedelta(days=3)
SYSTEM = Cause("system:test")


def _three_events(posting: Posting, unit: str | None) -> Case:
    case = Case(str(posting.id), posting.channel, posting.created_at)
    case.classify("simple", DEADLINE, False)
    if unit is not None:
        case.assign(unit, "triage")
    return case


def _one_event(posting: Posting, unit: str | None) -> Case:
    return Case.open_routed(
        str(posting.id),
        posting.channel,
        posting.created_at,
        ("simple", DEADLINE, False),
        (unit, "triage"),
    )


@pytest.mark.parametrize("unit", ["department:BUS", None])
def test_one_event_gives_the_state_of_three(container: Container, unit: str | None) -> None:
    item = IncomingPosting(channel="web", source_id="s1", created_at=AT, text="가로등이 꺼졌어요")
    with acting(SYSTEM, AT):
        posting = Posting.receive(item)
        old, new = _three_events(posting, unit), _one_event(posting, unit)
    assert len(new.pending_events) == 1 and type(new.pending_events[0]).__name__ == "OpenedRouted"
    keep = ("posting_id", "channel", "received_at", "state", "request_class", "deadline", "unit")
    assert {k: getattr(new, k) for k in keep} == {k: getattr(old, k) for k in keep}
    assert new.state is (State.ASSIGNED if unit else State.TRIAGED)
    container.commands.run(SYSTEM, lambda: container.commands.save(posting, new))
    loaded = container.store.load(new.id, Case, "case")  # from the stored event
    assert {k: getattr(loaded, k) for k in keep} == {k: getattr(old, k) for k in keep}
    if unit is not None:
        with acting(SYSTEM, AT):
            loaded.designate("official-1")  # the next step of the table is open to it
        assert loaded.state is State.DESIGNATED


def _rows(container: Container, posting_id: str, case_id: str) -> dict[str, Any]:
    ledger = container.views.get(LedgerProjection).case_for_posting(posting_id)
    assert ledger is not None
    public = container.views.get(PublicProjection).query(
        "SELECT state, unit, request_class, deadline, case_id FROM pub_postings WHERE id = ?",
        [posting_id],
    )
    open311 = container.views.get(Open311Projection).query(
        "SELECT status, unit, expected_datetime, case_id FROM open311_requests WHERE id = ?",
        [posting_id],
    )
    skip = {"id", "posting_id", "version", "position", "updated_at", "case_id"}
    return {
        "ledger": {k: v for k, v in ledger.items() if k not in skip},
        "public": [{k: v for k, v in r.items() if k != "case_id"} for r in public],
        "open311": [{k: v for k, v in r.items() if k != "case_id"} for r in open311],
        "linked": [r["case_id"] == case_id for r in [*public, *open311]],
    }


@pytest.mark.parametrize("unit", ["department:BUS", None])
def test_views_match_the_three_event_path(container: Container, unit: str | None) -> None:
    items = [
        IncomingPosting(
            channel="open311", source_id=f"v{i}", created_at=AT, text="가로등이 꺼져 있어요"
        )
        for i in range(2)
    ]

    def command() -> int:
        postings = [Posting.receive(i) for i in items]
        cases = [_three_events(postings[0], unit), _one_event(postings[1], unit)]
        return container.commands.save(*postings, *cases)

    position = container.commands.run(SYSTEM, command)
    container.views.wait(position)
    old, new = (_rows(container, str(i.posting_id), str(Case.create_id(str(i.posting_id))))
                for i in items)  # fmt: skip
    assert old == new
    assert new["ledger"]["state"] == ("assigned" if unit else "triaged")
    assert new["linked"] and all(new["linked"])
