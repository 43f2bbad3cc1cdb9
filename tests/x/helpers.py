"""Shared constants for the X channel tests."""

from __future__ import annotations

SECRET = b"test-author-key-secret"
