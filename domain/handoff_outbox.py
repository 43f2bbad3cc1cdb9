"""District hand-offs through the Delivery outbox (``domain.deliveries``).

A hand-off of a posting to a district office is one ``Delivery`` with the target
``handoff:gu:<SIG_CD>`` and the posting's id as identifier (a natural id: one per posting and
district, so a restart or a second request never queues it twice). It is requested in the
same transaction as the decision that calls for it (intake, or a person's correction or
acceptance); the dispatcher then records ``Attempting`` before it calls the district's
system, ``Delivered`` with the system's reference, or ``Failed`` with the reason (retried
with backoff, then given up), and an attempt interrupted without an outcome becomes
``Uncertain`` and is never sent again by itself: a person checks with the district and asks
again (the hand-off button requeues it).
"""

from __future__ import annotations

from uuid import UUID

from domain.deliveries import Delivery, DeliveryState, delivery_id
from domain.errors import TransitionNotAllowedError

PREFIX = "handoff:"


def handoff_target(destination: str) -> str:
    return f"{PREFIX}{destination}"


def handoff_delivery_id(posting_id: UUID | str, destination: str) -> UUID:
    return delivery_id(str(posting_id), handoff_target(destination))


def new_handoff(posting_id: UUID | str, destination: str, adapter: str, exercise: bool) -> Delivery:
    payload = {
        "kind": "handoff",
        "posting_id": str(posting_id),
        "destination": destination,
        "adapter": adapter,
        "status": "Exercise" if exercise else "Actual",
    }
    return Delivery(str(posting_id), handoff_target(destination), "", payload)


def ask_again(d: Delivery) -> None:
    """A person asks for a hand-off that already exists: requeue it when it gave up or its
    outcome is unknown; refuse when it went out or is still being worked on."""
    if d.state in (DeliveryState.UNCERTAIN, DeliveryState.GAVE_UP):
        d.requeue()
        return
    if d.state is DeliveryState.DELIVERED:
        refs = ", ".join(d.remote_ids)
        msg = f"already handed off to {d.payload.get('destination')} (reference {refs})"
        raise TransitionNotAllowedError(msg)
    when = f", next try at {d.retry_at}" if d.state is DeliveryState.FAILED and d.retry_at else ""
    msg = f"the hand-off is already {d.state.value}{when}; it is retried automatically"
    raise TransitionNotAllowedError(msg)
