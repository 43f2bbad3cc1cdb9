"""Mapping domain events to stored events quickly: eventsourcing 9.5.6's ``Mapper`` with its
``JSONTranscoder``, the same bytes, with less done per event.

``Mapper.to_stored_event`` looks the topic and class version up, and ``JSONTranscoder.encode``
builds a JSON encoder, on every call; the encoder then calls back into Python for every
datetime, though the events of one command share one timestamp object. Here the per-class work
is done once, one C encoder is kept (the library's settings: compact separators, no ASCII
escaping) and the transcoded form of the last timestamp seen is reused. Decoding is the
library's own. tests/core/test_creation.py compares the bytes with the library's mapper.
"""

from __future__ import annotations

import json.encoder
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic

_ClassInfo = tuple[str, int]
Row = tuple[UUID, int, str, bytes]  # a stored event: originator id, version, topic, state
_C_ENCODER: Callable[..., Callable[[Any, int], Any]] | None = getattr(
    json.encoder, "c_make_encoder", None
)


class FastMapper(Mapper[UUID]):
    """A :class:`Mapper` whose ``to_stored_event`` encodes without the per-call set-up."""

    def __init__(self, transcoder: JSONTranscoder, **kwargs: Any) -> None:
        super().__init__(transcoder, **kwargs)
        self._json: JSONTranscoder = transcoder
        assert _C_ENCODER is not None
        self._encode = _C_ENCODER(  # what JSONEncoder.iterencode builds per call
            None,
            transcoder._encode_obj,
            json.encoder.encode_basestring,
            None,
            ":",
            ",",
            False,
            False,
            True,
        )
        self._classes: dict[type, _ClassInfo] = {}
        self._last_time: tuple[datetime | None, Any] = (None, None)

    @classmethod
    def replacing(cls, mapper: Mapper[UUID]) -> Mapper[UUID]:
        """A fast mapper in place of ``mapper`` when it is the library's plain JSON mapper
        (the encoder settings are checked); ``mapper`` itself otherwise."""
        transcoder = mapper.transcoder
        if type(mapper) is not Mapper or type(transcoder) is not JSONTranscoder:
            return mapper
        encoder = transcoder.encoder
        settings = (encoder.item_separator, encoder.key_separator, encoder.ensure_ascii)
        if _C_ENCODER is None or settings != (",", ":", False) or encoder.sort_keys:
            return mapper
        if encoder.indent is not None or encoder.skipkeys or not encoder.allow_nan:
            return mapper
        return cls(transcoder, compressor=mapper.compressor, cipher=mapper.cipher)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        cls: type = type(domain_event)
        if cls is MappedEvent:  # mapped already (``PreRecorded``): stored as it is
            return domain_event.stored  # type: ignore[attr-defined,no-any-return]
        try:
            topic, class_version = self._classes[cls]
        except KeyError:
            topic, class_version = self._classes.setdefault(
                cls, (get_topic(cls), getattr(cls, "class_version", 1))
            )
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        if class_version > 1:
            state["class_version"] = class_version
        timestamp = state.get("timestamp")
        if type(timestamp) is datetime:
            state["timestamp"] = self._time(timestamp)
        stored_state = "".join(self._encode(state, 0)).encode("utf8")
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=stored_state,
        )

    def plain(self) -> bool:
        """No compression, no encryption and the library's transcodings only: what
        ``standard_mapper`` makes, in another process too."""
        names = set(self._json.names)
        return not self.compressor and not self.cipher and names == set(_STANDARD_NAMES)

    def timestamp_prefix(self, when: datetime) -> bytes:
        """How every stored state made by this mapper at ``when`` begins (the timestamp is the
        first field an event's state has, after the id and version taken out)."""
        encoded = "".join(self._encode(self._json._encode_obj(when), 0))
        return b'{"timestamp":' + encoded.encode("utf8") + b","

    def _time(self, timestamp: datetime) -> Any:
        """The transcoded timestamp (``{"_type_": ..., "_data_": ...}``, what the encoder's
        callback returns), kept for the same object: a command's events share one."""
        last, encoded = self._last_time
        if last is not timestamp:
            encoded = self._json._encode_obj(timestamp)
            self._last_time = (timestamp, encoded)
        return encoded


_STANDARD = (UUIDAsHex, DecimalAsStr, DatetimeAsISO)  # what ``Application`` registers
_STANDARD_NAMES = tuple(t.name for t in _STANDARD)


def standard_mapper() -> FastMapper:
    """The store's mapper as ``SmcStore`` has it, made without a store (``plain``)."""
    transcoder = JSONTranscoder()
    for transcoding in _STANDARD:
        transcoder.register(transcoding())
    return FastMapper(transcoder)


class MappedEvent:
    """An event that is a stored event already (its state made by ``standard_mapper``)."""

    __slots__ = ("originator_id", "originator_version", "stored")

    def __init__(self, stored: StoredEvent) -> None:
        self.originator_id = stored.originator_id
        self.originator_version = stored.originator_version
        self.stored = stored


class PreRecorded:
    """Events mapped ahead (in another process, at a placeholder time), saved like an
    aggregate's: ``SmcStore.save`` takes it with aggregates, in one transaction. The writer's
    time replaces the placeholder's at the start of each state."""

    __slots__ = ("_events", "id")

    def __init__(self, aggregate_id: UUID, rows: Sequence[Row], old: bytes, new: bytes) -> None:
        self.id = aggregate_id
        cut = len(old)
        events: list[MappedEvent] = []
        for originator_id, version, topic, state in rows:
            if not state.startswith(old):
                msg = "an event mapped ahead does not start with the placeholder time"
                raise ValueError(msg)
            events.append(
                MappedEvent(StoredEvent(originator_id, version, topic, new + state[cut:]))
            )
        self._events = events

    def collect_events(self) -> list[MappedEvent]:
        events, self._events = self._events, []
        return events
