"""Broken playbooks are refused with a message naming the file and the field; versions hash."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from playbooks import (
    LIBRARY_DIR,
    LocalizedText,
    PlaybookError,
    PlaybookLibrary,
    render_stage,
)


def _copy(tmp_path: Path, *ids: str) -> Path:
    for pid in ids:
        shutil.copy(LIBRARY_DIR / f"{pid}.toml", tmp_path / f"{pid}.toml")
    return tmp_path


def _break(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _error(directory: Path) -> str:
    with pytest.raises(PlaybookError) as info:
        PlaybookLibrary.load(directory)
    return str(info.value)


def test_copy_of_the_library_loads(tmp_path: Path) -> None:
    lib = PlaybookLibrary.load(_copy(tmp_path, "flood", "heavy_rain"))
    assert lib.ids() == ("flood", "heavy_rain")


def test_unknown_placeholder_names_file_and_field(tmp_path: Path) -> None:
    path = _copy(tmp_path, "flood") / "flood.toml"
    # Second stage (index 1) is the warning; its Korean instruction uses {{ shelter }}.
    text = path.read_text(encoding="utf-8")
    parts = text.split("[[stages]]")
    parts[2] = parts[2].replace("{{ shelter }}", "{{ shelterr }}")
    path.write_text("[[stages]]".join(parts), encoding="utf-8")
    msg = _error(tmp_path)
    assert "flood.toml: stages[1].instruction.ko: unknown placeholder 'shelterr'" in msg


def test_bad_cap_enum_names_field(tmp_path: Path) -> None:
    path = _copy(tmp_path, "heavy_rain") / "heavy_rain.toml"
    _break(path, 'urgency = "Future"', 'urgency = "Soon"')
    msg = _error(tmp_path)
    assert re.search(r"heavy_rain\.toml: stages\[0\]\.urgency: ", msg)


def test_bad_category_names_field(tmp_path: Path) -> None:
    path = _copy(tmp_path, "typhoon") / "typhoon.toml"
    _break(path, 'category = "Met"', 'category = "Weather"')
    assert "typhoon.toml: category: " in _error(tmp_path)


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, "fire") / "fire.toml"
    _break(path, 'kind = "social"', 'kind = "social"\ncolour = "red"')
    assert "fire.toml: colour: Extra inputs are not permitted" in _error(tmp_path)


def test_bad_role_and_hashtag(tmp_path: Path) -> None:
    path = _copy(tmp_path, "fire") / "fire.toml"
    _break(path, 'draft_roles = ["desk"', 'draft_roles = ["intern"')
    assert "fire.toml: draft_roles[0]: " in _error(tmp_path)
    shutil.copy(LIBRARY_DIR / "fire.toml", path)
    _break(path, '"#서울화재"', '"서울화재"')
    assert "fire.toml: hashtags: " in _error(tmp_path)


def test_duplicate_stage_ids_and_no_stages(tmp_path: Path) -> None:
    path = _copy(tmp_path, "fire") / "fire.toml"
    _break(path, 'id = "emergency"', 'id = "notice"')
    assert "fire.toml: stages: duplicate stage id 'notice'" in _error(tmp_path)
    text = (LIBRARY_DIR / "fire.toml").read_text(encoding="utf-8")
    path.write_text(text.split("[[stages]]")[0] + "stages = []\n", encoding="utf-8")
    assert "fire.toml: stages: " in _error(tmp_path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    shutil.copy(LIBRARY_DIR / "fire.toml", tmp_path / "blaze.toml")
    assert "blaze.toml: id: 'fire' does not match" in _error(tmp_path)


def test_invalid_toml_and_template_syntax(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text("id = [unclosed", encoding="utf-8")
    assert "x.toml: (file): not valid TOML" in _error(tmp_path)
    (tmp_path / "x.toml").unlink()
    path = _copy(tmp_path, "fire") / "fire.toml"
    _break(path, "({{ time }})", "({{ time )")
    assert "fire.toml: stages[0].headline.ko: template does not compile" in _error(tmp_path)


def test_empty_or_missing_directory(tmp_path: Path) -> None:
    assert "no playbooks" in _error(tmp_path)
    assert "not a directory" in _error(tmp_path / "nope")


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ area.__class__ }}",
        "{{ area['x'] }}",
        "{{ area.upper() }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_unsafe_templates_are_refused_at_load(tmp_path: Path, template: str) -> None:
    path = _copy(tmp_path, "fire") / "fire.toml"
    _break(path, "[{{ area }}]", template)
    msg = _error(tmp_path)
    assert "fire.toml: stages[0].headline.ko: " in msg
    assert "unsafe template" in msg or "unknown placeholder" in msg


def test_sandbox_refuses_unsafe_template_at_render() -> None:
    playbook = PlaybookLibrary.load().get("fire")
    stage = playbook.stages[0]
    # Bypass validation on purpose: the renderer's sandbox is the second line of defence.
    evil = LocalizedText.model_construct(ko="{{ ''.__class__.__mro__ }}", en="x")
    bad_stage = stage.model_copy(update={"headline": evil})
    bad = playbook.model_copy(update={"stages": (bad_stage, *playbook.stages[1:])})
    with pytest.raises(SecurityError):
        render_stage(bad, stage.id, lang="ko")


def test_version_is_a_content_hash_that_changes_with_the_file(tmp_path: Path) -> None:
    path = _copy(tmp_path, "flood", "fire") / "flood.toml"
    before = PlaybookLibrary.load(tmp_path)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", before.version("flood"))
    assert before.version("flood") == PlaybookLibrary.load(tmp_path).version("flood")
    _break(path, "하천 수위가 내려가", "한강 수위가 내려가")
    after = PlaybookLibrary.load(tmp_path)
    assert after.version("flood") != before.version("flood")
    assert after.version("fire") == before.version("fire")


def test_unknown_ids_and_languages() -> None:
    lib = PlaybookLibrary.load()
    with pytest.raises(KeyError):
        lib.get("zombie_apocalypse")
    with pytest.raises(KeyError):
        render_stage(lib.get("fire"), "nope", lang="ko")
    with pytest.raises(ValueError):
        render_stage(lib.get("fire"), "notice", lang="fr")  # type: ignore[arg-type]
