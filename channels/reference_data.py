"""Loads the reference data packaged in ``domain/data/``: district polygons and the gazetteer.

The domain stays pure; this module does the file I/O once per process (cached).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import domain
from domain.gazetteer import Gazetteer
from domain.geo import DistrictLocator

DATA_DIR = Path(domain.__file__).resolve().parent / "data"
DISTRICTS_FILE = DATA_DIR / "seoul_gu_juso2015.geojson"
GAZETTEER_FILE = DATA_DIR / "gazetteer.json"


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def load_district_locator() -> DistrictLocator:
    """The 25 districts of Seoul (JUSO 2015 polygons), ready for point and bbox lookups."""
    return DistrictLocator.from_geojson(_read_json(DISTRICTS_FILE))


@cache
def load_gazetteer() -> Gazetteer:
    """The Korean/English place-name gazetteer."""
    entries = _read_json(GAZETTEER_FILE)
    if not isinstance(entries, list):
        raise ValueError(f"{GAZETTEER_FILE} must hold a JSON list of entries")
    return Gazetteer.from_entries(entries)
