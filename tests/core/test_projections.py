"""Every projection: built event by event equals rebuilt from 0; a page twice changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from api.bootstrap import Container, store_env, views_config
from api.demo import load_demo
from domain.context import Cause
from domain.directory import Role
from projections.base import SmcProjection
from projections.catchup import catch_up
from projections.registry import PROJECTIONS, by_name
from projections.viewset import ViewsConfig, open_projection


def _fill(container: Container) -> None:
    load_demo(container)
    d, c = container.directory, Cause("system:test")
    d.change_role(c, "kim.official", Role.DEPARTMENT_LEAD)
    d.deactivate_user(c, "jung.auditor")


def _all_events(container: Container) -> list[tuple[object, int]]:
    store = container.store
    notes = store.recorder.select_notifications(0, 100_000, inclusive_of_start=False)
    return [(store.mapper.to_domain_event(n), n.id) for n in notes]


@pytest.mark.parametrize("cls", PROJECTIONS, ids=lambda c: c.name)
def test_event_by_event_equals_rebuild(
    container: Container, cls: type[SmcProjection], scratch: ViewsConfig
) -> None:
    _fill(container)
    events = _all_events(container)
    assert len(events) > 40
    incremental = open_projection(cls, scratch)
    try:
        for item in events:
            incremental.process_page([item])
        rebuilt = container.views[cls.name]
        rebuilt.reset()
        assert rebuilt.view.position() == 0
        catch_up(container.store, rebuilt, page_size=7)
        assert rebuilt.view.position() == events[-1][1]
        assert incremental.dump() == rebuilt.dump()
        assert any(rows for rows in rebuilt.dump().values())
    finally:
        incremental.reset()
        incremental.view.close()


@pytest.mark.parametrize("cls", PROJECTIONS, ids=lambda c: c.name)
def test_same_page_twice_changes_nothing(
    container: Container, cls: type[SmcProjection], scratch: ViewsConfig
) -> None:
    _fill(container)
    events = _all_events(container)
    projection = open_projection(cls, scratch)
    try:
        projection.reset()
        page = events[:10]
        assert projection.process_page(page) == page[-1][1]
        before = projection.dump()
        assert projection.process_page(page) == page[-1][1]
        assert projection.dump() == before
        projection.process_page(events[5:20])  # overlapping page: only the new part applies
        projection.reset()
        projection.process_page(events[:20])
        assert projection.view.position() == events[19][1]
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
