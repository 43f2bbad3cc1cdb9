"""What a staged warning says: the ports that give its content, the checks on edited texts,
and the builders of its messages and delivery requests (pure functions of their inputs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from domain.context import current_time
from domain.deliveries import Delivery
from domain.errors import InvalidInputError
from domain.warnings import MESSAGE_ACTIONS, Action, StagedWarning, cap_identifier

KST = timezone(timedelta(hours=9), "KST")
LANGS = ("ko", "en")
TEXT_FIELDS = ("headline", "description", "instruction")
MAX_TEXT = 4000


@dataclass(frozen=True)
class StageContent:
    """One playbook stage rendered for an area and time, with its CAP qualifiers."""

    playbook_id: str
    playbook_version: str
    stage_id: str
    category: str
    event: dict[str, str]
    urgency: str
    severity: str
    certainty: str
    response_types: tuple[str, ...]
    texts: dict[str, dict[str, str]]
    expiry_hours: int


class PlaybookPort(Protocol):
    def stage_ids(self, playbook_id: str) -> tuple[str, ...]: ...
    def all_clear_stage(self, playbook_id: str) -> str: ...
    def content(
        self, playbook_id: str, stage_id: str, area: dict[str, Any], when: datetime
    ) -> StageContent: ...


@dataclass(frozen=True)
class AreaSpec:
    """What the desk chose: the whole city, districts (SIG_CD), a polygon or a circle."""

    kind: str
    districts: tuple[str, ...] = ()
    polygon: tuple[tuple[float, float], ...] = ()  # (lon, lat)
    circle: tuple[float, float, float] | None = None  # (lon, lat, radius km)
    desc: dict[str, str] = field(default_factory=dict)


AreaResolver = Callable[[AreaSpec], dict[str, Any]]
TargetsPort = Callable[[str], Sequence[str]]
"""status -> delivery targets (``x:<handle>``, ``webhook:<name>``, ``feed``)."""


def now_kst() -> datetime:
    return current_time().astimezone(KST)


def iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def check_texts(texts: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        part = texts.get(lang)
        if not isinstance(part, dict):
            raise InvalidInputError(f"texts.{lang} is missing")
        out[lang] = {}
        for name in TEXT_FIELDS:
            value = part.get(name)
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
                raise InvalidInputError(f"texts.{lang}.{name} must be 1 to {MAX_TEXT} characters")
            out[lang][name] = value.strip()
    return out


@dataclass(frozen=True)
class ImportOutcome:
    imported: list[str]
    duplicates: list[str]
    position: int


def build_message(
    w: StagedWarning,
    action: Action,
    c: StageContent,
    texts: dict[str, Any],
    *,
    sender: str,
    base_url: str,
) -> dict[str, Any]:
    """The complete message of one step of a warning, as recorded and as sent (CAP fields)."""
    now = now_kst()
    identifier = cap_identifier(sender, w.id, w.next_sequence)
    return {
        "identifier": identifier,
        "sender": sender,
        "sent": iso(now),
        "status": w.status,
        "msg_type": MESSAGE_ACTIONS[action],
        "action": action.value,
        "sequence": w.next_sequence,
        "references": w.references(),
        "playbook_id": c.playbook_id,
        "playbook_version": c.playbook_version,
        "stage_id": c.stage_id,
        "category": c.category,
        "event": dict(c.event),
        "urgency": c.urgency,
        "severity": c.severity,
        "certainty": c.certainty,
        "response_types": list(c.response_types),
        "expires": iso(now + timedelta(hours=c.expiry_hours)),
        "texts": texts,
        "area": w.area,
        "web": f"{base_url}/warnings/{w.id}",
    }


def deliveries_for(
    w: StagedWarning, message: dict[str, Any], targets: Sequence[str], base_url: str
) -> list[Delivery]:
    """One delivery request per target, carrying what a channel needs to publish it."""
    payload = {
        "identifier": message["identifier"],
        "status": message["status"],
        "msg_type": message["msg_type"],
        "severity": message["severity"],
        "headline": {lang: message["texts"][lang]["headline"] for lang in LANGS},
        "instruction": {lang: message["texts"][lang]["instruction"] for lang in LANGS},
        "description": {lang: message["texts"][lang]["description"] for lang in LANGS},
        "link": f"{base_url}/cap/{message['identifier']}.xml",
        "sent": message["sent"],
    }
    return [Delivery(message["identifier"], t, str(w.id), payload) for t in sorted(set(targets))]


def cancel_texts(last: dict[str, Any], reason: str) -> dict[str, dict[str, str]]:
    prefix = {"ko": "[취소] ", "en": "[CANCELLED] "}
    lead = {"ko": "이 경보는 취소되었습니다. 사유: ", "en": "This warning is cancelled. Reason: "}
    return {
        lang: {
            "headline": prefix[lang] + str(last[lang]["headline"]),
            "description": lead[lang] + reason,
            "instruction": str(last[lang]["instruction"]),
        }
        for lang in LANGS
    }
