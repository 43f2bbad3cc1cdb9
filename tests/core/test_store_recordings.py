"""``SmcStore.save`` of our aggregates returns lazily made recordings: the same recordings and
notifications as the library's ``EventStore.put`` returns for the same events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.sqlite_recorder import TOPIC
from domain.context import Cause, acting
from domain.postings import IntakeRejection
from domain.store import Recordings, SmcStore

T0 = datetime(2026, 7, 14, 1, 0, tzinfo=UTC)


def made(prefix: str, count: int) -> list[IntakeRejection]:
    with acting(Cause("system:test"), T0):
        return [IntakeRejection("x", f"{prefix}{i}", str(i), "bad", f"e{i}") for i in range(count)]


@pytest.mark.parametrize("kind", ["popo", "sqlite"])
def test_same_recordings_as_the_library(kind: str, tmp_path: Path) -> None:
    env = {"PERSISTENCE_MODULE": f"eventsourcing.{kind}"}
    if kind == "sqlite":
        env |= {"SQLITE_DBNAME": str(tmp_path / "s.sqlite"), "APPLICATION_RECORDER_TOPIC": TOPIC}
    store = SmcStore(env=env)
    try:
        ours = store.save(*made("a", 5))
        assert isinstance(ours, Recordings)
        theirs_events = [e for r in made("b", 5) for e in r.collect_events()]
        theirs = store.events.put(theirs_events)  # the library's way, after ours
        assert len(ours) == len(theirs) == 5
        for mine, lib in zip(ours, theirs, strict=True):
            m, t = mine.notification, lib.notification
            assert (m.topic, m.originator_version) == (t.topic, t.originator_version)
            assert t.id - m.id == 5  # consecutive positions, ours first
            assert mine.domain_event.originator_id == m.originator_id
        assert ours[-1].notification.id == 5
        assert ours[-1] is ours[4]  # made once
        assert [r.notification.id for r in ours[1:3]] == [2, 3]
        with pytest.raises(IndexError):
            ours[5]
        assert store.save() == []
    finally:
        store.close()
