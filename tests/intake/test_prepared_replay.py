"""A replay whose parsing, fingerprints and triage decisions are done in a second process
stores exactly what the one-process replay stores; a failing second process is reported."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from api.bootstrap import Container, build
from api.settings import Settings
from bench.intake import write_replay
from channels.x.pipeline import PreparationError, ReplaySource, read_batches
from channels.x.replay import replay_file
from domain.clock import FixedClock
from domain.context import Cause
from domain.errors import InvalidInputError
from domain.intake_prepare import Prepared, Preparer
from domain.postings import IncomingPosting
from tests.conftest import make_settings
from tests.core.test_cli import smc
from tests.intake.test_x_replay import FILES, SECRET
from tests.shared_data import shared

Row = tuple[object, int, str, bytes]


class FailingPreparer(Preparer):
    """Fails on the second batch (module level: the second process must import it)."""

    def prepare(self, postings: Sequence[IncomingPosting]) -> list[Prepared]:
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 2:
            raise ValueError("the city's rules file is broken")
        return super().prepare(postings)


def stored_rows(container: Container) -> list[Row]:
    notes = container.store.recorder.select_notifications(start=1, limit=1_000_000)
    return [(n.originator_id, n.originator_version, n.topic, n.state) for n in notes]


def replay_into(
    settings: Settings, clock: FixedClock, files: list[Path], prepared: bool
) -> tuple[list[Row], list[dict[str, int]]]:
    container = build(settings, clock)
    try:
        preparer = container.intake_preparer() if prepared else None
        results = [
            replay_file(f, container.intake, author_key_secret=SECRET, batch_size=250,
                        preparer=preparer).__dict__
            for f in files
        ]  # fmt: skip
        return stored_rows(container), results
    finally:
        container.close()


def test_prepared_replay_stores_the_same_events(
    database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    generated = tmp_path / "generated.jsonl"
    write_replay(generated, 3_000)  # templated reports: many near-duplicates, 10 % retweets
    files = [generated, *(shared("x-api", name) for name in FILES), generated]
    alone = make_settings(f"sqlite:///{tmp_path / 'one.sqlite'}", tmp_path / "one")
    one = replay_into(alone, clock, files, False)
    two = replay_into(make_settings(database_url, tmp_path / "two"), clock, files, True)
    assert two[1] == one[1]
    assert one[1][0]["near_duplicates"] > 100 and one[1][-1]["new"] == 0
    assert len(one[0]) > 6_000
    assert two[0] == one[0]  # same events, same order, same bytes


def shared_postings() -> list[IncomingPosting]:
    """The postings of one real X capture (retweets among them), as one batch."""
    source = ReplaySource(str(shared("x-api", FILES[1])), SECRET, frozenset(), 10_000)
    return next(read_batches(source)).postings


def test_preparer_skips_retweets_and_items_intake_rejects(container: Container) -> None:
    postings = shared_postings()
    prepared = container.intake_preparer().prepare(postings)
    assert len(prepared) == len(postings)
    for item, ready in zip(postings, prepared, strict=True):
        if item.is_retweet:
            assert ready == Prepared(None, None)
        else:
            assert ready.decisions is not None and "destination" in ready.decisions
    assert Preparer(12).prepare(postings[:1])[0].decisions is None  # no engine: intake decides


def test_a_failing_second_process_is_reported_and_keeps_what_was_stored(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "replay.jsonl"
    write_replay(path, 1_000)
    container = build(settings)
    try:
        with pytest.raises(PreparationError, match="ValueError: the city's rules file is broken"):
            replay_file(path, container.intake, author_key_secret=SECRET, batch_size=300,
                        preparer=FailingPreparer(12))  # fmt: skip
        assert container.store.head() > 0  # the first batch is in
        again = replay_file(path, container.intake, author_key_secret=SECRET, batch_size=300)
        assert again.read == 1_000 and again.duplicates + again.retweets >= 300
    finally:
        container.close()


def test_cli_replay_with_and_without_the_second_process(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "replay.jsonl"
    write_replay(path, 1_200)
    env = {
        "SMC_DATABASE_URL": database_url,
        "SMC_DATA_DIR": str(tmp_path / "var"),
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": "cli-test-secret-0123456789abcdef",
    }
    first = smc("ingest", "x", "--replay", str(path), "--json", "--batch", "500", env=env)
    assert first.returncode == 0, first.stderr
    done = json.loads(first.stdout)
    assert done["read"] == 1_200 and done["new"] + done["retweets"] == 1_200
    again = smc("ingest", "x", "--replay", str(path), "--json", "--no-prepare", env=env)
    assert again.returncode == 0, again.stderr
    repeat = json.loads(again.stdout)
    assert (repeat["new"], repeat["duplicates"]) == (0, done["new"])


def test_prepared_entries_must_match_the_postings(container: Container) -> None:
    postings = shared_postings()
    prepared = container.intake_preparer().prepare(postings)
    head = container.store.head()
    with pytest.raises(InvalidInputError, match="one prepared entry per posting"):
        container.intake.ingest(Cause("system:test"), postings, prepared=prepared[:-1])
    assert container.store.head() == head  # nothing stored
