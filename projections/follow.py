"""Followers of public postings: which subscriptions are active, which status changes of the
followed postings happened since, and which of those have been queued as mails.

No e-mail address is kept here (the mail publisher reads it from the Subscription aggregate
when it sends). Status changes are the same ones the public record lists (``pub_history``):
only those of postings someone has asked to follow are kept.
"""

from __future__ import annotations

from typing import Any

import domain.deliveries
import domain.follow
import domain.ledger
from projections.base import SmcProjection, handles
from projections.public import PublicProjection
from projections.views import Row, ViewTx

STATES = {
    "Case.Classified": "triaged",
    "Case.Assigned": "assigned",
    "Case.Transferred": "assigned",
    "Case.Designated": "designated",
    "Case.ReviewStarted": "under_review",
    "Case.CitizenReplied": "under_review",
    "Case.AwaitingCitizen": "awaiting_citizen",
    "Case.Responded": "responded",
    "Case.ReplyPublished": "published",
    "Case.Closed": "closed",
    "Case.Reopened": "assigned",
    "Case.Merged": "merged",
    "Case.Withdrawn": "withdrawn",
}
"""The public record's state after each case event (as in projections/public.py)."""


class FollowProjection(SmcProjection):
    name = "follow"
    tables = ("fol_subscriptions", "fol_changes")
    ddl = (
        "CREATE TABLE IF NOT EXISTS fol_subscriptions (id TEXT PRIMARY KEY,"
        " posting_id TEXT NOT NULL, case_id TEXT NOT NULL, state TEXT NOT NULL,"
        " since BIGINT NOT NULL, notified BIGINT NOT NULL, exercise INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS fol_subscriptions_case ON fol_subscriptions (case_id)",
        "CREATE INDEX IF NOT EXISTS fol_subscriptions_state ON fol_subscriptions (state)",
        "CREATE TABLE IF NOT EXISTS fol_changes (posting_id TEXT NOT NULL,"
        " position BIGINT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL,"
        " PRIMARY KEY (posting_id, position))",
    )

    @handles("Subscription.Requested")
    def _requested(self, e: Any, tx: ViewTx, position: int) -> None:
        case_id = str(domain.ledger.Case.create_id(e.posting_id))
        tx.execute(
            "INSERT INTO fol_subscriptions VALUES (?, ?, ?, 'pending', ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [str(e.originator_id), e.posting_id, case_id, position, position, int(e.exercise)],
        )

    @handles("Subscription.Renewed")
    def _renewed(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        tx.execute(
            "UPDATE fol_subscriptions SET state = 'pending' WHERE id = ?", [str(e.originator_id)]
        )

    @handles("Subscription.Confirmed")
    def _confirmed(self, e: Any, tx: ViewTx, position: int) -> None:
        # Only changes after the confirmation are mailed.
        tx.execute(
            "UPDATE fol_subscriptions SET state = 'active', since = ?, notified = ? WHERE id = ?",
            [position, position, str(e.originator_id)],
        )

    @handles("Subscription.Ended")
    def _ended(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        tx.execute(
            "UPDATE fol_subscriptions SET state = 'ended' WHERE id = ?", [str(e.originator_id)]
        )

    @handles(*STATES)
    def _changed(self, e: Any, tx: ViewTx, position: int) -> None:
        topic = str(type(e).TOPIC).removeprefix("smc:")
        tx.execute(
            "INSERT INTO fol_changes SELECT DISTINCT posting_id, ?, ?, ? FROM fol_subscriptions"
            " WHERE case_id = ? ON CONFLICT DO NOTHING",
            [position, STATES[topic], e.timestamp.isoformat(), str(e.originator_id)],
        )

    @handles("Case.OpenedRouted")
    def _opened_routed(self, e: Any, tx: ViewTx, position: int) -> None:
        """As in the public record: one change, to the state the new case is in (in practice
        nobody follows a case yet when it is opened)."""
        tx.execute(
            "INSERT INTO fol_changes SELECT DISTINCT posting_id, ?, ?, ? FROM fol_subscriptions"
            " WHERE case_id = ? ON CONFLICT DO NOTHING",
            [
                position,
                "assigned" if e.unit else "triaged",
                e.timestamp.isoformat(),
                str(e.originator_id),
            ],
        )

    @handles("Delivery.Requested")
    def _queued(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        if e.payload.get("kind") != "notify":
            return
        tx.execute(
            "UPDATE fol_subscriptions SET notified = ? WHERE id = ? AND notified < ?",
            [e.payload["position"], e.payload["subscription_id"], e.payload["position"]],
        )

    # -- queries ---------------------------------------------------------------------------
    def due(self, limit: int = 200) -> list[Row]:
        """Changes of followed postings that active subscribers have not been mailed yet."""
        return self.query(
            "SELECT s.id, s.posting_id, c.position, c.state, c.at FROM fol_subscriptions s"
            " JOIN fol_changes c ON c.posting_id = s.posting_id"
            " WHERE s.state = 'active' AND c.position > s.notified"
            " ORDER BY c.position, s.id LIMIT ?",
            [limit],
        )

    def counts(self) -> dict[str, int]:
        rows = self.query("SELECT state, COUNT(*) AS n FROM fol_subscriptions GROUP BY state")
        return {str(r["state"]): int(r["n"]) for r in rows}


def public_history(view: PublicProjection, posting_id: str) -> list[Row]:
    """A public posting's status changes with their log positions (stable Atom entry ids)."""
    return view.query(
        "SELECT position, state, at FROM pub_history WHERE posting_id = ? ORDER BY position",
        [posting_id],
    )
