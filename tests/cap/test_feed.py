"""Atom 1.0 and RSS 2.0 feeds of warnings: well-formed, CAP links, under 100 KB."""

from __future__ import annotations

from datetime import datetime, timedelta

import feedparser
import pytest
from lxml import etree

from channels.cap import CAP_NS, FeedEntry, render_atom, render_rss
from channels.cap.feed import ATOM_NS, CAP_MIME, MAX_FEED_BYTES
from tests.cap.samples import SENT

A = "{" + ATOM_NS + "}"
C = "{" + CAP_NS + "}"
SELF = "https://smc.seoul.go.kr/cap/feed.atom"


def entries(count: int, summary: str = "시간당 50mm 이상의 강한 비") -> list[FeedEntry]:
    return [
        FeedEntry(
            identifier=f"SMC-2026-{i:05d}",
            title=f"[서울시] 호우경보 {i}",
            summary=summary,
            updated=SENT + timedelta(minutes=i),
            link=f"https://smc.seoul.go.kr/cap/SMC-2026-{i:05d}.xml",
            severity="Severe",
            status="Actual",
        )
        for i in range(count)
    ]


def atom(items: list[FeedEntry]) -> bytes:
    return render_atom(
        items, feed_id="urn:smc:seoul:cap", title="서울시 재난 경보", updated=SENT, self_url=SELF
    )


def rss(items: list[FeedEntry]) -> bytes:
    return render_rss(items, title="서울시 재난 경보", updated=SENT, self_url=SELF)


def test_atom_with_500_entries_is_xml_and_under_100_kb() -> None:
    data = atom(entries(500))
    assert len(data) < MAX_FEED_BYTES
    root = etree.fromstring(data)
    assert root.tag == A + "feed"
    found = root.findall(A + "entry")
    assert 0 < len(found) < 500
    first = found[0]
    assert first.findtext(C + "identifier") == "SMC-2026-00499"  # newest first
    link = first.find(A + "link")
    assert link is not None
    assert link.get("type") == CAP_MIME
    assert link.get("href") == "https://smc.seoul.go.kr/cap/SMC-2026-00499.xml"


def test_atom_feed_head() -> None:
    root = etree.fromstring(atom(entries(2)))
    assert root.findtext(A + "id") == "urn:smc:seoul:cap"
    assert root.findtext(A + "updated") == "2026-07-14T15:00:00+09:00"
    self_link = root.find(A + "link")
    assert self_link is not None and self_link.get("rel") == "self"
    assert root.findtext(f"{A}author/{A}name")


def test_huge_summaries_still_under_limit() -> None:
    data = atom(entries(500, summary="가" * 50_000))
    assert len(data) < MAX_FEED_BYTES
    assert etree.fromstring(data).findall(A + "entry")


def test_feedparser_reads_atom_as_a_reader_would() -> None:
    parsed = feedparser.parse(atom(entries(3)))
    assert not parsed.bozo
    assert len(parsed.entries) == 3
    assert parsed.entries[0].links[0].type == CAP_MIME
    assert parsed.entries[0].title == "[서울시] 호우경보 2"


def test_rss_with_500_entries() -> None:
    data = rss(entries(500))
    assert len(data) < MAX_FEED_BYTES
    root = etree.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    item = root.find("channel/item")
    assert item is not None
    assert item.findtext("guid") == "SMC-2026-00499"
    assert item.findtext("pubDate") == "Tue, 14 Jul 2026 23:19:00 +0900"
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert parsed.entries[0].link == "https://smc.seoul.go.kr/cap/SMC-2026-00499.xml"


def test_empty_feeds_are_valid_xml() -> None:
    assert etree.fromstring(atom([])).findall(A + "entry") == []
    assert etree.fromstring(rss([])).findall("channel/item") == []


def test_naive_times_refused() -> None:
    naive = datetime(2026, 7, 14)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone"):
        render_atom([], feed_id="x", title="t", updated=naive, self_url=SELF)
    with pytest.raises(ValueError, match="timezone"):
        render_rss([], title="t", updated=naive, self_url=SELF)
