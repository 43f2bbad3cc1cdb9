"""The city's own taxonomy and routing rules (SMC_TRIAGE_DATA_DIR): validated at start-up
with a message naming the file and the problem, re-read by the admin button (recorded as an
event), and a bad file is refused with the message shown while nothing changes."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container, build
from api.settings import Settings, SettingsError
from channels.triage_config import RULES_FILE, TAXONOMY_FILE
from domain.clock import FixedClock
from domain.directory import Role
from projections.triage import TriageProjection
from tests.conftest import make_settings
from tests.helpers import add_user, sign_in, user_with_role


@pytest.fixture
def city_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "city"
    folder.mkdir()
    shutil.copy(TAXONOMY_FILE, folder / TAXONOMY_FILE.name)
    shutil.copy(RULES_FILE, folder / RULES_FILE.name)
    return folder


@pytest.fixture
def settings(database_url: str, tmp_path: Path, city_dir: Path) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        triage_data_dir=city_dir,
    )


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def set_version(version: str) -> Any:
    return lambda data: data.update(version=version)


def test_start_up_names_the_bad_file_and_the_problem(
    settings: Settings, clock: FixedClock, city_dir: Path
) -> None:
    taxonomy = city_dir / TAXONOMY_FILE.name
    edit(taxonomy, lambda data: data["categories"][0].update(parent="no_such_parent"))
    with pytest.raises(SettingsError) as caught:
        build(settings, clock)
    message = str(caught.value)
    assert str(taxonomy) in message and "unknown parent 'no_such_parent'" in message
    (city_dir / RULES_FILE.name).unlink()
    shutil.copy(TAXONOMY_FILE, taxonomy)
    with pytest.raises(SettingsError, match=re.escape(str(city_dir / RULES_FILE.name))):
        build(settings, clock)


def test_the_city_files_are_used_and_reloaded_by_the_api(
    client: TestClient, container: Container, city_dir: Path
) -> None:
    assert container.triage is not None
    assert container.triage.engine.rules.version == "2026-11-25.1"
    edit(city_dir / RULES_FILE.name, set_version("seoul-2026-12"))
    admin = user_with_role(client, container, Role.ADMIN)
    r = client.post("/api/triage/reload", headers=admin)
    assert r.status_code == 200, r.text
    assert container.views.wait(r.json()["position"], timeout=60)
    config = container.views.get(TriageProjection).config()
    assert config is not None and config["rules_version"] == "seoul-2026-12"
    edit(city_dir / RULES_FILE.name, lambda data: data["rules"][-1].update(to="nowhere"))
    before = container.triage.engine
    r = client.post("/api/triage/reload", headers=admin)
    assert r.status_code == 422 and "triage_rules.json" in r.text and "'to'" in r.text
    assert container.triage.engine is before


@pytest.fixture
def admin_page(client: TestClient, container: Container) -> Iterator[str]:
    add_user(container, "root", Role.ADMIN)
    yield sign_in(client, "root", "/admin/triage?lang=en")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_admin_button_reloads_and_refuses_a_bad_file(
    client: TestClient, container: Container, city_dir: Path, admin_page: str
) -> None:
    assert container.triage is not None
    edit(city_dir / TAXONOMY_FILE.name, set_version("seoul-tax-2"))
    r = client.post("/admin/triage-reload", data={"csrf_token": admin_page})
    assert r.status_code == 200 and "reloaded taxonomy seoul-tax-2" in r.text
    assert container.triage.engine.taxonomy.version == "seoul-tax-2"
    (city_dir / TAXONOMY_FILE.name).write_text("{not json", "utf-8")
    r = client.post("/admin/triage-reload", data={"csrf_token": admin_page})
    assert r.status_code == 200 and "taxonomy.json" in r.text and "not reloaded" in r.text
    assert container.triage.engine.taxonomy.version == "seoul-tax-2"
    r = client.post("/admin/triage-reload", data={"csrf_token": "forged"})
    assert r.status_code == 403
