"""Missing persons: public search (policy-filtered), records by the desk, notes by anyone
(moderated before they are public), moderation queue for the desk."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import Field

from api.bootstrap import Container
from api.deps import ContainerDep, PrincipalDep, allow, anyone
from api.ratelimit import client_key, limiter
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict, Written
from domain.context import Cause
from domain.directory import Role
from domain.missing_persons import MissingPersonService, NoteIn, PersonIn
from domain.redaction import redact
from projections.missing_persons import MissingPersonsProjection

router = APIRouter(prefix="/api/lifeline", tags=["lifeline"])
DESK = allow(Role.DESK, Role.ADMIN)
RECORDERS = allow(Role.DESK, Role.ADMIN, Role.OFFICIAL)
VIEW = ["missing_persons"]
CITIZEN = Cause("citizen:lifeline-form")

Short = Annotated[str, Field(max_length=200)]
Status = Literal[
    "information_sought", "believed_alive", "believed_missing", "believed_dead", "found"
]


class Contact(Strict):
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)


class PersonBody(Strict):
    key: str | None = Field(default=None, min_length=8, max_length=64, pattern=r"^[\w-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    alternate_names: list[Short] = Field(default=[], max_length=10)
    sex: Literal["", "female", "male", "other"] = ""
    age: str = Field(default="", max_length=20)
    home_district: str = Field(default="", pattern=r"^(\d{5})?$")
    description: str = Field(default="", max_length=2000)
    photo_url: str = Field(default="", max_length=500)
    home_address: str = Field(default="", max_length=500)
    author_name: Short = ""
    author_contact: Contact = Contact()


class NoteBody(Strict):
    key: str | None = Field(default=None, min_length=8, max_length=64, pattern=r"^[\w-]+$")
    status: Status
    text: str = Field(min_length=1, max_length=2000)
    author_name: Short = ""
    last_known_location: Short = ""
    author_contact: Contact = Contact()


class ModerateBody(Strict):
    decision: Literal["approved", "rejected"]


def service(container: Container) -> MissingPersonService:
    return MissingPersonService(container.commands, container.settings.missing_person_expiry_days)


def _written(result: Any) -> Written:
    return Written(id=str(result.id), position=result.position)


def public_search(
    container: Container, q: str, exercise: bool, incident: str | None = None
) -> list[dict[str, Any]]:
    rows = container.views.get(MissingPersonsProjection).search(
        q,
        exercise=exercise,
        now=container.clock.now(),
        incident_id=incident,
        retention_days=container.settings.missing_person_retention_days,
    )
    return [public_notes(row) for row in rows]


def public_person(container: Container, person_id: UUID, exercise: bool) -> dict[str, Any]:
    """One record as the public sees it; 404 when unknown, expired or of the other view."""
    found = container.views.get(MissingPersonsProjection).public_person(
        str(person_id),
        exercise=exercise,
        now=container.clock.now(),
        retention_days=container.settings.missing_person_retention_days,
    )
    if found is None:
        raise HTTPException(404, "no public missing-person record with this id")
    return public_notes(found)


def public_notes(row: dict[str, Any]) -> dict[str, Any]:
    """Approved notes pass through the redaction of personal data before they are shown."""
    for note in row["notes"]:
        note["text"] = redact(note["text"]).text
        note["last_known_location"] = redact(note["last_known_location"]).text
    return row


def note_allowance(request: Request, container: Container) -> None:
    """Anonymous notes count against a per-client hourly allowance (429 beyond it)."""
    limit = container.settings.lifeline_note_rate_limit
    wait = limiter(request, "person_notes", limit).hit(client_key(request))
    if wait is not None:
        raise HTTPException(
            429,
            f"too many notes from this client: at most {limit} an hour; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )


@router.get("/persons")
def search(
    container: ContainerDep,
    after: AfterQuery = None,
    q: Annotated[str, Query(max_length=100)] = "",
    exercise: bool = False,
    incident: Annotated[str | None, Query(max_length=36)] = None,
) -> list[dict[str, Any]]:
    """Public: names match across Hangul and romanisations; no contact, no exact address."""
    wait_for(container, after, VIEW)
    return public_search(container, q, exercise, incident)


@router.get("/persons/pending", dependencies=[DESK])
def pending(container: ContainerDep, after: AfterQuery = None) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(MissingPersonsProjection).pending()


@router.get("/persons/{person_id}/full", dependencies=[DESK])
def full(person_id: UUID, container: ContainerDep, after: AfterQuery = None) -> dict[str, Any]:
    wait_for(container, after, VIEW)
    found = container.views.get(MissingPersonsProjection).full(str(person_id))
    if found is None:
        raise HTTPException(404, "person record not found")
    return found


@router.post(
    "/incidents/{incident_id}/persons",
    status_code=status.HTTP_201_CREATED,
    dependencies=[RECORDERS],
)
def register(
    incident_id: UUID, body: PersonBody, container: ContainerDep, who: PrincipalDep
) -> Written:
    person = PersonIn(
        key=body.key or secrets.token_hex(16),
        full_name=body.full_name,
        alternate_names=tuple(body.alternate_names),
        sex=body.sex,
        age=body.age,
        home_district=body.home_district,
        description=body.description,
        photo_url=body.photo_url,
        home_address=body.home_address,
        author_name=body.author_name,
        author_contact=body.author_contact.model_dump(exclude_defaults=True),
    )
    return _written(service(container).register(Cause(who.actor), incident_id, person))


@router.post("/persons/{person_id}/notes", dependencies=[anyone()])
def add_note(
    request: Request, person_id: UUID, body: NoteBody, container: ContainerDep, who: PrincipalDep
) -> Written:
    """Anyone (relatives, too) may add a note; it is public only after moderation."""
    if not who.signed_in:
        note_allowance(request, container)
    note = NoteIn(
        key=body.key or secrets.token_hex(16),
        status=body.status,
        text=body.text,
        author_name=body.author_name,
        last_known_location=body.last_known_location,
        author_contact=body.author_contact.model_dump(exclude_defaults=True),
    )
    cause = Cause(who.actor) if who.signed_in else CITIZEN
    return _written(service(container).add_note(cause, person_id, note))


@router.post("/persons/{person_id}/notes/{note_id}/moderate", dependencies=[DESK])
def moderate(
    person_id: UUID, note_id: str, body: ModerateBody, container: ContainerDep, who: PrincipalDep
) -> Written:
    result = service(container).moderate(Cause(who.actor), person_id, note_id, body.decision)
    return _written(result)
