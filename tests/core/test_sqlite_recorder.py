"""The SQLite recorder that inserts a transaction's events with one executemany: the
notification ids it returns are the ids the rows got, also with several writers at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError

from api.sqlite_recorder import TOPIC, GroupInsertRecorder
from domain.context import Cause, acting
from domain.postings import IntakeRejection
from domain.store import SmcStore

T0 = datetime(2026, 7, 14, 1, 0, tzinfo=UTC)


def open_store(path: Path, group_insert: bool = True) -> SmcStore:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    if group_insert:
        env["APPLICATION_RECORDER_TOPIC"] = TOPIC
    return SmcStore(env=env)


def rejections(prefix: str, count: int) -> list[IntakeRejection]:
    with acting(Cause("system:test"), T0):
        return [
            IntakeRejection("x", f"{prefix}-{i}", str(i), "bad line", f"excerpt {i}")
            for i in range(count)
        ]


def ids_in_table(store: SmcStore) -> dict[tuple[str, int], int]:
    notes = store.recorder.select_notifications(start=1, limit=1_000_000)
    return {(n.originator_id.hex, n.originator_version): n.id for n in notes}  # type: ignore[union-attr]


def test_returned_ids_are_the_ids_the_rows_got(tmp_path: Path) -> None:
    store = open_store(tmp_path / "one.sqlite")
    try:
        assert isinstance(store.recorder, GroupInsertRecorder)
        returned: dict[tuple[str, int], int] = {}
        for batch, size in enumerate((1, 7, 300, 2)):
            saved = rejections(f"b{batch}", size)
            for recording in store.save(*saved):
                event = recording.domain_event
                returned[(event.originator_id.hex, event.originator_version)] = (
                    recording.notification.id
                )
        assert len(returned) == 310
        assert returned == ids_in_table(store)
        assert store.head() == 310
    finally:
        store.close()


def test_same_rows_and_ids_as_the_library_recorder(tmp_path: Path) -> None:
    tables = []
    for group in (True, False):
        store = open_store(tmp_path / f"{group}.sqlite", group_insert=group)
        try:
            for batch in range(3):
                store.save(*rejections(f"b{batch}", 50))
            rows = store.recorder.select_notifications(start=1, limit=1000)
            tables.append(
                [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in rows]
            )
        finally:
            store.close()
    assert tables[0] == tables[1] and len(tables[0]) == 150


def test_several_writers_at_once_get_their_own_ids(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    open_store(path).close()  # the table exists before the writers start
    stores = [open_store(path) for _ in range(4)]
    returned: dict[tuple[str, int], int] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for batch in range(25):
                for recording in stores[k].save(*rejections(f"w{k}-{batch}", 40)):
                    event = recording.domain_event
                    with lock:
                        returned[(event.originator_id.hex, event.originator_version)] = (
                            recording.notification.id
                        )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors
        assert len(returned) == 4 * 25 * 40
        assert len(set(returned.values())) == len(returned)
        assert returned == ids_in_table(stores[0])
    finally:
        for s in stores:
            s.close()


def test_a_duplicate_in_a_batch_stores_nothing_of_it(tmp_path: Path) -> None:
    store = open_store(tmp_path / "dup.sqlite")
    try:
        store.save(*rejections("a", 3))
        head = store.head()
        with pytest.raises(IntegrityError):
            store.save(*rejections("new", 5), *rejections("a", 1))
        assert store.head() == head
        assert len(ids_in_table(store)) == 3
    finally:
        store.close()
