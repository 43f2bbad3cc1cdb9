"""Deterministic identities for natural keys, so a re-delivered item is the same aggregate."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

SMC_NAMESPACE = UUID("6f1d3c1e-6c2b-5a57-9a43-5e0ac1d2c0de")


@lru_cache(maxsize=16_384)  # intake derives a posting's id more than once (UUIDs are immutable)
def natural_id(kind: str, *parts: str) -> UUID:
    """uuid5 over a kind and its key parts, e.g. ``natural_id("posting", "x", "1234")``."""
    if not parts or any(p == "" for p in parts):
        msg = f"a {kind} id needs non-empty key parts"
        raise ValueError(msg)
    return uuid5(SMC_NAMESPACE, "/".join((kind, *parts)))


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
