"""Every posting taken in gets its case in the same transaction: classified with a deadline,
and assigned at once when triage is sure of the destination."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from api.bootstrap import Container
from domain.context import Cause
from domain.ledger import Case
from domain.postings import IncomingPosting
from domain.routing import unit_of
from projections.ledger import LedgerProjection

KST = ZoneInfo("Asia/Seoul")
OFFICIAL = Cause("user:6f1c2a9e-0000-4000-8000-000000000001")


def test_units_from_triage_destinations() -> None:
    assert unit_of("dept:BUS") == "department:BUS"
    assert unit_of("gu:11680") == "district:11680"
    assert unit_of(None) is None and unit_of("nonsense") is None


def test_intake_opens_and_routes_the_case(container: Container) -> None:
    at = datetime(2026, 7, 13, 10, 0, tzinfo=KST)
    items = [
        IncomingPosting(
            channel="web",
            source_id="r1",
            created_at=at,
            text="472번 버스가 30분째 안 와요. 배차 간격 좀 줄여주세요",
        ),
        IncomingPosting(
            channel="web",
            source_id="r2",
            created_at=at,
            text="472번 버스가 30분째 안 와요!! 배차 간격 좀 줄여주세요 ㅠㅠ",
        ),
    ]
    result = container.intake.ingest(Cause("system:test"), items)
    assert result.new == 2 and result.near_duplicates == 1
    container.views.wait(result.position)
    view = container.views.get(LedgerProjection)
    first = view.case_for_posting(str(items[0].posting_id))
    assert first is not None and first["state"] in ("triaged", "assigned")
    assert first["request_class"] is not None and first["deadline"] is not None
    if first["state"] == "assigned":
        assert first["unit"] == "department:BUS"
    assert view.case_for_posting(str(items[1].posting_id)) is None  # a mention of case 1


def test_a_triage_correction_moves_the_case(container: Container) -> None:
    at = datetime(2026, 7, 13, 10, 0, tzinfo=KST)
    item = IncomingPosting(
        channel="web", source_id="c1", created_at=at, text="472번 버스가 30분째 안 와요"
    )
    container.intake.ingest(Cause("system:test"), [item])
    assert container.triage is not None
    container.triage.correct(OFFICIAL, item.posting_id, {"destination": "gu:11440"}, "kim")
    corrected = container.triage.correct(
        OFFICIAL, item.posting_id, {"request_class": "review"}, "kim"
    )
    container.views.wait(corrected.position)
    row = container.views.get(LedgerProjection).case_for_posting(str(item.posting_id))
    assert row is not None
    assert (row["state"], row["unit"], row["request_class"]) == (
        "assigned",
        "district:11440",
        "review",
    )
    assert row["deadline"] is not None and row["deadline"] > "2026-07-14"  # 3 working days
    # once answered, a later correction does not pull the case away from its official
    case_id = Case.create_id(str(item.posting_id))
    container.ledger.designate(OFFICIAL, case_id, "kim")
    container.ledger.respond(OFFICIAL, case_id, "확인 후 조치하겠습니다.")
    late = container.triage.correct(OFFICIAL, item.posting_id, {"destination": "dept:BUS"}, "lee")
    container.views.wait(late.position)
    row = container.views.get(LedgerProjection).case_for_posting(str(item.posting_id))
    assert row is not None and (row["state"], row["unit"]) == ("responded", "district:11440")
