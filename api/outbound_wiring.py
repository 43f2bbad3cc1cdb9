"""Fan-out to every channel kind: what to post, through which adapter, within which limit.

Targets are ``<channel>:<handle>`` for directory accounts (``x:seoul_smc``,
``facebook:seoul.kr``, ``sms:120dasan``), ``webhook:<name>`` for the configured partner
webhooks and ``feed``. The channel kind (``channels/outbound.py``) decides the adapter, the
text's shape and the default rate limit; the accounts file gives an account its connector
``url`` and ``secret``, its own ``rate_limit`` and whether it takes ``drills``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from api.dispatcher import PartsOf, Publisher, default_parts
from api.outbox_limits import Limit, LimitFor
from channels.outbound import (
    ChannelKind,
    ConnectorEndpoint,
    ConnectorPublisher,
    compose,
    reply_parts,
)
from domain.deliveries import Delivery

if TYPE_CHECKING:
    from api.warning_ports import Credentials


def channel_of(target: str) -> str:
    return target.split(":", 1)[0]


def channel_parts(kinds: dict[str, ChannelKind]) -> PartsOf:
    """Texts shaped for the target's kind (threads on X, one cut message or long form
    elsewhere); the feed and partner webhooks keep their own behaviour."""

    def parts(d: Delivery) -> tuple[list[str], str | None]:
        kind = kinds.get(channel_of(d.target))
        if kind is None or kind.adapter == "feed":
            return default_parts(d)
        if "reply_text" in d.payload:
            reply_to = d.payload.get("in_reply_to")
            texts = reply_parts(str(d.payload["reply_text"]), kind)
            return texts, str(reply_to) if reply_to else None
        return compose(d.payload, kind), None

    return parts


def limits(credentials: Credentials, kinds: dict[str, ChannelKind]) -> LimitFor:
    """The account's own limit from the accounts file, else its kind's default (checked now,
    so a wrong limit stops start-up instead of the first post)."""
    own = {
        target: Limit.of(creds.rate_limit)
        for target, creds in credentials.accounts.items()
        if creds.rate_limit is not None
    }
    defaults = {name: Limit.of(k.rate_limit) for name, k in kinds.items() if k.rate_limit}

    def limit_for(target: str) -> Limit | None:
        return own.get(target) or defaults.get(channel_of(target))

    return limit_for


def connector_publisher(
    credentials: Credentials, kinds: dict[str, ChannelKind], default_secret: str
) -> Callable[[Delivery], Publisher | None]:
    """The signed-JSON publisher of a non-X account (None: no connector configured)."""

    def make(d: Delivery) -> Publisher | None:
        kind = kinds.get(channel_of(d.target))
        creds = credentials.get(d.target)
        if kind is None or kind.adapter != "webhook" or creds is None or not creds.url:
            return None
        endpoint = ConnectorEndpoint(creds.url, creds.secret or default_secret)
        handle = d.target.split(":", 1)[1]
        return ConnectorPublisher(endpoint, kind, handle, str(d.id), d.payload)

    return make
