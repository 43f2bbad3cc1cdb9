"""Every projection: built event by event equals rebuilt from 0; a page twice changes nothing."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from eventsourcing.sqlite import SQLiteDatastore

from api.bootstrap import Container, store_env, views_config
from projections.base import SmcProjection
from projections.catchup import catch_up
from projections.registry import PROJECTIONS, by_name
from projections.viewset import ViewsConfig, open_projection, prepare_wal_file
from tests import scenario


def _fill(container: Container) -> None:
    scenario.fill(container)


def _all_events(container: Container) -> list[tuple[object, int]]:
    store = container.store
    notes = store.recorder.select_notifications(0, 100_000, inclusive_of_start=False)
    return [(store.mapper.to_domain_event(n), n.id) for n in notes]


def test_every_projection_event_by_event_equals_rebuild_and_ignores_repeats(
    container: Container, scratch: ViewsConfig
) -> None:
    """One story through every capability (tests/scenario.py), then for each projection:
    built event by event == rebuilt from 0 in pages; a page delivered twice changes nothing."""
    _fill(container)
    container.views.wait(container.store.head(), timeout=60)
    _quiesce(container)
    events = _all_events(container)
    assert len(events) > 40
    for cls in PROJECTIONS:
        _check_rebuild(container, cls, scratch, events)
        _check_repeats(cls, scratch, events)


def _quiesce(container: Container) -> None:
    """Stop everything that writes in the background, so the views hold still."""
    for part in (container.dispatcher, container.watcher, container.catchup, container.worker):
        if part is not None:
            part.stop()


def _check_rebuild(
    container: Container,
    cls: type[SmcProjection],
    scratch: ViewsConfig,
    events: list[tuple[object, int]],
) -> None:
    incremental = open_projection(cls, scratch)
    try:
        incremental.reset()
        for item in events:
            incremental.process_page([item])
        rebuilt = container.views[cls.name]
        rebuilt.reset()
        assert rebuilt.view.position() == 0
        catch_up(container.store, rebuilt, page_size=7, until=events[-1][1])
        assert rebuilt.view.position() == events[-1][1], cls.name
        assert incremental.dump() == rebuilt.dump(), cls.name
        if cls.name in scenario.COVERED:
            assert any(rows for rows in rebuilt.dump().values()), cls.name
    finally:
        incremental.reset()
        incremental.view.close()


def _check_repeats(
    cls: type[SmcProjection], scratch: ViewsConfig, events: list[tuple[object, int]]
) -> None:
    projection = open_projection(cls, scratch)
    try:
        projection.reset()
        page = events[:60]
        assert projection.process_page(page) == page[-1][1]
        before = projection.dump()
        assert projection.process_page(page) == page[-1][1]
        assert projection.dump() == before, cls.name
        projection.process_page(events[30:120])  # overlapping page: only the new part applies
        twice = projection.dump()
        projection.reset()
        projection.process_page(events[:120])
        assert projection.dump() == twice, cls.name
    finally:
        projection.reset()
        projection.view.close()


def test_unknown_projection_name_says_which_exist() -> None:
    with pytest.raises(KeyError, match="known: directory"):
        by_name("nope")


@pytest.fixture
def scratch(container: Container, backend: str, request: pytest.FixtureRequest) -> ViewsConfig:
    """A second, independent place for the same projection (another folder or database)."""
    config = views_config(container.settings)
    if backend == "sqlite":
        assert config.sqlite_dir is not None
        return replace(config, sqlite_dir=config.sqlite_dir / "scratch")
    url = request.getfixturevalue("pg_cluster").create_database(f"scratch{id(container)}")
    settings = container.settings.model_copy(update={"database_url": url})
    return ViewsConfig("postgres", postgres_env=store_env(settings))


def test_processes_starting_together_all_get_their_views(
    container: Container, scratch: ViewsConfig
) -> None:
    """Four "processes" open every view of a fresh database at once: PostgreSQL's catalogue
    races (``CREATE ... IF NOT EXISTS`` twice at the same moment) must not stop any of them."""
    errors: list[BaseException] = []
    opened: list[SmcProjection] = []

    def start() -> None:
        try:
            opened.extend(open_projection(cls, scratch) for cls in PROJECTIONS)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        assert errors == []
        assert len(opened) == 4 * len(PROJECTIONS)
        assert all(p.view.position() == 0 for p in opened)
    finally:
        for p in opened:
            p.view.close()


def test_many_openers_of_new_view_files_all_get_a_wal_file(tmp_path: Path) -> None:
    """Sixteen openers of each of 300 new files at once: without ``prepare_wal_file`` the
    library's own switch to WAL failed now and then with "database is locked" (seen in CI)."""
    errors: list[BaseException] = []

    def open_file(path: Path) -> None:
        try:
            prepare_wal_file(path)
            datastore = SQLiteDatastore(db_name=str(path))
            with datastore.transaction(commit=True) as c:
                c.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            datastore.close()
        except BaseException as exc:
            errors.append(exc)

    paths = [tmp_path / f"view{i}.sqlite" for i in range(300)]
    for path in paths:
        threads = [threading.Thread(target=open_file, args=(path,)) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    for path in paths:
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()
