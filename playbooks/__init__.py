"""Disaster playbooks: one TOML file per disaster type, validated, versioned and rendered."""

from __future__ import annotations

from playbooks.library import LIBRARY_DIR, PlaybookError, PlaybookLibrary
from playbooks.render import RenderedText, render_stage
from playbooks.schema import (
    ALLOWED_PLACEHOLDERS,
    Category,
    Certainty,
    Kind,
    LocalizedText,
    Playbook,
    ResponseType,
    Severity,
    Stage,
    Urgency,
)

__all__ = [
    "ALLOWED_PLACEHOLDERS",
    "LIBRARY_DIR",
    "Category",
    "Certainty",
    "Kind",
    "LocalizedText",
    "Playbook",
    "PlaybookError",
    "PlaybookLibrary",
    "RenderedText",
    "ResponseType",
    "Severity",
    "Stage",
    "Urgency",
    "render_stage",
]
