"""RSS/Atom intake against a feed served on 127.0.0.1: ETag and Last-Modified honoured (304),
each entry taken in once, the cursor stored with the entries, bad entries rejected visibly."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api.bootstrap import Container, build
from api.settings import Settings
from channels.rss import FeedState, poll, stream_of
from domain.clock import FixedClock
from projections.intake import IntakeProjection
from tests.core.test_cli import smc

ATOM_ENTRY = """<entry><id>tag:seoulstory,2026:{n}</id><title>{title}</title>
<link href="https://blog.example.kr/{n}"/><updated>2026-07-1{n}T09:00:00+09:00</updated>
<author><name>서울스토리</name></author><category term="서울시"/>
<summary type="html">&lt;p&gt;{body} &lt;b&gt;#{n}&lt;/b&gt;&lt;/p&gt;</summary></entry>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ko"><title>서울스토리</title>
<id>tag:seoulstory</id><updated>2026-07-14T09:00:00+09:00</updated>{entries}</feed>"""
RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>구청 소식</title>
<link>https://gu.example.kr</link><language>ko</language>
<item><guid>gu-1</guid><title>도로 포장 공사 안내</title>
<description>7월 15일 야간 공사</description>
<pubDate>Tue, 14 Jul 2026 01:00:00 GMT</pubDate>
<enclosure url="https://gu.example.kr/p.jpg" type="image/jpeg" length="10"/></item>
<item><title>링크도 아이디도 없는 글</title><description>버려짐</description></item>
</channel></rss>"""


def atom(*numbers: int) -> bytes:
    entries = "".join(
        ATOM_ENTRY.format(n=n, title=f"한강공원 소식 {n}", body=f"주말 행사 안내 {n}")
        for n in numbers
    )
    return ATOM.format(entries=entries).encode()


class Feed:
    """A feed server that honours If-None-Match and If-Modified-Since like a real one."""

    def __init__(self) -> None:
        self.body, self.etag, self.modified = atom(1, 2, 3), '"v1"', "Tue, 14 Jul 2026 00:00:00 GMT"
        self.seen: list[dict[str, str]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                feed.seen.append(dict(self.headers))
                same = self.headers.get("If-None-Match") == feed.etag
                if same or self.headers.get("If-Modified-Since") == feed.modified:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("ETag", feed.etag)
                self.send_header("Last-Modified", feed.modified)
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def feed() -> Iterator[tuple[Feed, str]]:
    state = Feed()
    server = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/feed.atom"
    finally:
        server.shutdown()
        server.server_close()


def test_polling_honours_etag_and_takes_each_entry_once(
    container: Container, feed: tuple[Feed, str]
) -> None:
    server, url = feed
    now = container.clock.now()
    first = poll(url, container.intake, now=now)
    assert (first.intake.new, first.not_modified) == (3, False)
    state = FeedState.load(container.intake.cursor("rss", url))
    assert state.etag == '"v1"' and len(state.seen) == 3
    second = poll(url, container.intake, now=now)
    assert second.not_modified and second.intake.new == 0
    assert server.seen[-1]["If-None-Match"] == '"v1"'
    assert server.seen[-1]["If-Modified-Since"] == server.modified
    server.body, server.etag, server.modified = (
        atom(2, 3, 4),
        '"v2"',
        "Wed, 15 Jul 2026 00:00:00 GMT",
    )
    third = poll(url, container.intake, now=now)
    assert (third.intake.new, third.skipped) == (1, 2)
    container.views.wait(third.intake.position)
    rows = container.views.get(IntakeProjection).postings(channel="rss")
    assert sorted(r["source_id"] for r in rows) == [
        f"tag:seoulstory,2026:{n}" for n in (1, 2, 3, 4)
    ]
    one = next(r for r in rows if r["source_id"].endswith(":4"))
    assert one["text"] == "한강공원 소식 4\n\n주말 행사 안내 4 #4"
    assert one["created_at"] == "2026-07-14T00:00:00+00:00"
    assert one["account"] == url and one["hashtags"] == ["#서울시"] and one["lang"] == "ko"


def test_etag_lost_still_stores_nothing_twice(container: Container, feed: tuple[Feed, str]) -> None:
    server, url = feed
    poll(url, container.intake, now=container.clock.now())
    container.intake._seen.clear()
    server.etag, server.modified = '"changed"', "Thu, 16 Jul 2026 00:00:00 GMT"
    again = poll(url, container.intake, now=container.clock.now())
    assert again.intake.new == 0 and again.skipped == 3


def test_cli_reads_a_file_and_rejects_bad_entries(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "gu.rss"
    path.write_text(RSS, encoding="utf-8")
    done = smc("ingest", "rss", str(path), "--json", env=env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["new"], summary["rejected"], summary["feed"]) == (1, 1, stream_of(str(path)))
    again = json.loads(smc("ingest", "rss", str(path), "--json", env=env).stdout)
    assert (again["new"], again["already_seen"]) == (0, 1)
    missing = smc("ingest", "rss", str(tmp_path / "nope.xml"), env=env)
    assert missing.returncode != 0 and "no such file" in missing.stderr


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "SMC_DATABASE_URL": database_url,
        "SMC_DATA_DIR": str(tmp_path / "var"),
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": "cli-test-secret-0123456789abcdef",
    }


def test_broken_feed_is_one_rejection(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<rss><channel><item><title>unclosed")
    result = poll(str(path), container.intake, now=container.clock.now())
    assert result.intake.rejected == 1 and result.intake.new == 0


def test_the_server_polls_its_feeds_on_a_schedule(
    settings: Settings, clock: FixedClock, feed: tuple[Feed, str]
) -> None:
    server, url = feed
    dead = "http://127.0.0.1:9/nothing-listens-here.atom"
    polled = settings.model_copy(update={"rss_feeds": [url, dead], "rss_poll_interval": 0.2})
    running = build(polled, clock, in_process_worker=True)
    assert running.feeds is not None
    running.start()
    try:
        server.body, server.etag = atom(1, 2, 3, 4), '"v2"'
        deadline = time.monotonic() + 30
        while running.feeds.polls < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert running.feeds.polls >= 3
        running.views.wait(running.store.head())
        view = running.views.get(IntakeProjection)
        assert len(view.postings(channel="rss")) == 4  # each entry once, however many polls
        assert any(dead in r["excerpt"] for r in view.rejections())  # visible on /admin/intake
    finally:
        running.close()
    quiet = build(settings, clock)
    assert quiet.feeds is None  # no feeds configured: no poller
    quiet.close()
