"""District hand-offs in the outbox dispatcher: ``handoff:gu:<SIG_CD>`` deliveries go to the
district's adapter (Open311 or SMTP, ``SMC_TRIAGE_HANDOFF``). The dispatcher records the
attempt before the call and the outcome after it, retries failures with backoff and never
repeats an interrupted attempt by itself (see ``domain.handoff_outbox``)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from api.dispatcher import Dispatcher, Publisher, PublisherFactory
from channels.fanout import PublishError
from domain.deliveries import Delivery
from domain.errors import NotFoundError
from domain.handoff_outbox import PREFIX
from domain.triage_service import HandOffError, TriageService


@dataclass(frozen=True)
class _HandOffJob:
    triage: TriageService
    delivery: Delivery

    def post(self, text: str, reply_to: str | None) -> str:
        del text, reply_to
        destination = str(self.delivery.payload["destination"])
        port = self.triage.port_for(destination)
        if port is None:
            raise PublishError(
                f"no hand-off adapter is configured for {destination}", permanent=True
            )
        try:
            request = self.triage.request_for(
                UUID(str(self.delivery.payload["posting_id"])), destination
            )
            return port.deliver(request)
        except HandOffError as exc:
            raise PublishError(str(exc) or type(exc).__name__, permanent=exc.permanent) from None
        except NotFoundError as exc:
            raise PublishError(exc.detail, permanent=True) from None


def handoff_publishers(fallback: PublisherFactory, triage: TriageService) -> PublisherFactory:
    def make(d: Delivery) -> Publisher | None:
        if not d.target.startswith(PREFIX):
            return fallback(d)
        return _HandOffJob(triage, d)

    return make


def attach_handoffs(dispatcher: Dispatcher, triage: TriageService) -> Dispatcher:
    dispatcher.publishers = handoff_publishers(dispatcher.publishers, triage)
    return dispatcher
