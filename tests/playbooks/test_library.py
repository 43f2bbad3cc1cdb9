"""The packaged library: 55 valid playbooks, the named disaster types, every stage renders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from playbooks import LIBRARY_DIR, Kind, Playbook, PlaybookLibrary, ResponseType, render_stage

REPO = Path(__file__).resolve().parents[2]

NATURAL = {
    "typhoon", "heavy_rain", "flood", "strong_wind", "high_seas", "heavy_snow", "cold_wave",
    "heat_wave", "drought", "earthquake", "tsunami", "landslide", "yellow_dust", "lightning",
    "volcanic_ash", "space_weather", "algal_bloom", "storm_surge", "high_tide",
    "natural_space_object", "urban_flooding",
}  # fmt: skip
SOCIAL = {
    "fire", "forest_fire", "building_collapse", "structure_collapse", "explosion", "gas_leak",
    "traffic_accident", "subway_accident", "railway_accident", "aircraft_accident",
    "ship_accident", "chemical_release", "radiological_emergency", "power_outage",
    "water_supply_failure", "communications_outage", "financial_it_failure",
    "infectious_disease", "livestock_epidemic", "crowd_crush", "terrorism", "fine_dust",
    "artificial_space_object",
}  # fmt: skip


@pytest.fixture(scope="module")
def library() -> PlaybookLibrary:
    return PlaybookLibrary.load()


def test_exactly_55_playbooks_load(library: PlaybookLibrary) -> None:
    assert len(library) == 55
    assert len(library.all()) == 55
    assert len(list(LIBRARY_DIR.glob("*.toml"))) == 55


def test_ids_are_unique_and_equal_file_names(library: PlaybookLibrary) -> None:
    ids = library.ids()
    assert len(set(ids)) == len(ids)
    assert set(ids) == {p.stem for p in LIBRARY_DIR.glob("*.toml")}
    for playbook in library:
        assert library.path(playbook.id).stem == playbook.id


def test_the_named_disaster_types_are_covered(library: PlaybookLibrary) -> None:
    assert set(library.ids()) >= NATURAL
    assert set(library.ids()) >= SOCIAL
    for pid in NATURAL:
        assert library.get(pid).kind is Kind.natural, pid
    # 재난안전법 제3조: fine dust, epidemics and artificial space objects are social disasters.
    for pid in SOCIAL:
        assert library.get(pid).kind is Kind.social, pid


def test_default_directory_is_next_to_the_package_without_init() -> None:
    assert LIBRARY_DIR == REPO / "playbooks" / "library"
    assert not (LIBRARY_DIR / "__init__.py").exists()


def _all_stages(library: PlaybookLibrary) -> list[tuple[Playbook, str]]:
    return [(p, s.id) for p in library for s in p.stages]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_stage_renders_without_leftovers(library: PlaybookLibrary, lang: str) -> None:
    pairs = _all_stages(library)
    assert len(pairs) >= 55 * 3
    for playbook, stage_id in pairs:
        out = render_stage(
            playbook, stage_id, lang="ko" if lang == "ko" else "en", area="마포구", time="14:00"
        )
        for text in (out.headline, out.description, out.instruction):
            assert text.strip(), (playbook.id, stage_id)
            assert "{{" not in text and "}}" not in text and "{%" not in text
        assert "마포구" in out.headline


def test_defaults_fill_missing_values(library: PlaybookLibrary) -> None:
    rain = library.get("heavy_rain")
    ko = render_stage(rain, "warning", lang="ko")
    en = render_stage(rain, "warning", lang="en")
    assert "서울시 전역" in ko.headline
    assert "all of Seoul" in en.headline
    assert "대피소" in ko.instruction
    assert "shelter" in en.instruction


def test_shelter_is_filled_in(library: PlaybookLibrary) -> None:
    out = render_stage(
        library.get("flood"), "warning", lang="en", shelter="Mangwon Elementary School"
    )
    assert "Mangwon Elementary School" in out.instruction


def test_korean_texts_are_korean_and_english_texts_are_not(library: PlaybookLibrary) -> None:
    hangul = re.compile(r"[가-힣]")
    for playbook in library:
        for stage in playbook.stages:
            for text in (stage.headline, stage.description, stage.instruction):
                assert hangul.search(text.ko), (playbook.id, stage.id)
                assert not hangul.search(text.en), (playbook.id, stage.id)


def test_instructions_are_distinct_across_playbooks(library: PlaybookLibrary) -> None:
    seen: dict[str, str] = {}
    for playbook in library:
        for stage in playbook.stages:
            key = stage.instruction.ko
            assert key not in seen, f"{playbook.id}.{stage.id} repeats {seen.get(key)}"
            seen[key] = f"{playbook.id}.{stage.id}"


def test_every_playbook_has_an_all_clear_stage_last(library: PlaybookLibrary) -> None:
    for playbook in library:
        last = playbook.stages[-1]
        assert ResponseType.AllClear in last.response_type, playbook.id
        assert all(ResponseType.AllClear not in s.response_type for s in playbook.stages[:-1])


def test_docs_table_lists_every_playbook(library: PlaybookLibrary) -> None:
    doc = (REPO / "docs" / "playbooks.md").read_text(encoding="utf-8")
    for playbook in library:
        assert f"`{playbook.id}`" in doc, playbook.id
