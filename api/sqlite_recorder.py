"""The event store's SQLite recorder: eventsourcing 9.5.6's, inserting a transaction's events
with one ``executemany`` instead of one ``execute`` per event.

The library executes each INSERT on its own to read the row id SQLite gave it (the event's
notification id). Inside one write transaction nobody else can insert, and SQLite gives a new
row (no id given, no row ever deleted: the store is append-only) the largest id so far plus
one, so the ids of n rows inserted together are the n ids ending at the largest one after the
insert. ``tests/core/test_sqlite_recorder.py`` checks them against the table, also with
several writers at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

TOPIC = f"{__name__}:GroupInsertRecorder"


class GroupInsertRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        count = len(stored_events)
        if count < 2:
            return super()._insert_events(c, stored_events, **kwargs)
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute(self.select_max_notification_id_statement)
        last = int(c.fetchone()[0])
        return list(range(last - count + 1, last + 1))
