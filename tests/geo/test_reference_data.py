"""The packaged reference data: loads fast, is cached, and matches the shared-data original."""

from __future__ import annotations

import hashlib
import json

from channels import reference_data
from tests.shared_data import shared


def test_shipped_polygons_are_the_shared_data_file() -> None:
    original = shared("seoul", "seoul_gu_juso2015.geojson")
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    assert hashlib.sha256(reference_data.DISTRICTS_FILE.read_bytes()).hexdigest() == digest


def test_loading_is_cached() -> None:
    """Loaded once per process (how long it takes is a matter for bench/, not a test)."""
    reference_data.load_district_locator.cache_clear()
    reference_data.load_gazetteer.cache_clear()
    locator = reference_data.load_district_locator()
    gazetteer = reference_data.load_gazetteer()
    assert len(locator.districts()) == 25
    assert reference_data.load_district_locator() is locator
    assert reference_data.load_gazetteer() is gazetteer


def test_gazetteer_and_polygons_agree_on_the_districts() -> None:
    locator = reference_data.load_district_locator()
    gazetteer = reference_data.load_gazetteer()
    assert gazetteer.districts() == locator.districts()


def test_gazetteer_entries_are_well_formed() -> None:
    entries = json.loads(reference_data.GAZETTEER_FILE.read_text(encoding="utf-8"))
    assert isinstance(entries, list)
    for entry in entries:
        assert {"name", "aliases", "district_code", "kind"} <= entry.keys(), entry
        if entry.get("ambiguous"):
            assert entry["district_code"] is None and entry.get("note"), entry
