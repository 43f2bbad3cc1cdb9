"""Pydantic models for disaster playbooks: Playbook, Stage and LocalizedText.

A playbook is data (one TOML file per disaster type); these models are its contract. Every text
field is a jinja2 template that may only use the placeholders in ``ALLOWED_PLACEHOLDERS`` and may
not reach into Python objects (no attribute access, item access or calls).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.meta import find_undeclared_variables
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, field_validator

ALLOWED_PLACEHOLDERS: frozenset[str] = frozenset({"area", "time", "shelter", "playbook", "stage"})
FORBIDDEN_NODES: tuple[type[nodes.Node], ...] = (nodes.Getattr, nodes.Getitem, nodes.Call)

Role = Literal["official", "department_lead", "desk", "approver", "admin"]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
NonEmpty = Annotated[str, Field(min_length=1)]


class Kind(StrEnum):
    natural = "natural"
    social = "social"


class Category(StrEnum):
    """CAP 1.2 ``category`` values."""

    Geo = "Geo"
    Met = "Met"
    Safety = "Safety"
    Security = "Security"
    Rescue = "Rescue"
    Fire = "Fire"
    Health = "Health"
    Env = "Env"
    Transport = "Transport"
    Infra = "Infra"
    CBRNE = "CBRNE"
    Other = "Other"


class Urgency(StrEnum):
    Immediate = "Immediate"
    Expected = "Expected"
    Future = "Future"
    Past = "Past"
    Unknown = "Unknown"


class Severity(StrEnum):
    Extreme = "Extreme"
    Severe = "Severe"
    Moderate = "Moderate"
    Minor = "Minor"
    Unknown = "Unknown"


class Certainty(StrEnum):
    Observed = "Observed"
    Likely = "Likely"
    Possible = "Possible"
    Unlikely = "Unlikely"
    Unknown = "Unknown"


class ResponseType(StrEnum):
    Shelter = "Shelter"
    Evacuate = "Evacuate"
    Prepare = "Prepare"
    Execute = "Execute"
    Avoid = "Avoid"
    Monitor = "Monitor"
    Assess = "Assess"
    AllClear = "AllClear"
    none = "None"


# Parsing only: nothing is rendered with this environment. Rendering uses render.py's own.
_CHECK_ENV = SandboxedEnvironment(autoescape=False)


def check_template(source: str) -> None:
    """Raise ValueError when ``source`` is not a safe template over the allowed placeholders."""
    try:
        ast = _CHECK_ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"template does not compile: {exc.message} (line {exc.lineno})") from exc
    for name in sorted(find_undeclared_variables(ast)):
        if name not in ALLOWED_PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {name!r}")
    for node_type in FORBIDDEN_NODES:
        if ast.find(node_type) is not None:
            kind = node_type.__name__.lower()
            raise ValueError(f"unsafe template: {kind} is not allowed, use plain placeholders")


class LocalizedText(BaseModel):
    """One text in Korean and English; both are jinja2 templates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ko: NonEmpty
    en: NonEmpty

    @field_validator("ko", "en")
    @classmethod
    def _safe_template(cls, value: str) -> str:
        check_template(value)
        return value

    def get(self, lang: str) -> str:
        if lang == "ko":
            return self.ko
        if lang == "en":
            return self.en
        raise ValueError(f"unsupported language {lang!r}: use 'ko' or 'en'")


class Stage(BaseModel):
    """One step of a playbook's warning ladder, with its CAP qualifiers and texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    name_ko: NonEmpty
    name_en: NonEmpty
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    response_type: tuple[ResponseType, ...] = Field(min_length=1)
    expiry_hours: int | None = Field(default=None, gt=0, le=24 * 30)
    headline: LocalizedText
    description: LocalizedText
    instruction: LocalizedText


class Playbook(BaseModel):
    """A disaster type: names, CAP category and event, who drafts and approves, and its stages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    name_ko: NonEmpty
    name_en: NonEmpty
    kind: Kind
    category: Category
    event: LocalizedText
    staging: NonEmpty
    sources: tuple[NonEmpty, ...] = Field(min_length=1)
    hashtags: tuple[str, ...] = Field(min_length=1)
    draft_roles: tuple[Role, ...] = Field(min_length=1)
    approve_roles: tuple[Role, ...] = Field(min_length=1)
    default_expiry_hours: int = Field(gt=0, le=24 * 30)
    stages: tuple[Stage, ...] = Field(min_length=1)

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for tag in value:
            if not tag.startswith("#") or len(tag) < 2 or any(c.isspace() for c in tag):
                raise ValueError(f"hashtag {tag!r} must start with '#' and have no spaces")
        if len(set(value)) != len(value):
            raise ValueError("hashtags must be unique")
        return value

    @field_validator("stages")
    @classmethod
    def _unique_stage_ids(cls, value: tuple[Stage, ...]) -> tuple[Stage, ...]:
        seen: set[str] = set()
        for stage in value:
            if stage.id in seen:
                raise ValueError(f"duplicate stage id {stage.id!r}")
            seen.add(stage.id)
        return value

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        known = ", ".join(s.id for s in self.stages)
        raise KeyError(f"playbook {self.id!r} has no stage {stage_id!r} (stages: {known})")

    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)
