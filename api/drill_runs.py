"""Drill replays started from the desk: bundled scripts, background runs and their progress.

A run replays a script (``api/drill.py``) in a background thread and keeps its progress in
memory for the desk's drills page (taken in / total, finished, stopped or failed). Its
postings are recorded as exercise postings with source ids ``drill-<run id>-<n>``; the
exercise incident it may open carries the drill's hashtag. A server restart ends the runs
(a replay of the same run id adds nothing twice, so it can simply be started again).
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.bootstrap import Container
from api.drill import DrillPosting, DrillRunner, DrillScript, parse_script
from domain.context import Cause
from domain.errors import InvalidInputError

BUNDLED_SCRIPTS = Path(__file__).with_name("data") / "drills"
MAX_SCRIPT_BYTES = 1_000_000
MAX_RUNS_SHOWN = 20


class Stopped(Exception):
    """The desk stopped the run."""


@dataclass
class DrillRun:
    id: str
    script: str
    hashtag: str
    total: int
    speed: float
    started: str
    actor: str
    taken: int = 0
    done: int = 0
    state: str = "running"  # running | finished | stopped | failed
    error: str = ""
    incident_id: str = ""
    stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def bundled_scripts(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """name -> {title, hashtag, postings} of every ``*.json`` script in the folder."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted((folder or BUNDLED_SCRIPTS).glob("*.json")):
        raw = path.read_bytes()
        doc = json.loads(raw)
        script = parse_script(raw)
        title = doc.get("title") if isinstance(doc, dict) else None
        out[path.stem] = {
            "title": title or {"ko": path.stem, "en": path.stem},
            "hashtag": script.hashtag,
            "postings": len(script.postings),
            "raw": raw,
        }
    return out


class DrillRuns:
    """The runs of one server process."""

    def __init__(self) -> None:
        self.runs: dict[str, DrillRun] = {}
        self.lock = threading.Lock()

    def recent(self) -> list[DrillRun]:
        with self.lock:
            runs = sorted(self.runs.values(), key=lambda r: r.started, reverse=True)
        return runs[:MAX_RUNS_SHOWN]

    def get(self, run_id: str) -> DrillRun | None:
        with self.lock:
            return self.runs.get(run_id)

    def start(
        self,
        container: Container,
        actor: str,
        name: str,
        script: DrillScript,
        speed: float,
        incident_playbook: str = "",
    ) -> DrillRun:
        if not 0 < speed <= 1000:
            raise InvalidInputError("speed must be more than 0 and at most 1000")
        now = container.clock.now()
        run = DrillRun(
            id=f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(3)}",
            script=name,
            hashtag=script.hashtag,
            total=len(script.postings),
            speed=speed,
            started=now.isoformat(),
            actor=actor,
        )
        if incident_playbook:
            run.incident_id = str(_open_incident(container, actor, run, incident_playbook))
        with self.lock:
            self.runs[run.id] = run
        thread = threading.Thread(
            target=self._replay, args=(container, run, script), name=f"smc-drill-{run.id}"
        )
        thread.daemon = True
        thread.start()
        return run

    def _replay(self, container: Container, run: DrillRun, script: DrillScript) -> None:
        runner = DrillRunner(container.intake, container.clock, sleep=_sleeper(run))

        def progress(_i: int, _p: DrillPosting) -> None:
            run.done += 1
            if run.stop.is_set():
                raise Stopped

        try:
            report = runner.run(script, run_id=run.id, speed=run.speed, on_posting=progress)
            run.taken = report.taken_in
            run.state = "finished"
        except Stopped:
            run.state = "stopped"
        except Exception as exc:  # shown on the desk; the server goes on
            run.state = "failed"
            run.error = getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"


def _sleeper(run: DrillRun) -> Any:
    def sleep(seconds: float) -> None:
        if run.stop.wait(seconds):
            raise Stopped

    return sleep


def _open_incident(container: Container, actor: str, run: DrillRun, playbook_id: str) -> Any:
    """The drill's exercise incident, watching its citizen-report hashtag."""
    return container.lifeline.open(
        Cause(actor, exercise=True),
        key=f"drill-{run.id}",
        playbook_id=playbook_id,
        title={"ko": f"[훈련] {run.hashtag}", "en": f"[EXERCISE] {run.hashtag}"},
        districts=(),
        status="Exercise",
        hashtags=(run.hashtag,),
    ).id
