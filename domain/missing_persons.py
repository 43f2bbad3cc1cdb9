"""Missing persons in the spirit of PFIF 1.4: person records and notes, moderated before public.

A record belongs to an incident (an exercise incident's records are exercise records). Contact
details and the exact address are *private*: they are kept for the desk and never shown on the
public view, which also hides notes until the desk approves them and hides records after their
expiry (PFIF ``expiry_date``) or once the incident has been closed for ``RETENTION_DAYS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.context import Cause, current_time
from domain.errors import InvalidInputError, TransitionNotAllowedError
from domain.incidents import Incident
from domain.store import Commands, Recorded

STATUSES = (
    "information_sought",
    "believed_alive",
    "believed_missing",
    "believed_dead",
    "found",
)
SEXES = ("", "female", "male", "other")
DECISIONS = ("approved", "rejected")
EXPIRY_DAYS = 60
RETENTION_DAYS = 30


def _text(value: str, what: str, limit: int = 200, *, required: bool = False) -> str:
    value = value.strip()
    if len(value) > limit or (required and not value):
        raise InvalidInputError(f"{what} must be {int(required)} to {limit} characters")
    return value


class PersonRecord(SmcAggregate):
    """One person someone is looking for (or reports as found), with notes about them."""

    @staticmethod
    def create_id(incident_id: str, key: str) -> UUID:
        return ids.natural_id("person", incident_id, key)

    @event("Registered")
    def __init__(
        self,
        incident_id: str,
        key: str,
        names: dict[str, Any],
        public: dict[str, Any],
        private: dict[str, Any],
        expiry_date: str,
    ) -> None:
        self.incident_id = incident_id
        self.key = key
        self.names = names
        self.expiry_date = expiry_date
        self.notes: dict[str, str] = {}
        del public, private  # kept in the event for the projection

    def add_note(self, note_id: str, note: dict[str, Any]) -> None:
        if note_id in self.notes:
            raise TransitionNotAllowedError("this note was already added", id=note_id)
        if note.get("status") not in STATUSES:
            raise InvalidInputError(f"status must be one of {', '.join(STATUSES)}")
        self._note_added(note_id=note_id, note=note)

    def moderate(self, note_id: str, decision: str) -> None:
        if decision not in DECISIONS:
            raise InvalidInputError("decision must be approved or rejected")
        if note_id not in self.notes:
            raise InvalidInputError(f"no note {note_id} on this record")
        if self.notes[note_id] != "pending":
            raise TransitionNotAllowedError(f"the note was already {self.notes[note_id]}")
        self._note_moderated(note_id=note_id, decision=decision)

    @event("NoteAdded")
    def _note_added(self, note_id: str, note: dict[str, Any]) -> None:
        del note
        self.notes[note_id] = "pending"

    @event("NoteModerated")
    def _note_moderated(self, note_id: str, decision: str) -> None:
        self.notes[note_id] = decision


@dataclass(frozen=True)
class PersonIn:
    key: str
    full_name: str
    alternate_names: tuple[str, ...] = ()
    sex: str = ""
    age: str = ""
    home_district: str = ""
    description: str = ""
    photo_url: str = ""
    home_address: str = ""  # private
    author_name: str = ""
    author_contact: dict[str, str] = field(default_factory=dict)  # private


@dataclass(frozen=True)
class NoteIn:
    key: str
    status: str
    text: str
    author_name: str = ""
    last_known_location: str = ""
    author_contact: dict[str, str] = field(default_factory=dict)  # private


def _contact(values: dict[str, str]) -> dict[str, str]:
    return {k: _text(v, f"contact {k}", 200) for k, v in values.items() if k in ("phone", "email")}


def note_key_id(person_id: UUID, key: str) -> str:
    return str(ids.natural_id("person-note", str(person_id), key))


class MissingPersonService:
    def __init__(self, commands: Commands, expiry_days: int = EXPIRY_DAYS) -> None:
        self.commands = commands
        self.store = commands.store
        self.expiry_days = expiry_days

    def _incident(self, incident_id: UUID) -> Incident:
        return self.store.load(incident_id, Incident, "incident")

    def register(self, cause: Cause, incident_id: UUID, p: PersonIn) -> Recorded:
        if p.sex not in SEXES:
            raise InvalidInputError("sex must be female, male, other or empty")
        names = {
            "full_name": _text(p.full_name, "full name", required=True),
            "alternate_names": [_text(n, "alternate name") for n in p.alternate_names[:10]],
        }
        public = {
            "sex": p.sex,
            "age": _text(p.age, "age", 20),
            "home_district": _text(p.home_district, "home district", 10),
            "description": _text(p.description, "description", 2000),
            "photo_url": _text(p.photo_url, "photo link", 500),
            "author_name": _text(p.author_name, "author name"),
        }
        private = {
            "home_address": _text(p.home_address, "home address", 500),
            "author_contact": _contact(p.author_contact),
        }
        key = _text(p.key, "key", 64, required=True)
        exercise = self._incident(incident_id).status == "Exercise"

        def command() -> Recorded:
            incident = self._incident(incident_id)
            if incident.closed:
                raise TransitionNotAllowedError("the incident is closed")
            expiry = (current_time() + timedelta(days=self.expiry_days)).isoformat()
            record = PersonRecord(str(incident_id), key, names, public, private, expiry)
            if self.store.exists(record.id):
                return Recorded(record.id, self.store.head())
            return Recorded(record.id, self.commands.save(record))

        return self.commands.run(Cause(cause.actor, exercise=exercise), command)

    def add_note(self, cause: Cause, person_id: UUID, n: NoteIn) -> Recorded:
        note = {
            "status": n.status,
            "text": _text(n.text, "note", 2000, required=True),
            "author_name": _text(n.author_name, "author name"),
            "last_known_location": _text(n.last_known_location, "last known location"),
            "author_contact": _contact(n.author_contact),
        }
        note_id = note_key_id(person_id, _text(n.key, "key", 64, required=True))
        return self._run(cause, person_id, lambda r: r.add_note(note_id, note))

    def moderate(self, cause: Cause, person_id: UUID, note_id: str, decision: str) -> Recorded:
        return self._run(cause, person_id, lambda r: r.moderate(note_id, decision))

    def _run(self, cause: Cause, person_id: UUID, change: Any) -> Recorded:
        record = self.store.load(person_id, PersonRecord, "person record")
        exercise = self._incident(UUID(record.incident_id)).status == "Exercise"

        def command() -> Recorded:
            current = self.store.load(person_id, PersonRecord, "person record")
            change(current)
            return Recorded(current.id, self.commands.save(current))

        return self.commands.run(Cause(cause.actor, exercise=exercise), command)
