"""Outbound channel kinds (X, Facebook pages, KakaoTalk channels, blogs, SMS gateways, ...).

Which adapter serves a kind, how its text is shaped and its default posting limit are data
(``outbound_channels.json`` next to this module, or a file named by
``SMC_OUTBOUND_CHANNELS_FILE`` whose kinds replace or add to the bundled ones). X posts go
through tweepy; the other kinds go as HMAC-signed JSON to the account's connector endpoint
(cities bridge Facebook, KakaoTalk and blog platforms through a connector service), with the
same outbox semantics: requested -> delivered (the connector's id) or failed -> retried.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx

from channels.fanout import MARKERS, PublishError, post_parts, sign, split_thread

BUNDLED = Path(__file__).with_name("outbound_channels.json")
ELLIPSIS = "…"
Format = Literal["thread", "single", "long"]


@dataclass(frozen=True)
class ChannelKind:
    name: str
    adapter: Literal["x", "webhook", "feed"]
    format: Format
    max_chars: int
    rate_limit: dict[str, float] | None = None


def _kind(name: str, raw: Any) -> ChannelKind:
    try:
        kind = ChannelKind(
            name,
            raw["adapter"],
            raw.get("format", "single"),
            int(raw.get("max_chars", 0)),
            raw.get("rate_limit"),
        )
    except (TypeError, KeyError, ValueError) as exc:
        raise ValueError(f"outbound channel kind {name!r}: {exc!r}") from None
    if kind.adapter not in ("x", "webhook", "feed") or kind.format not in (
        "thread",
        "single",
        "long",
    ):
        raise ValueError(f"outbound channel kind {name!r}: unknown adapter or format")
    if kind.adapter != "feed" and kind.max_chars < 50:
        raise ValueError(f"outbound channel kind {name!r}: max_chars must be at least 50")
    return kind


def load_channel_kinds(path: Path | None = None) -> dict[str, ChannelKind]:
    """The bundled kinds, with those of ``path`` (if any) replacing or adding to them."""
    data = json.loads(BUNDLED.read_text("utf-8"))
    if path is not None:
        data.update(json.loads(path.read_text("utf-8")))
    return {k: _kind(k, v) for k, v in data.items() if not k.startswith("_")}


def _lines(payload: dict[str, Any], lang: str, *, description: bool) -> tuple[str, list[str]]:
    marker = MARKERS.get(str(payload.get("status")), {}).get(lang)
    title = str(payload["headline"][lang]).strip()
    if marker:
        title = f"{marker} {title}"
    body = []
    if description and payload.get("description"):
        body.append(str(payload["description"][lang]).strip())
    body.append(str(payload["instruction"][lang]).strip())
    return title, body


def compose(payload: dict[str, Any], kind: ChannelKind, lang: str = "ko") -> list[str]:
    """The text(s) of one CAP message for a kind: a numbered thread, one post cut to the
    kind's length with the CAP link kept, or (long form) the whole text in one piece."""
    if kind.format == "thread":
        return post_parts(payload, lang)
    title, body = _lines(payload, lang, description=kind.format == "long")
    link = str(payload["link"])
    text = "\n\n".join([title, *body])
    room = kind.max_chars - len(link) - 2
    if len(text) > room:
        text = text[: max(room - len(ELLIPSIS), 0)].rstrip() + ELLIPSIS
    return [f"{text}\n\n{link}"]


def reply_parts(text: str, kind: ChannelKind) -> list[str]:
    """A reply to a citizen: a thread on threaded kinds, otherwise one cut message."""
    if kind.format == "thread":
        return split_thread(text, kind.max_chars)
    if len(text) <= kind.max_chars:
        return [text]
    return [text[: kind.max_chars - len(ELLIPSIS)].rstrip() + ELLIPSIS]


def title_of(payload: dict[str, Any], lang: str = "ko") -> str:
    return _lines(payload, lang, description=False)[0]


@dataclass(frozen=True)
class ConnectorEndpoint:
    """Where and how one non-X account is posted to: its connector URL and HMAC key."""

    url: str
    secret: str
    timeout: float = 5.0


@dataclass(frozen=True)
class ConnectorPublisher:
    """Posts one message for one account as signed JSON to its connector.

    Body: ``{"channel", "account", "delivery_id", "identifier", "status", "msg_type",
    "format", "title", "text", "link", "sent"}`` (sorted keys, UTF-8);
    headers ``X-SMC-Signature: sha256=<HMAC-SHA256(secret, body)>`` and
    ``X-SMC-Delivery: <delivery id>`` (the connector's idempotency key). The remote id is the
    ``id`` of a JSON answer, else the delivery id. 429 and 5xx are retried; other 4xx are
    refusals.
    """

    endpoint: ConnectorEndpoint
    kind: ChannelKind
    account: str
    delivery_id: str
    payload: dict[str, Any]

    def post(self, text: str, reply_to: str | None) -> str:
        body = {
            "channel": self.kind.name,
            "account": self.account,
            "delivery_id": self.delivery_id,
            "identifier": self.payload.get("identifier"),
            "status": self.payload.get("status"),
            "msg_type": self.payload.get("msg_type"),
            "format": self.kind.format,
            "title": title_of(self.payload) if "headline" in self.payload else "",
            "text": text,
            "link": self.payload.get("link"),
            "sent": self.payload.get("sent"),
            "in_reply_to": reply_to,
        }
        raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-SMC-Signature": sign(self.endpoint.secret, raw),
            "X-SMC-Delivery": self.delivery_id,
        }
        return self._send(raw, headers)

    def _send(self, raw: bytes, headers: dict[str, str]) -> str:
        try:
            r = httpx.post(
                self.endpoint.url, content=raw, headers=headers, timeout=self.endpoint.timeout
            )
        except httpx.HTTPError as exc:
            raise PublishError(f"connector unreachable: {type(exc).__name__}") from exc
        if r.status_code == 429:
            retry = r.headers.get("retry-after", "")
            wait = float(retry) if retry.replace(".", "", 1).isdigit() else None
            raise PublishError("rate limited by the connector", retry_after=wait)
        if r.status_code >= 500:
            raise PublishError(f"connector answered {r.status_code}")
        if r.status_code >= 400:
            raise PublishError(f"connector refused: {r.status_code}", permanent=True)
        try:
            answer = r.json()
        except ValueError:
            answer = None
        remote = answer.get("id") if isinstance(answer, dict) else None
        return str(remote) if remote else self.delivery_id
