"""Triage on intake (same transaction as the posting), the review queue, accept/correct as
events through the API and the no-JavaScript page, and the machine's accuracy per week."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.bootstrap import Container, build
from api.cli_triage import triage_app
from api.settings import Settings
from domain.clock import FixedClock
from domain.context import Cause
from domain.directory import Role
from domain.postings import IncomingPosting
from domain.triage import Triage, triage_id
from projections.triage import TriageProjection
from tests.helpers import PASSWORD, add_user, user_with_role

T = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
CAUSE = Cause("system:test")
TEXTS = {
    "1": "망원동 골목 쓰레기 무단투기 신고합니다",
    "2": "😀😀",
    "3": "건물에 불이 났어요 살려주세요 신림동",
    "4": "버스가 안 와요",
}


def ingest(container: Container) -> int:
    items = [
        IncomingPosting(channel="x", source_id=k, text=v, created_at=T) for k, v in TEXTS.items()
    ]
    result = container.intake.ingest(CAUSE, items)
    assert container.views.wait(result.position, timeout=30)
    return result.position


def pid(source_id: str) -> str:
    return str(IncomingPosting(channel="x", source_id=source_id, text="", created_at=T).posting_id)


def test_every_new_posting_is_triaged_in_the_same_transaction(container: Container) -> None:
    position = ingest(container)
    for source_id in TEXTS:
        triage = container.store.load(triage_id(pid(source_id)), Triage, "triage")
        assert triage.posting_id == pid(source_id)
    # both aggregates of the batch were saved by one command: the head is the batch's end
    assert position == container.store.head()
    view = container.views.get(TriageProjection)
    waste = view.item(pid("1"))
    assert waste is not None
    assert (waste["category"], waste["district"], waste["destination"]) == (
        "waste",
        "11440",
        "gu:11440",
    )
    assert waste["decisions"]["district"]["version"] == "gazetteer"
    assert waste["text"] == TEXTS["1"]
    emoji = view.item(pid("2"))
    assert emoji is not None and emoji["category"] is None
    assert "no words" in emoji["decisions"]["category"]["reason"]
    fire = view.item(pid("3"))
    assert fire is not None and fire["destination"] == "dept:DISASTER"


def test_queue_accept_correct_and_accuracy_through_the_api(
    client: TestClient, container: Container
) -> None:
    ingest(container)
    official = user_with_role(client, container, Role.OFFICIAL)
    auditor = user_with_role(client, container, Role.AUDITOR)
    queue = client.get("/api/triage/queue", headers=auditor).json()
    queued = {i["posting_id"] for i in queue["items"]}
    assert pid("2") in queued and queue["threshold"] == 0.6
    r = client.post(f"/api/triage/postings/{pid('2')}/accept", headers=auditor)
    assert r.status_code == 403
    r = client.post(f"/api/triage/postings/{pid('2')}/accept", headers=official)
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/triage/postings/{pid('4')}/correct",
        json={"category": "subway", "destination": "dept:TRANSPORT"},
        headers=official,
    )
    assert r.status_code == 200, r.text
    bad = client.post(
        f"/api/triage/postings/{pid('4')}/correct", json={"category": "nope"}, headers=official
    )
    assert bad.status_code == 422
    assert container.views.wait(r.json()["position"], timeout=30)
    queue = client.get("/api/triage/queue", headers=auditor).json()
    assert pid("2") not in {i["posting_id"] for i in queue["items"]}
    item = client.get(f"/api/triage/postings/{pid('4')}", headers=auditor).json()
    assert item["category"] == "subway" and item["decisions"]["category"]["value"] == "bus"
    accuracy = client.get("/api/triage/accuracy", headers=auditor).json()
    rows = {(w["week"], w["field"]): w for w in accuracy["weeks"]}
    assert rows[("2026-W29", "category")] == {
        "week": "2026-W29",
        "field": "category",
        "reviewed": 2,
        "correct": 1,
        "rate": 0.5,
    }
    assert rows[("2026-W29", "district")]["correct"] == 2


def test_dry_run_and_reload(client: TestClient, container: Container) -> None:
    admin = user_with_role(client, container, Role.ADMIN)
    r = client.post("/api/triage/dry-run", json={"text": "버스가 안 와요"}, headers=admin)
    assert r.status_code == 200 and r.json()["category"]["value"] == "bus"
    r = client.post("/api/triage/reload", headers=admin)
    assert r.status_code == 200, r.text
    assert container.views.wait(r.json()["position"], timeout=30)
    config = container.views.get(TriageProjection).config()
    assert config is not None and config["taxonomy_version"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_review_page_accepts_and_corrects_without_javascript(
    client: TestClient, container: Container
) -> None:
    ingest(container)
    add_user(container, "kim", Role.OFFICIAL)
    form = client.get("/login")
    login = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert login
    client.post(
        "/login",
        data={"username": "kim", "password": PASSWORD, "csrf_token": login.group(1)},
        follow_redirects=False,
    )
    page = client.get("/admin/triage?lang=en")
    assert page.status_code == 200 and TEXTS["2"] in page.text and "Save corrections" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    r = client.post(
        f"/admin/triage/{pid('4')}",
        data={"csrf_token": csrf.group(1), "action": "correct", "category": "taxi"},
    )
    assert r.status_code == 200 and "1 corrected" in r.text
    r = client.post(
        f"/admin/triage/{pid('2')}", data={"csrf_token": csrf.group(1), "action": "accept"}
    )
    assert r.status_code == 200 and "accepted" in r.text
    assert client.post(f"/admin/triage/{pid('1')}", data={"action": "accept"}).status_code == 403
    accuracy = client.get("/admin/triage/accuracy?lang=ko")
    assert accuracy.status_code == 200 and "2026-W29" in accuracy.text


@pytest.mark.parametrize("backend", ["sqlite"])
def test_history_export_feeds_training(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    ingest(container)
    official = user_with_role(client, container, Role.OFFICIAL)
    client.post(f"/api/triage/postings/{pid('1')}/accept", headers=official)
    r = client.post(
        f"/api/triage/postings/{pid('4')}/correct", json={"destination": "dept:TRANSPORT"},
        headers=official,
    )  # fmt: skip
    assert container.views.wait(r.json()["position"], timeout=30)
    output = tmp_path / "history.csv"
    env = {
        "SMC_DATABASE_URL": container.settings.effective_database_url,
        "SMC_DATA_DIR": str(container.settings.data_dir),
    }
    result = CliRunner().invoke(triage_app, ["export-history", "--output", str(output)], env=env)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert {(r["text"], r["destination"]) for r in rows} == {
        (TEXTS["1"], "gu:11440"),
        (TEXTS["4"], "dept:TRANSPORT"),
    }


@pytest.mark.parametrize("backend", ["sqlite"])
def test_admin_reloads_rules_from_the_page(client: TestClient, container: Container) -> None:
    add_user(container, "root", Role.ADMIN)
    form = client.get("/login")
    login = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert login
    client.post(
        "/login",
        data={"username": "root", "password": PASSWORD, "csrf_token": login.group(1)},
        follow_redirects=False,
    )
    page = client.get("/admin/triage?lang=ko")
    assert "분류 기준·규칙 다시 읽기" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    r = client.post("/admin/triage-reload", data={"csrf_token": csrf.group(1)})
    assert r.status_code == 200 and "reloaded taxonomy" in r.text


@pytest.mark.parametrize("backend", ["sqlite"])
def test_kiwi_analyzer_setting(settings: Settings, clock: FixedClock) -> None:
    pytest.importorskip("kiwipiepy")
    container = build(settings.model_copy(update={"triage_analyzer": "kiwi"}), clock)
    try:
        assert container.triage is not None and container.triage.engine.analyzer is not None
        item = IncomingPosting(channel="x", source_id="k1", text="버스가 안 와요", created_at=T)
        container.intake.ingest(CAUSE, [item])
        assert container.triage.get(item.posting_id).current["category"] == "bus"
    finally:
        container.close()
