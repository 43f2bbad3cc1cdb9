"""Deterministic identities for natural keys, so a re-delivered item is the same aggregate."""

from __future__ import annotations

from functools import lru_cache
from hashlib import sha1
from uuid import UUID, SafeUUID

SMC_NAMESPACE = UUID("6f1d3c1e-6c2b-5a57-9a43-5e0ac1d2c0de")
_NAMESPACE_BYTES = SMC_NAMESPACE.bytes
_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))  # the variant and version bits
_SET = (0x8000 << 48) | (5 << 76)  # RFC 4122 variant, version 5
_UNKNOWN = SafeUUID.unknown


def uuid_of_int(value: int) -> UUID:
    """``UUID(int=value)`` for a value taken from a UUID (no range check; what ``uuid5``
    does): unpickling a made-ahead event's id this way avoids ``UUID.__setstate__``."""
    made = object.__new__(UUID)
    object.__setattr__(made, "int", value)
    object.__setattr__(made, "is_safe", _UNKNOWN)
    return made


def uuid5(name: str) -> UUID:
    """``uuid.uuid5(SMC_NAMESPACE, name)``, the same value, without the checks of
    ``UUID.__init__`` (a third of an id's cost; tests/core/test_creation.py compares)."""
    digest = sha1(_NAMESPACE_BYTES + name.encode("utf-8"), usedforsecurity=False).digest()
    return uuid_of_int(int.from_bytes(digest[:16], "big") & _CLEAR | _SET)


@lru_cache(maxsize=16_384)  # intake derives a posting's id more than once (UUIDs are immutable)
def natural_id(kind: str, *parts: str) -> UUID:
    """uuid5 over a kind and its key parts, e.g. ``natural_id("posting", "x", "1234")``."""
    if not parts or "" in parts:
        msg = f"a {kind} id needs non-empty key parts"
        raise ValueError(msg)
    return uuid5("/".join((kind, *parts)))


def posting_id(channel: str, source_id: str) -> UUID:
    return natural_id("posting", channel.lower(), source_id)


def user_id(username: str) -> UUID:
    return natural_id("user", username.lower())


def department_id(code: str) -> UUID:
    return natural_id("department", code.upper())


def district_id(code: str) -> UUID:
    return natural_id("district", code)


def account_id(channel: str, handle: str) -> UUID:
    return natural_id("account", channel.lower(), handle.lower())
