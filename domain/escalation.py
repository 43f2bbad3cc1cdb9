"""A missed deadline mailed to the lead of the case's department or district office (the
issue's "escalates to the department lead ... optionally e-mailed").

The mail is an outbox delivery (``email:escalation``) saved in the same transaction as the
case's ``DeadlineMissed``, so it is queued exactly when the miss is recorded — once, and never
lost to a crash in between. The lead's address is not in the delivery: the mail publisher looks
it up in the settings when it sends (as the follow mails read theirs), so a changed address
applies to mails still waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from domain.deliveries import Delivery
from domain.ledger import Case

ESCALATION_TARGET = "email:escalation"
EVERY_UNIT = "*"

Escalates = Callable[[str | None], bool]
"""Whether the lead of a unit (``department:BUS``, ``district:11680``; None: no unit yet)
gets a mail when a deadline of that unit is missed."""


def lead_address(addresses: Mapping[str, str], unit: str | None) -> str | None:
    """The address for a unit's lead: the unit's own, else the one for every unit."""
    if unit and unit in addresses:
        return addresses[unit]
    return addresses.get(EVERY_UNIT)


def escalates_to(addresses: Mapping[str, str]) -> Escalates:
    """``Escalates`` for a table of lead addresses (empty: nobody is mailed)."""
    known = dict(addresses)
    return lambda unit: lead_address(known, unit) is not None


def escalation_mail(case: Case, deadline: datetime) -> Delivery:
    """The delivery that mails the lead about this missed deadline (one per case and deadline:
    its id is derived from both)."""
    payload = {
        "kind": "escalation",
        "case_id": str(case.id),
        "posting_id": case.posting_id,
        "unit": case.unit,
        "request_class": case.request_class,
        "deadline": deadline.isoformat(),
        "status": "Actual",
    }
    return Delivery(f"escalation:{case.id}:{deadline.isoformat()}", ESCALATION_TARGET, "", payload)
