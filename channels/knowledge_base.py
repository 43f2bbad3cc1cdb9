"""Reads the city-editable auto-answer knowledge base (``knowledge_base.json``); the domain
matcher stays pure and the file I/O is here."""

from __future__ import annotations

import json
from pathlib import Path

from channels.reference_data import DATA_DIR
from channels.triage_config import TAXONOMY_FILE
from domain.knowledge_base import KnowledgeBase, KnowledgeBaseError
from domain.taxonomy import Taxonomy

KNOWLEDGE_BASE_FILE = DATA_DIR / "knowledge_base.json"


def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    """Read and validate the file; KnowledgeBaseError names the file, the entry and the field."""
    path = path or KNOWLEDGE_BASE_FILE
    try:
        raw = json.loads(path.read_text("utf-8"))
        categories = Taxonomy.from_dict(json.loads(TAXONOMY_FILE.read_text("utf-8"))).codes()
    except (OSError, ValueError) as exc:
        raise KnowledgeBaseError(f"{path}: {exc}") from None
    try:
        return KnowledgeBase.from_dict(raw, categories)
    except KnowledgeBaseError as exc:
        raise KnowledgeBaseError(f"{path}: {exc.detail}") from None
