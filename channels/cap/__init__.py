"""OASIS CAP 1.2 out and in, and the Atom/RSS feeds of warnings: pure library code."""

from __future__ import annotations

from channels.cap.feed import FeedEntry, render_atom, render_rss
from channels.cap.geo import (
    GeoError,
    from_cap_circle,
    from_cap_polygon,
    to_cap_circle,
    to_cap_polygon,
)
from channels.cap.model import CAP_NS, CapAlert, CapArea, CapInfo, CapResource
from channels.cap.parse import ImportResult, parse_cap
from channels.cap.render import build_alert, render_alert
from channels.cap.timefmt import format_cap_time, parse_cap_time
from channels.cap.validate import CapImportError, cap_schema

__all__ = [
    "CAP_NS",
    "CapAlert",
    "CapArea",
    "CapImportError",
    "CapInfo",
    "CapResource",
    "FeedEntry",
    "GeoError",
    "ImportResult",
    "build_alert",
    "cap_schema",
    "format_cap_time",
    "from_cap_circle",
    "from_cap_polygon",
    "parse_cap",
    "parse_cap_time",
    "render_alert",
    "render_atom",
    "render_rss",
    "to_cap_circle",
    "to_cap_polygon",
]
