"""PostgreSQL workers apply what one pull of the subscription brought as one page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from api.bootstrap import Container
from domain.context import Cause
from domain.postings import IncomingPosting, Posting
from projections.intake import IntakeProjection


@pytest.fixture
def backend() -> str:
    return "postgres"  # the paging runner is the PostgreSQL worker's


def test_events_committed_together_reach_a_view_in_few_pages(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages: list[int] = []
    original = IntakeProjection.process_page

    def counting(self: IntakeProjection, items: Sequence[tuple[Any, int]]) -> int:
        pages.append(len(items))
        return original(self, items)

    monkeypatch.setattr(IntakeProjection, "process_page", counting)
    at = datetime(2026, 7, 14, 1, 0, tzinfo=UTC)
    items = [
        IncomingPosting(channel="web", source_id=f"p{i}", created_at=at, text=f"정류장 {i}번 파손")
        for i in range(60)
    ]
    commands = container.commands
    head = commands.run(
        Cause("system:test"), lambda: commands.save(*(Posting.receive(i) for i in items))
    )
    assert container.views.wait(head, [IntakeProjection.name], timeout=30)
    assert sum(pages) >= 60  # every event was applied …
    assert max(pages) > 1  # … and not one transaction each
    rows = container.views.get(IntakeProjection).query("SELECT count(*) AS n FROM intake_postings")
    assert rows[0]["n"] == 60
