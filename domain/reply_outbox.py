"""Where a published reply goes besides the public record: an X reply tweet for X postings, an
e-mail for web-form and Open311 citizens who left an address; nothing for other channels (SMS
and the rest are answered on the public record and through the Open311 API)."""

from __future__ import annotations

from uuid import UUID

from domain.context import current_cause
from domain.deliveries import Delivery
from domain.follow import mail_reply
from domain.ledger import Case
from domain.postings import Posting
from domain.store import SmcStore

MAILED = ("web", "open311")
"""Channels whose citizens may leave an e-mail address for the answer."""


class ReplyOutbox:
    def __init__(self, store: SmcStore, reply_account: str = "seoul_smc") -> None:
        self.store = store
        self.reply_account = reply_account

    def deliveries(self, case: Case, posting: Posting | None = None) -> list[Delivery]:
        """The outbox steps of the case's published reply (saved with it by the caller)."""
        if not case.reply:
            return []
        if case.channel in MAILED:
            posting = posting or self._posting(case.posting_id)
            return mail_reply(posting, case) if posting is not None else []
        if case.channel != "x":
            return []
        posting = posting or self.store.load(UUID(case.posting_id), Posting, "posting")
        account = posting.details.get("account") or self.reply_account
        payload = {
            "reply_text": case.reply,
            "in_reply_to": posting.source_id,
            "status": "Exercise" if current_cause().exercise else "Actual",
        }
        return [Delivery(f"reply:{case.id}:{case.version}", f"x:{account}", "", payload)]

    def _posting(self, posting_id: str) -> Posting | None:
        """The stored posting of a case, if there is one (cases may be opened by reference)."""
        try:
            pid = UUID(posting_id)
        except ValueError:
            return None
        return self.store.load(pid, Posting, "posting") if self.store.exists(pid) else None
