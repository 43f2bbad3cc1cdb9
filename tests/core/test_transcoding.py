"""Every event class survives the store's transcoding, and old stored events still load."""

from __future__ import annotations

import importlib
import json
import pkgutil
import typing
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

import domain
from domain.base import registered_topics
from domain.context import Cause, acting
from domain.store import SmcStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stored_events_v1.json"
T0 = datetime(2026, 7, 14, 9, 30, tzinfo=UTC)

SAMPLES: dict[str, Any] = {
    "str": "표본 sample",
    "int": 7,
    "float": 37.5665,
    "bool": True,
    "UUID": UUID(int=5),
    "datetime": T0,
    "list[str]": ["#서울시", "#test"],
    "dict[str, Any]": {"k": "v"},
    "dict[str, str]": {"k": "v"},
    "list[float]": [1.5, 2.5],
    "list[int]": [1, 2],
    "str | None": "x",
    "float | None": 1.25,
    "int | None": 3,
    "UUID | None": UUID(int=9),
    "datetime | None": T0,
    "list[list[float]]": [[126.9, 37.5], [127.0, 37.6]],
    "list[dict[str, Any]]": [{"a": 1}],
}


def import_domain() -> None:
    """Import every domain module, so that every event class is registered."""
    for module in pkgutil.iter_modules(domain.__path__, "domain."):
        importlib.import_module(module.name)


def event_classes() -> list[type]:
    import_domain()
    return sorted(
        (
            c
            for c in registered_topics().values()
            if isinstance(c, type)
            and issubclass(c, Aggregate.Event)
            and c.__name__ not in {"Event", "Created"}
        ),
        key=lambda c: c.TOPIC,  # type: ignore[attr-defined]
    )


def sample_event(cls: type) -> Any:
    kwargs: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        if not f.init:
            continue
        if f.name == "originator_id":
            kwargs[f.name] = uuid4()
        elif f.name == "originator_version":
            kwargs[f.name] = 1
        elif f.name == "timestamp":
            kwargs[f.name] = T0
        elif f.name == "originator_topic":
            kwargs[f.name] = "smc:User"
        else:
            key = str(f.type).replace("typing.", "")
            if key not in SAMPLES:
                key = getattr(hints[f.name], "__name__", key)
            assert key in SAMPLES, f"add a sample value for {cls.TOPIC}.{f.name}: {f.type}"  # type: ignore[attr-defined]
            kwargs[f.name] = SAMPLES[key]
    with acting(Cause("system:test", exercise=True), T0):
        return cls(**kwargs)


@pytest.fixture(scope="module")
def store() -> typing.Iterator[SmcStore]:
    s = SmcStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield s
    s.close()


@pytest.mark.parametrize("cls", event_classes(), ids=lambda c: c.TOPIC)
def test_every_event_class_round_trips(cls: type, store: SmcStore) -> None:
    event = sample_event(cls)
    stored = store.mapper.to_stored_event(event)
    assert stored.topic == cls.TOPIC  # type: ignore[attr-defined]
    again = store.mapper.to_domain_event(stored)
    assert type(again) is cls
    assert again.__dict__ == event.__dict__
    assert getattr(again, "actor", None) == "system:test"
    assert getattr(again, "exercise", None) is True


def test_old_stored_events_still_load(store: SmcStore) -> None:
    records = json.loads(FIXTURES.read_text("utf-8"))
    assert len(records) >= 6
    for record in records:
        stored = StoredEvent(
            originator_id=UUID(record["originator_id"]),
            originator_version=record["originator_version"],
            topic=record["topic"],
            state=record["state"].encode("utf-8"),
        )
        event = store.mapper.to_domain_event(stored)
        assert record["topic"] == type(event).TOPIC  # type: ignore[attr-defined]
        for key, value in record["expect"].items():
            assert getattr(event, key) == value, (record["topic"], key)


def test_every_event_class_has_a_stored_fixture() -> None:
    covered = {r["topic"] for r in json.loads(FIXTURES.read_text("utf-8"))}
    missing = {c.TOPIC for c in event_classes()} - covered  # type: ignore[attr-defined]
    assert not missing, f"add stored examples of {sorted(missing)} to {FIXTURES.name}"
