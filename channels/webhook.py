"""SMS gateways and other senders that push messages to us: HMAC signatures and the payload.

A sender signs the raw request body with its shared secret and sends
``X-SMC-Signature: sha256=<hex HMAC-SHA256>``. The body is one JSON object
``{"id", "text", "from"?, "received_at"?, "lat"?, "lon"?}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from datetime import datetime
from typing import Any

from domain.postings import IncomingPosting

SIGNATURE_HEADER = "X-SMC-Signature"
PREFIX = "sha256="
MAX_ID = 200
MAX_FROM = 40


class PayloadError(ValueError):
    """The signed body is not a message we can take in; the text says why."""


def sign(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> str | None:
    """Why the call is refused, or None when the signature is right (constant-time compare)."""
    if not header:
        return "missing signature"
    value = header.strip()
    if not value.lower().startswith(PREFIX) or len(value) != len(PREFIX) + 64:
        return "malformed signature"
    expected = sign(secret, body)
    if not hmac.compare_digest(expected.encode(), (PREFIX + value[len(PREFIX) :].lower()).encode()):
        return "signature does not match"
    return None


def pseudonym(key: bytes, sender: str) -> str:
    """A stable id for a sender that does not reveal the phone number."""
    return hmac.new(key, f"sms:{sender}".encode(), hashlib.sha256).hexdigest()[:20]


def parse_message(
    channel: str, body: bytes, *, now: datetime, author_key_secret: bytes
) -> IncomingPosting:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError("body must be a JSON object")
    source_id = _id(data.get("id"))
    text = data.get("text")
    if not isinstance(text, str):
        raise PayloadError("text must be a string")
    sender = data.get("from")
    if sender is not None and (not isinstance(sender, str) or len(sender) > MAX_FROM):
        raise PayloadError(f"from must be a string of at most {MAX_FROM} characters")
    lat, lon = _number(data, "lat"), _number(data, "lon")
    if (lat is None) != (lon is None):
        raise PayloadError("give both lat and lon, or neither")
    return IncomingPosting(
        channel=channel,
        source_id=source_id,
        text=text,
        created_at=_when(data.get("received_at"), now),
        author_key=pseudonym(author_key_secret, sender) if sender else None,
        lat=lat,
        lon=lon,
        contact={"phone": sender} if sender else {},
    )


def _id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError("id must be a string or an integer")
    text = str(value).strip()
    if not text or len(text) > MAX_ID:
        raise PayloadError(f"id must have 1 to {MAX_ID} characters")
    return text


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PayloadError(f"{key} must be a number")
    return float(value)


def _when(value: Any, now: datetime) -> datetime:
    if value is None:
        return now
    if not isinstance(value, str):
        raise PayloadError("received_at must be an ISO 8601 string")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError("received_at must be an ISO 8601 datetime") from None
    if when.tzinfo is None:
        raise PayloadError("received_at needs a time zone offset")
    return when
