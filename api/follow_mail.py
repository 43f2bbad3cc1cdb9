"""E-mail through the outbox: followers' confirmation and notice mails, and the answer to a
citizen who left an address on the report form (or in an Open311 request).

* The addresses are read when a mail is sent (from the Subscription or the Posting
  aggregate), so they are never copied into delivery events or views.
* Links carry signed tokens (confirm: 7 days; unsubscribe: no expiry), made here, at send
  time, so no token is ever stored.
* The follow sweep runs with the dispatcher: every change of a followed posting that an
  active follower has not been sent yet becomes one ``email:follow`` delivery (natural id per
  subscription and change: a restart or a second dispatcher never queues it twice).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.dispatcher import Dispatcher, Publisher, PublisherFactory
from api.settings import Settings
from channels.fanout import PublishError
from channels.mail import Mail, SmtpMailer
from domain.context import Cause
from domain.deliveries import Delivery
from domain.errors import DomainError, NotFoundError
from domain.escalation import lead_address
from domain.follow import FollowService, FollowState
from domain.postings import Posting
from domain.store import SmcStore
from projections.follow import FollowProjection
from projections.public import PublicProjection
from projections.viewset import ViewSet
from web import LOCALES_DIR

log = logging.getLogger("smc.follow")
CONFIRM_MAX_AGE = 7 * 86400
SWEEPER = Cause("system:follow")
ONE_CLICK = "List-Unsubscribe=One-Click"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The page texts (web/locales); read here as api.rendering needs the request layer."""
    data: dict[str, str] = json.loads((LOCALES_DIR / f"{lang}.json").read_text("utf-8"))
    return data


class FollowLinks:
    """Signed confirm/unsubscribe links and the public page of a posting."""

    def __init__(self, secret: str, base_url: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="smc-follow")
        self.base = base_url.rstrip("/")

    def token(self, sid: UUID, purpose: str) -> str:
        return str(self._serializer.dumps({"s": str(sid), "p": purpose}))

    def read(self, token: str, purpose: str) -> UUID | None:
        max_age = CONFIRM_MAX_AGE if purpose == "confirm" else None
        try:
            data = self._serializer.loads(token, max_age=max_age)
            if isinstance(data, dict) and data.get("p") == purpose:
                return UUID(str(data.get("s")))
        except (BadSignature, ValueError):
            pass
        return None

    def confirm(self, sid: UUID) -> str:
        return f"{self.base}/follow/confirm?token={self.token(sid, 'confirm')}"

    def unsubscribe(self, sid: UUID) -> str:
        return f"{self.base}/follow/unsubscribe?token={self.token(sid, 'unsubscribe')}"

    def posting(self, posting_id: str) -> str:
        return f"{self.base}/public/{posting_id}"


@dataclass
class MailComposer:
    """The mail of one delivery, in the language of its recipient."""

    store: SmcStore
    follow: FollowService
    links: FollowLinks
    leads: Mapping[str, str] = field(default_factory=dict)  # unit (or *) -> lead's address
    lang: str = "ko"  # of the mails to leads

    def compose(self, d: Delivery) -> Mail:
        kind = d.payload.get("kind")
        message_id = f"<{d.id}@smc.follow>"
        if kind == "reply":
            return self._reply(d, message_id)
        if kind == "escalation":
            return self._escalation(d, message_id)
        try:
            sub = self.follow.get(UUID(str(d.payload["subscription_id"])))
        except (KeyError, ValueError, NotFoundError):
            raise PublishError("the subscription of this mail is gone", permanent=True) from None
        if kind == "notify" and sub.state is not FollowState.ACTIVE:
            raise PublishError("the follower unsubscribed before it was sent", permanent=True)
        t = catalogue(sub.lang)
        page = self.links.posting(sub.posting_id)
        stop = self.links.unsubscribe(sub.id)
        headers = {"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": ONE_CLICK}
        if kind == "confirm":
            body = t["follow_mail_confirm_body"].format(
                confirm=self.links.confirm(sub.id), page=page
            )
            subject = t["follow_mail_confirm_subject"]
        else:
            body, subject = _notice(t, d.payload, page)
        body += "\n\n" + t["follow_mail_unsubscribe"].format(link=stop) + "\n"
        return Mail(sub.email, subject, body, message_id, headers)

    def _reply(self, d: Delivery, message_id: str) -> Mail:
        posting = self.store.load(UUID(str(d.payload["posting_id"])), Posting, "posting")
        address = posting.contact.get("email")
        if not address:
            raise PublishError("the citizen left no e-mail address", permanent=True)
        lang = posting.details.get("lang")
        t = catalogue(lang if lang in ("ko", "en") else "ko")
        body = t["reply_mail_body"].format(
            reference=posting.source_id,
            reply=d.payload["text"],
            page=self.links.posting(str(posting.id)),
        )
        subject = t["reply_mail_subject"].format(reference=posting.source_id)
        return Mail(address, subject, body, message_id)

    def _escalation(self, d: Delivery, message_id: str) -> Mail:
        p = d.payload
        address = lead_address(self.leads, p.get("unit"))
        if address is None:
            raise PublishError("no lead's address is configured for this unit", permanent=True)
        t = catalogue(self.lang if self.lang in ("ko", "en") else "ko")
        posting_id = str(p.get("posting_id", ""))
        reference = posting_id[:8]
        body = t["escalation_mail_body"].format(
            reference=reference,
            unit=p.get("unit") or "-",
            request_class=p.get("request_class") or "-",
            deadline=str(p.get("deadline", ""))[:16].replace("T", " "),
            page=f"{self.links.base}/desk/cases/{p.get('case_id', '')}",
            public=self.links.posting(posting_id),
        )
        subject = t["escalation_mail_subject"].format(reference=reference)
        return Mail(address.strip(), subject, body, message_id)


def _notice(t: dict[str, str], payload: dict[str, Any], page: str) -> tuple[str, str]:
    state = t.get(f"state_{payload['state']}", str(payload["state"]))
    body = t["follow_mail_notice_body"].format(
        state=state, at=str(payload["at"])[:16].replace("T", " "), text=payload["text"], page=page
    )
    if payload.get("reply"):
        body += "\n\n" + t["reply"] + ":\n" + str(payload["reply"])
    return body, t["follow_mail_notice_subject"].format(state=state)


@dataclass(frozen=True)
class _MailJob:
    mailer: SmtpMailer
    composer: MailComposer
    delivery: Delivery

    def post(self, text: str, reply_to: str | None) -> str:
        del text, reply_to
        return self.mailer.send(self.composer.compose(self.delivery))


def mail_publishers(
    fallback: PublisherFactory, mailer: SmtpMailer | None, composer: MailComposer
) -> PublisherFactory:
    """``email:*`` deliveries go to the SMTP server (none configured: they give up)."""

    def make(d: Delivery) -> Publisher | None:
        if not d.target.startswith("email:"):
            return fallback(d)
        return None if mailer is None else _MailJob(mailer, composer, d)

    return make


def follow_sweep(follow: FollowService, views: ViewSet) -> Callable[[], None]:
    """Queue one notice per (active follower, change of the posting) not yet queued."""
    due, public = views.get(FollowProjection), views.get(PublicProjection)

    def sweep() -> None:
        rows = due.due()
        if rows:  # the notices quote the public record as it stood after those changes
            views.wait(max(int(r["position"]) for r in rows), ["public"])
        for row in rows:
            p = public.posting(str(row["posting_id"]))
            if p is None or p["exercise"]:
                continue
            payload = {
                "posting_id": p["id"],
                "state": row["state"],
                "at": row["at"],
                "text": str(p["text"])[:1000],
                "reply": p["reply"] if row["state"] == "published" else None,
            }
            try:
                follow.notify(SWEEPER, UUID(str(row["id"])), int(row["position"]), payload)
            except DomainError as exc:
                log.info("follow notice for %s not queued: %s", row["id"], exc.detail)

    return sweep


def smtp_mailer(settings: Settings) -> SmtpMailer | None:
    if not settings.smtp_host:
        return None
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        settings.smtp_user,
        settings.smtp_password,
        settings.smtp_starttls,
    )


def attach_mail(
    dispatcher: Dispatcher, settings: Settings, follow: FollowService, views: ViewSet
) -> Dispatcher:
    """Give the outbox dispatcher its e-mail publisher and the follow sweep."""
    links = FollowLinks(settings.secret_key, settings.public_base_url)
    composer = MailComposer(
        follow.store, follow, links, settings.lead_emails, settings.default_lang
    )
    dispatcher.publishers = mail_publishers(dispatcher.publishers, smtp_mailer(settings), composer)
    dispatcher.sweeps.append(follow_sweep(follow, views))
    return dispatcher
