"""Seed response templates from api/data/response_templates.json (the manual of samples)."""

from __future__ import annotations

import json
from pathlib import Path

from api.bootstrap import Container
from domain.context import Cause

DATA = Path(__file__).resolve().parent / "data" / "response_templates.json"


def load_templates(container: Container, cause: Cause) -> int:
    rows = json.loads(DATA.read_text("utf-8"))
    for row in rows:
        container.templates.save(cause, **row)
    return len(rows)
