"""Reads the city-editable triage data (taxonomy, routing rules) and the trained models, and
builds the triage engine. The domain stays pure; the file I/O is here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from channels.models import ModelStore
from channels.reference_data import DATA_DIR, GAZETTEER_FILE, load_district_locator
from domain.gazetteer import GazetteerEntry
from domain.taxonomy import Taxonomy
from domain.triage_engine import MODEL_FIELDS, Analyzer, TriageEngine
from domain.triage_places import PlaceFinder
from domain.triage_rules import RoutingRules

TAXONOMY_FILE = DATA_DIR / "taxonomy.json"
RULES_FILE = DATA_DIR / "triage_rules.json"


@dataclass(frozen=True)
class TriageData:
    taxonomy: Taxonomy
    rules: RoutingRules
    digest: str


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from None


def load_data(
    taxonomy_file: Path = TAXONOMY_FILE,
    rules_file: Path = RULES_FILE,
    departments: Collection[str] | None = None,
) -> TriageData:
    """Read and validate both files (raises ValueError naming the file and the problem)."""
    raw_tax, raw_rules = _read(taxonomy_file), _read(rules_file)
    try:
        taxonomy = Taxonomy.from_dict(raw_tax)
    except ValueError as exc:
        raise ValueError(f"{taxonomy_file}: {_text(exc)}") from None
    try:
        rules = RoutingRules.from_dict(raw_rules, taxonomy.codes(), departments)
    except ValueError as exc:
        raise ValueError(f"{rules_file}: {_text(exc)}") from None
    blob = json.dumps([raw_tax, raw_rules], sort_keys=True, ensure_ascii=False).encode()
    return TriageData(taxonomy, rules, hashlib.sha256(blob).hexdigest()[:16])


def _text(exc: ValueError) -> str:
    return str(getattr(exc, "detail", None) or exc)


def data_files(directory: Path | None) -> tuple[Path, Path]:
    """The city's taxonomy and routing-rule files (the packaged ones without a directory)."""
    if directory is None:
        return TAXONOMY_FILE, RULES_FILE
    return directory / TAXONOMY_FILE.name, directory / RULES_FILE.name


@cache  # the gazetteer file is read once per process; the finder is not changed after
def load_places() -> PlaceFinder:
    entries = _read(GAZETTEER_FILE)
    return PlaceFinder(GazetteerEntry.from_dict(e) for e in entries)


def build_engine(
    model_dir: Path | None, data: TriageData | None = None, analyzer: Analyzer | None = None
) -> TriageEngine:
    data = data or load_data()
    models = ModelStore(model_dir).load_latest(MODEL_FIELDS) if model_dir else {}
    return TriageEngine(
        taxonomy=data.taxonomy,
        rules=data.rules,
        locator=load_district_locator(),
        places=load_places(),
        models=models,
        analyzer=analyzer,
    )
