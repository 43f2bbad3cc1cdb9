"""A missed deadline is mailed to the lead of the case's unit (SMC_LEAD_EMAILS) through the
outbox, to a local SMTP server: once per miss, queued in the miss's own transaction; a unit
without an address gets no mail; the address is read when the mail is sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.bootstrap import Container
from api.settings import Settings
from domain.clock import FixedClock
from domain.context import Cause
from domain.escalation import ESCALATION_TARGET, lead_address
from domain.postings import IncomingPosting
from projections.deliveries import DeliveriesProjection
from tests.helpers import store_posting
from tests.ledger.mailing import Inbox, dispatcher, mailing_smc, pump

KST = ZoneInfo("Asia/Seoul")
WHO = Cause("system:test")
LEADS = {"department:PARK": "park.lead@seoul.go.kr", "district:11680": "gangnam.lead@seoul.go.kr"}


@pytest.fixture
def leads_smc(
    database_url: str, tmp_path: Path, clock: FixedClock, smtp: tuple[int, Inbox]
) -> Iterator[tuple[Container, TestClient]]:
    yield from mailing_smc(database_url, tmp_path, clock, smtp[0], lead_emails=LEADS)


def routed_case(c: Container, source_id: str, unit: str) -> UUID:
    item = IncomingPosting(
        channel="web", source_id=source_id, text="공원 벤치가 부서졌어요", created_at=c.clock.now()
    )
    store_posting(c, item)
    case = c.ledger.open(WHO, str(item.posting_id), "web", item.created_at).id
    c.ledger.classify(WHO, case, "simple")
    c.ledger.assign(WHO, case, unit)
    return case


def escalation_rows(c: Container) -> list[dict[str, Any]]:
    c.views.wait(c.store.head(), ["deliveries"], timeout=60)
    return c.views.get(DeliveriesProjection).query(
        "SELECT id, state, attempts FROM dlv_deliveries WHERE target = ? ORDER BY position",
        (ESCALATION_TARGET,),
    )


def test_missed_deadline_mails_the_units_lead_once(
    leads_smc: tuple[Container, TestClient], smtp: tuple[int, Inbox], clock: FixedClock
) -> None:
    c, inbox = leads_smc[0], smtp[1]
    at = datetime(2026, 7, 13, 10, 0, tzinfo=KST)  # a Monday morning
    clock.set(at)
    park = routed_case(c, "W-20260713-00000001", "department:PARK")
    bus = routed_case(c, "W-20260713-00000002", "department:BUS")  # no lead address
    watcher = c.watcher
    assert watcher is not None
    assert c.views.wait(c.store.head(), timeout=60)
    assert watcher.run_once() == 0  # not due yet
    clock.set(at + timedelta(days=1))
    assert watcher.run_once() == 2  # both missed: recorded
    d = dispatcher(c)
    pump(c, d)
    [row] = escalation_rows(c)  # a mail for PARK only
    assert row["state"] == "delivered"
    [mail] = inbox.messages
    assert mail["To"] == "park.lead@seoul.go.kr"
    assert "처리 기한 초과" in mail["Subject"]
    body = mail.get_content()
    assert f"http://smc.test/desk/cases/{park}" in body and "department:PARK" in body
    assert str(bus) not in body
    assert c.views.wait(c.store.head(), timeout=60)
    assert watcher.run_once() == 0  # recorded once: no second miss, no second mail
    pump(c, d)
    assert len(escalation_rows(c)) == 1 and len(inbox.messages) == 1


def test_address_read_when_sent_and_every_unit_fallback() -> None:
    table = {**LEADS, "*": "desk@seoul.go.kr"}
    assert lead_address(table, "district:11680") == "gangnam.lead@seoul.go.kr"
    assert lead_address(table, "department:BUS") == "desk@seoul.go.kr"
    assert lead_address(table, None) == "desk@seoul.go.kr"
    assert lead_address(LEADS, "department:BUS") is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"BUS": "bus.lead@seoul.go.kr"}, "is not a unit"),
        ({"department:": "bus.lead@seoul.go.kr"}, "is not a unit"),
        ({"*": "not an address"}, "is not an e-mail address"),
    ],
)
def test_bad_lead_addresses_are_refused_at_start(table: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(lead_emails=table)
