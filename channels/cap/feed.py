"""Atom 1.0 and RSS 2.0 feeds of CAP warnings, after the OASIS CAP feeds practice.

Each entry points at one CAP message with ``type="application/cap+xml"`` and carries the
CAP ``identifier``, ``status`` and ``severity`` as ``cap:`` extension elements, so an
aggregator can decide before fetching. Feeds stay under ``MAX_FEED_BYTES``: newest entries
first, capped in number, long texts shortened, halved again if still too large.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import cast

from lxml import etree

from channels.cap.model import CAP_NS

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
MAX_FEED_BYTES = 100_000
DEFAULT_MAX_ENTRIES = 100
TITLE_CHARS = 200
SUMMARY_CHARS = 1_000

_A = "{" + ATOM_NS + "}"
_C = "{" + CAP_NS + "}"
_ATOM_NSMAP = cast("dict[str, str]", {None: ATOM_NS, "cap": CAP_NS})  # lxml-stubs: no None key


@dataclass(frozen=True)
class FeedEntry:
    identifier: str
    title: str
    summary: str
    updated: datetime
    link: str
    severity: str
    status: str


def _rfc3339(value: datetime) -> str:
    if value.utcoffset() is None:
        raise ValueError(f"feed times need a timezone: {value!r}")
    return value.isoformat(timespec="seconds")


def _rfc822(value: datetime) -> str:
    _rfc3339(value)
    return format_datetime(value)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> None:
    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text


def _atom_entry(feed: etree._Element, entry: FeedEntry) -> None:
    node = etree.SubElement(feed, _A + "entry")
    _sub(node, _A + "id", entry.link)
    _sub(node, _A + "title", _short(entry.title, TITLE_CHARS))
    _sub(node, _A + "updated", _rfc3339(entry.updated))
    _sub(node, _A + "link", rel="alternate", type=CAP_MIME, href=entry.link)
    _sub(node, _A + "summary", _short(entry.summary, SUMMARY_CHARS))
    _sub(node, _A + "category", term=entry.severity, label="severity")
    _sub(node, _C + "identifier", entry.identifier)
    _sub(node, _C + "status", entry.status)
    _sub(node, _C + "severity", entry.severity)


def _newest(entries: Sequence[FeedEntry], limit: int) -> list[FeedEntry]:
    return sorted(entries, key=lambda e: e.updated, reverse=True)[: max(limit, 0)]


def _capped(build: Callable[[list[FeedEntry]], bytes], chosen: list[FeedEntry]) -> bytes:
    data = build(chosen)
    while len(data) > MAX_FEED_BYTES and chosen:
        chosen = chosen[: len(chosen) // 2]
        data = build(chosen)
    return data


def render_atom(
    entries: Sequence[FeedEntry],
    *,
    feed_id: str,
    title: str,
    updated: datetime,
    self_url: str,
    author: str = "Seoul Metropolitan Government",
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> bytes:
    """Atom 1.0 feed of the newest ``max_entries`` warnings, under MAX_FEED_BYTES."""

    def build(chosen: list[FeedEntry]) -> bytes:
        feed = etree.Element(
            _A + "feed", nsmap=cast("dict[str, str]", {None: ATOM_NS, "cap": CAP_NS})
        )
        _sub(feed, _A + "id", feed_id)
        _sub(feed, _A + "title", title)
        _sub(feed, _A + "updated", _rfc3339(updated))
        _sub(feed, _A + "link", rel="self", type="application/atom+xml", href=self_url)
        author_el = etree.SubElement(feed, _A + "author")
        _sub(author_el, _A + "name", author)
        for entry in chosen:
            _atom_entry(feed, entry)
        return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    return _capped(build, _newest(entries, max_entries))


def _rss_item(channel: etree._Element, entry: FeedEntry) -> None:
    item = etree.SubElement(channel, "item")
    _sub(item, "title", _short(entry.title, TITLE_CHARS))
    _sub(item, "link", entry.link)
    _sub(item, "description", _short(entry.summary, SUMMARY_CHARS))
    _sub(item, "guid", entry.identifier, isPermaLink="false")
    _sub(item, "pubDate", _rfc822(entry.updated))
    _sub(item, "category", entry.severity)
    _sub(item, _C + "identifier", entry.identifier)
    _sub(item, _C + "status", entry.status)
    _sub(item, _C + "severity", entry.severity)


def render_rss(
    entries: Sequence[FeedEntry],
    *,
    title: str,
    updated: datetime,
    self_url: str,
    link: str | None = None,
    description: str = "Warnings of the Seoul Metropolitan Government as OASIS CAP 1.2",
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> bytes:
    """RSS 2.0 variant: items link to the CAP message, ``guid`` is the CAP identifier."""

    def build(chosen: list[FeedEntry]) -> bytes:
        rss = etree.Element("rss", nsmap={"atom": ATOM_NS, "cap": CAP_NS}, version="2.0")
        channel = etree.SubElement(rss, "channel")
        _sub(channel, "title", title)
        _sub(channel, "link", link or self_url)
        _sub(channel, "description", description)
        _sub(channel, "lastBuildDate", _rfc822(updated))
        _sub(channel, _A + "link", rel="self", type="application/rss+xml", href=self_url)
        for entry in chosen:
            _rss_item(channel, entry)
        return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    return _capped(build, _newest(entries, max_entries))
