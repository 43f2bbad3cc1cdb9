"""sync_rules() through the real StreamingClient rule endpoints, against FakeX."""

from __future__ import annotations

from channels.x import StreamListener, desired_rules, sync_rules
from channels.x.model import NormalizedPosting, Rejection
from tests.fakes.fake_x import FakeX
from tests.x.helpers import SECRET


def listener(fx: FakeX) -> StreamListener:
    def sink(item: NormalizedPosting | Rejection) -> None:
        raise AssertionError(item)

    return StreamListener("t", sink=sink, author_key_secret=SECRET, base_url=fx.base_url)


def rule_set(fx: FakeX) -> set[tuple[str, str]]:
    return {(r["value"], r["tag"]) for r in fx.rules}


def test_desired_rules() -> None:
    assert desired_rules(["침수", "#Flood"], ["@Seoul_City"]) == {
        ("#침수", "hashtag:#침수"),
        ("#Flood", "hashtag:#Flood"),
        ("@Seoul_City", "account:seoul_city"),
    }


def test_first_sync_adds_everything_then_nothing_changes() -> None:
    with FakeX() as fx:
        stream = listener(fx)
        first = sync_rules(stream, ["침수"], ["seoul_city", "SeoulMetro"])
        assert first.deleted == () and len(first.added) == 3
        assert rule_set(fx) == desired_rules(["침수"], ["seoul_city", "SeoulMetro"])
        again = sync_rules(stream, ["#침수"], ["@seoul_city", "SeoulMetro"])
        assert again.added == () and again.deleted == ()
        assert len(fx.rule_changes) == 1  # the second sync sent nothing


def test_only_the_difference_is_added_and_removed() -> None:
    with FakeX() as fx:
        stream = listener(fx)
        sync_rules(stream, ["침수", "폭염"], ["seoul_city", "SeoulMetro"])
        kept = {r["value"]: r["id"] for r in fx.rules}
        diff = sync_rules(stream, ["침수", "지진"], ["seoul_city"])
        removed = {kept["#폭염"], kept["@SeoulMetro"]}
        assert set(diff.deleted) == removed
        assert diff.added == (("#지진", "hashtag:#지진"),)
        assert fx.rule_changes[1:] == [
            {"delete": {"ids": sorted(removed, key=list(kept.values()).index)}},
            {"add": [{"value": "#지진", "tag": "hashtag:#지진"}]},
        ]
        now = {r["value"]: r["id"] for r in fx.rules}
        assert now["#침수"] == kept["#침수"] and now["@seoul_city"] == kept["@seoul_city"]
        assert set(now) == {"#침수", "@seoul_city", "#지진"}
