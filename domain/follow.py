"""Following a public posting by e-mail: one subscription per (posting, address), double
opt-in, and the outbox deliveries that carry its mails.

The e-mail address is personal data: it lives only in this aggregate's events (never in a
view, a delivery payload or a public page). The mails are :class:`~domain.deliveries.Delivery`
outbox items on the target ``email:follow``; their payload names the subscription, and the
mail publisher looks the address up when it sends.

pending --confirm--> active --unsubscribe--> ended --renew--> pending ...
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.context import Cause, current_cause, current_time
from domain.deliveries import Delivery
from domain.errors import InvalidInputError, TransitionNotAllowedError
from domain.ledger import Case
from domain.postings import Posting
from domain.store import Commands

EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63}$")
FOLLOW_TARGET = "email:follow"
REPLY_TARGET = "email:reply"
RESEND_AFTER = timedelta(minutes=10)
"""A pending subscription's confirmation mail is sent again only after this long."""
MAX_CONFIRMATIONS = 5


class FollowState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    ENDED = "ended"


def normalise_email(address: str) -> str:
    """The address as stored (trimmed, domain lower-cased); InvalidInputError when bad."""
    address = address.strip()
    if len(address) > 254 or not EMAIL.match(address):
        raise InvalidInputError("give a valid e-mail address, like name@example.com")
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def subscription_id(posting_id: str, email: str) -> UUID:
    return ids.natural_id("follow", posting_id, email.lower())


class Subscription(SmcAggregate):
    """One address following one public posting."""

    @staticmethod
    def create_id(posting_id: str, email: str) -> UUID:
        return subscription_id(posting_id, email)

    @event("Requested")
    def __init__(self, posting_id: str, email: str, lang: str, at: datetime) -> None:
        self.posting_id = posting_id
        self.email = email
        self.lang = lang
        self.state = FollowState.PENDING
        self.confirmations = 1
        self.requested_at = at

    def renew(self, lang: str, now: datetime) -> bool:
        """Ask again (lost mail, or following again after unsubscribing); False when nothing
        is to be sent (already active, or a confirmation went out moments ago)."""
        if self.state is FollowState.ACTIVE:
            return False
        if self.state is FollowState.PENDING and (
            now - self.requested_at < RESEND_AFTER or self.confirmations >= MAX_CONFIRMATIONS
        ):
            return False
        self._renewed(lang=lang, at=now)
        return True

    @event("Renewed")
    def _renewed(self, lang: str, at: datetime) -> None:
        self.lang = lang
        self.confirmations = 1 if self.state is FollowState.ENDED else self.confirmations + 1
        self.state = FollowState.PENDING
        self.requested_at = at

    def confirm(self) -> bool:
        if self.state is FollowState.ACTIVE:
            return False
        if self.state is not FollowState.PENDING:
            raise TransitionNotAllowedError("this subscription was ended; follow the posting again")
        self._confirmed()
        return True

    @event("Confirmed")
    def _confirmed(self) -> None:
        self.state = FollowState.ACTIVE

    def unsubscribe(self) -> bool:
        if self.state is FollowState.ENDED:
            return False
        self._ended()
        return True

    @event("Ended")
    def _ended(self) -> None:
        self.state = FollowState.ENDED


def _mail(identifier: str, target: str, payload: dict[str, Any]) -> Delivery:
    return Delivery(identifier, target, "", {**payload, "status": "Actual"})


def mail_reply(posting: Posting, case: Case) -> list[Delivery]:
    """The answer mailed to a citizen who left an address (none: nothing to send). The address
    stays in the posting's private contact; the mail publisher reads it when it sends."""
    if not posting.contact.get("email") or not case.reply:
        return []
    payload = {"kind": "reply", "posting_id": str(posting.id), "text": case.reply}
    exercise = current_cause().exercise
    return [
        Delivery(
            f"reply:{case.id}:{case.version}",
            REPLY_TARGET,
            "",
            {**payload, "status": "Exercise" if exercise else "Actual"},
        )
    ]


class FollowService:
    """Subscribe (with a confirmation mail), confirm, unsubscribe, and queue notifications."""

    def __init__(self, commands: Commands) -> None:
        self.commands = commands
        self.store = commands.store

    def get(self, sid: UUID) -> Subscription:
        return self.store.load(sid, Subscription, "subscription")

    def subscribe(self, cause: Cause, posting_id: str, email: str, lang: str) -> bool:
        """True when a confirmation mail was queued."""
        address = normalise_email(email)
        lang = lang if lang in ("ko", "en") else "ko"

        def command() -> bool:
            sid, now = subscription_id(posting_id, address), current_time()
            if self.store.exists(sid):
                sub = self.get(sid)
                if not sub.renew(lang, now):
                    return False
            else:
                sub = Subscription(posting_id, address, lang, now)
            mail = _mail(
                f"follow-confirm:{sid}:{sub.version}",
                FOLLOW_TARGET,
                {"kind": "confirm", "subscription_id": str(sid), "posting_id": posting_id},
            )
            self.commands.save(sub, mail)
            return True

        return self.commands.run(cause, command)

    def confirm(self, cause: Cause, sid: UUID) -> Subscription:
        return self._change(cause, sid, lambda s: s.confirm())

    def unsubscribe(self, cause: Cause, sid: UUID) -> Subscription:
        return self._change(cause, sid, lambda s: s.unsubscribe())

    def _change(self, cause: Cause, sid: UUID, change: Any) -> Subscription:
        def command() -> Subscription:
            sub = self.get(sid)
            if change(sub):
                self.commands.save(sub)
            return sub

        return self.commands.run(cause, command)

    def notify(self, cause: Cause, sid: UUID, position: int, payload: dict[str, Any]) -> bool:
        """Queue the mail about one change (the change's log position); at most once per
        subscription and change, and only while the subscription is active."""

        def command() -> bool:
            identifier = f"follow:{sid}:{position}"
            if self.store.exists(Delivery.create_id(identifier, FOLLOW_TARGET)):
                return False
            if self.get(sid).state is not FollowState.ACTIVE:
                return False
            body = {**payload, "kind": "notify", "subscription_id": str(sid), "position": position}
            self.commands.save(_mail(identifier, FOLLOW_TARGET, body))
            return True

        return self.commands.run(cause, command)
