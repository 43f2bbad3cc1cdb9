"""Append stored examples of event classes that have none yet to the fixtures file.

Run ``python -m tests.make_fixtures`` after adding an event class. Existing records are never
changed: they are the proof that old stored events still load.
"""

from __future__ import annotations

import json

from domain.store import SmcStore
from tests.core.test_transcoding import FIXTURES, event_classes, sample_event


def main() -> None:
    records = json.loads(FIXTURES.read_text("utf-8")) if FIXTURES.exists() else []
    have = {r["topic"] for r in records}
    store = SmcStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    for cls in event_classes():
        if cls.TOPIC in have:  # type: ignore[attr-defined]
            continue
        event = sample_event(cls)
        stored = store.mapper.to_stored_event(event)
        expect = {k: v for k, v in event.__dict__.items() if isinstance(v, str | bool | int)}
        records.append(
            {
                "topic": stored.topic,
                "originator_id": str(stored.originator_id),
                "originator_version": stored.originator_version,
                "state": stored.state.decode("utf-8"),
                "expect": expect,
            }
        )
    FIXTURES.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{len(records)} stored event fixtures")


if __name__ == "__main__":
    main()
