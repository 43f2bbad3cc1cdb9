"""`smc ingest x --live` starts with a recent-search backfill from the stored since_id: the
postings and the cursor are stored, and a second backfill after a restart asks only for what
is newer and stores nothing twice."""

from __future__ import annotations

import pytest

from api.bootstrap import Container
from channels.x.live import STREAM, LiveIntake
from tests.fakes.fake_x import FakeX, load_corpus
from tests.shared_data import shared


@pytest.mark.parametrize("backend", ["sqlite"])
def test_backfill_stores_items_and_resumes_from_the_cursor(container: Container) -> None:
    corpus = load_corpus([shared("x-api", "twarc-csv_noflat.jsonl")])
    with FakeX(corpus=corpus) as fx:
        live = LiveIntake(
            container.intake,
            "tok",
            b"k",
            hashtags=["#서울시"],
            accounts=["seoul_smc"],
            base_url=fx.base_url,
            sleep=lambda _s: None,
        )
        first = live.run_backfill()
        newest = corpus.tweets[0]["id"]
        assert first.new + first.retweets == len(corpus.tweets)
        assert container.intake.cursor("x", STREAM) == newest
        assert fx.queries[0]["query"] == "#서울시 OR @seoul_smc"
        again = LiveIntake(
            container.intake,
            "tok",
            b"k",
            hashtags=["#서울시"],
            accounts=["seoul_smc"],
            base_url=fx.base_url,
            sleep=lambda _s: None,
        ).run_backfill()
        assert again.new == 0
        assert fx.queries[-1]["since_id"] == newest
