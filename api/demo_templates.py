"""Seed response templates from api/data/response_templates.json (the manual of samples)."""

from __future__ import annotations

import json
from pathlib import Path

from api.bootstrap import Container
from domain.context import Cause
from domain.templates import ResponseTemplate

DATA = Path(__file__).resolve().parent / "data" / "response_templates.json"


def load_templates(container: Container, cause: Cause) -> int:
    """Save each sample template; returns how many were new."""
    added = 0
    for row in json.loads(DATA.read_text("utf-8")):
        new = not container.store.exists(ResponseTemplate.create_id(row["key"]))
        container.templates.save(cause, **row)
        added += int(new)
    return added
