"""The Atom feed of one public posting: valid Atom, stable entry ids, correct updated times,
the status changes and the published answer exactly as redacted on /public."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import feedparser
from fastapi.testclient import TestClient
from lxml import etree

from api.bootstrap import Container
from domain.clock import FixedClock
from domain.context import Cause
from domain.postings import IncomingPosting, Posting
from tests.helpers import store_posting

WHO = Cause("system:test")
ATOM = "{http://www.w3.org/2005/Atom}"


def atom(client: TestClient, pid: str) -> etree._Element:
    response = client.get(f"/public/{pid}/feed.atom?lang=en")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return etree.fromstring(response.content)


def entries(feed: etree._Element) -> dict[str, etree._Element]:
    return {e.findtext(f"{ATOM}id") or "": e for e in feed.findall(f"{ATOM}entry")}


def test_posting_feed_is_valid_atom_with_stable_ids(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    item = IncomingPosting(
        channel="web",
        source_id="W-20260714-0000FEED",
        text="가로등 고장, 제 번호 010-2222-3333",
        created_at=clock.now(),
    )
    store_posting(container, item)
    pid, ledger = str(item.posting_id), container.ledger
    case = ledger.open(WHO, pid, "web", item.created_at).id
    changes: list[Callable[[], object]] = [
        lambda: ledger.classify(WHO, case, "simple"),
        lambda: ledger.assign(WHO, case, "department:ROAD"),
        lambda: ledger.designate(WHO, case, "kim.official"),
        lambda: ledger.respond(WHO, case, "수리했습니다. 담당: 02-120-1234"),
    ]
    for change in changes:
        clock.advance(timedelta(minutes=7))
        change()
    container.views.wait(container.store.head(), timeout=60)
    before = atom(client, pid)
    first = entries(before)
    assert len(first) == 4 and not any(":reply:" in i for i in first)  # answer kept back
    clock.advance(timedelta(minutes=7))
    published_at = clock.now()
    ledger.publish(WHO, case)
    container.views.wait(container.store.head(), timeout=60)

    feed = atom(client, pid)
    now = entries(feed)
    assert set(first) < set(now) and len(now) == 6  # old entries keep their ids
    assert atom(client, pid).findtext(f"{ATOM}updated") == feed.findtext(f"{ATOM}updated")
    assert datetime.fromisoformat(feed.findtext(f"{ATOM}updated") or "") == published_at
    reply = next(e for i, e in now.items() if ":reply:" in i)
    content = reply.findtext(f"{ATOM}content") or ""
    shown = client.get(f"/api/public/postings/{pid}").json()
    assert content == shown["reply"] and "02-120-1234" not in content
    assert datetime.fromisoformat(reply.findtext(f"{ATOM}updated") or "") == published_at
    states = [e.findtext(f"{ATOM}title") for i, e in now.items() if ":change:" in i]
    assert states[0] == "Status: answer published" and states[-1] == "Status: classified"
    for entry in now.values():
        entry_link = entry.find(f"{ATOM}link")
        assert entry_link is not None and entry_link.get("href", "").endswith(f"/public/{pid}")
    assert "010-2222" not in etree.tostring(feed, encoding="unicode")
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href", "").endswith(f"/public/{pid}/feed.atom")


def test_feed_of_unknown_or_drill_posting_is_404(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    assert client.get("/public/nope/feed.atom").status_code == 404
    drill = IncomingPosting(
        channel="web", source_id="W-20260714-0000D1D1", text="훈련", created_at=clock.now()
    )
    commands = container.commands
    commands.run(Cause("system:test", exercise=True), lambda: commands.save(Posting.receive(drill)))
    container.views.wait(container.store.head(), timeout=60)
    assert client.get(f"/public/{drill.posting_id}/feed.atom").status_code == 404
