"""Drills: a script of timed citizen postings replayed through intake as an exercise.

The drill's hashtag goes on the watch list (purpose "drill"), every posting is recorded with
``exercise = True``, the waits follow ``--speed``, and the public record never shows them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Container
from api.drill import DrillRunner, parse_script
from domain.errors import InvalidInputError
from projections.intake import IntakeProjection
from projections.public import PublicProjection
from tests.servers import run_cli

TAG = "#서울제설훈련"
SCRIPT = [
    {"after_seconds": 0, "text": "강남역 사거리 눈이 쌓여 차가 미끄러져요", "hashtags": [TAG],
     "lat": 37.4979, "lon": 127.0276},
    {"after_seconds": 30, "text": "마포구청 앞 인도 결빙, 제설함이 비어 있습니다",
     "lat": 37.5663, "lon": 126.9019},
    {"after_seconds": 10, "text": "북한산로 버스 정류장 제설 부탁드립니다 #서울제설훈련"},
]  # fmt: skip


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def test_scripts_are_validated_and_sorted() -> None:
    script = parse_script(json.dumps(SCRIPT))
    assert script.hashtag == TAG
    assert [p.after_seconds for p in script.postings] == [0, 10, 30]
    wrapped = parse_script(json.dumps({"hashtag": "제설", "postings": SCRIPT}))
    assert wrapped.hashtag == "#제설"
    assert parse_script(json.dumps(SCRIPT), hashtag="#other").hashtag == "#other"
    for bad in ("[]", "{", '[{"text": ""}]', '[{"text": "a", "after_seconds": -1}]',
                '[{"text": "no tag"}]', '[{"text": "a", "lat": "north"}]'):  # fmt: skip
        with pytest.raises(InvalidInputError):
            parse_script(bad)


def test_drill_postings_are_exercise_watched_and_never_public(
    client: TestClient, container: Container
) -> None:
    fake = FakeTime()
    runner = DrillRunner(
        container.intake, container.clock, sleep=fake.sleep, monotonic=fake.monotonic
    )
    report = runner.run(parse_script(json.dumps(SCRIPT)), run_id="t1", speed=10)
    assert report.taken_in == 3
    assert fake.waits == [1.0, 2.0]  # 10 s and 30 s at ten times the speed
    again = runner.run(parse_script(json.dumps(SCRIPT)), run_id="t1", speed=1000)
    assert again.taken_in == 0  # the same run id again: nothing new
    container.views.wait(report.position, timeout=60)
    intake = container.views.get(IntakeProjection)
    assert {"hashtag": TAG, "purpose": "drill"} in intake.hashtags()
    assert intake.postings(hashtag=TAG) == []  # real intake views never show drill postings
    rows = intake.postings(hashtag=TAG, exercise=True)
    assert len(rows) == 3 and all(r["exercise"] for r in rows)
    assert all(TAG in r["text"] for r in rows)
    public = container.views.get(PublicProjection)
    assert public.search("") == [] and public.search("제설") == []
    assert len(public.search("", exercise=True)) == 3
    listed = client.get("/api/public/postings?q=제설").json()
    assert listed == []
    for r in rows:
        assert client.get(f"/api/public/postings/{r['id']}").status_code == 404
        assert r["id"] not in client.get("/public").text


@pytest.mark.slow
def test_smc_drill_run_replays_a_script(tmp_path: Path) -> None:
    script = tmp_path / "drill.json"
    script.write_text(json.dumps(SCRIPT, ensure_ascii=False), "utf-8")
    data = tmp_path / "var"
    env = {
        "SMC_DATA_DIR": str(data),
        "SMC_DATABASE_URL": f"sqlite:///{data / 'smc.sqlite'}",
        "SMC_ENV": "test",
        "SMC_SECRET_KEY": "drill-cli-secret-0123456789abcdef",
    }
    out = run_cli(["drill", "run", str(script), "--speed", "100", "--run-id", "cli1"], env)
    assert f"drill {TAG}: 3 postings, speed x100" in out
    assert f"drill cli1: 3 new exercise postings, watching {TAG}" in out
