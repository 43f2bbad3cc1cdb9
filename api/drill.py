"""Drills: replay a script of timed citizen postings through intake, as an exercise.

A script is JSON: either a list of postings or ``{"hashtag": "#...", "postings": [...]}``;
each posting is ``{"after_seconds": 12, "text": "...", "hashtags": ["#..."], "lat": 37.5,
"lon": 127.0}`` (``hashtags``, ``lat`` and ``lon`` optional). The drill's hashtag is put on the
watch list with purpose ``drill``; every posting is taken in with ``Cause(..., exercise=True)``
so real views and figures can leave it out. ``speed`` divides the waits (2 = twice as fast).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from domain.clock import Clock
from domain.context import Cause
from domain.errors import InvalidInputError
from domain.intake_service import IntakeService, normalise_hashtag
from domain.postings import IncomingPosting

DRILL_ACTOR = "system:drill"
DRILL_PURPOSE = "drill"


@dataclass(frozen=True)
class DrillPosting:
    after_seconds: float
    text: str
    hashtags: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class DrillScript:
    hashtag: str
    postings: tuple[DrillPosting, ...]


@dataclass
class DrillReport:
    hashtag: str
    run_id: str
    taken_in: int = 0
    position: int = 0
    source_ids: list[str] = field(default_factory=list)


def _posting(i: int, raw: Any) -> DrillPosting:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"]:
        raise InvalidInputError(f"posting {i}: needs a non-empty 'text'")
    try:
        after = float(raw.get("after_seconds", 0))
        lat = None if raw.get("lat") is None else float(raw["lat"])
        lon = None if raw.get("lon") is None else float(raw["lon"])
    except (TypeError, ValueError):
        raise InvalidInputError(f"posting {i}: after_seconds, lat and lon are numbers") from None
    if after < 0:
        raise InvalidInputError(f"posting {i}: after_seconds must not be negative")
    tags = tuple(normalise_hashtag(str(t)) for t in raw.get("hashtags") or ())
    return DrillPosting(after, raw["text"], tags, lat, lon)


def parse_script(data: str | bytes, hashtag: str | None = None) -> DrillScript:
    """Validate a drill script; the hashtag is the option, the script's, or the first used."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise InvalidInputError(f"the drill script is not JSON: {exc}") from None
    items = doc.get("postings") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise InvalidInputError("the drill script needs a non-empty list of postings")
    postings = tuple(sorted((_posting(i, r) for i, r in enumerate(items)), key=_after))
    chosen = hashtag or (doc.get("hashtag") if isinstance(doc, dict) else None)
    chosen = chosen or next((t for p in postings for t in p.hashtags), None)
    if not chosen:
        raise InvalidInputError('name the drill\'s hashtag (--hashtag or "hashtag" in the script)')
    return DrillScript(normalise_hashtag(str(chosen)), postings)


def _after(p: DrillPosting) -> float:
    return p.after_seconds


def load_script(path: Path, hashtag: str | None = None) -> DrillScript:
    return parse_script(path.read_bytes(), hashtag)


class DrillRunner:
    """Replays a script in (scaled) real time. ``sleep`` is injectable for tests."""

    def __init__(
        self,
        intake: IntakeService,
        clock: Clock,
        *,
        channel: str = "x",
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.intake = intake
        self.clock = clock
        self.channel = channel
        self.sleep = sleep
        self.monotonic = monotonic

    def run(
        self,
        script: DrillScript,
        *,
        run_id: str,
        speed: float = 1.0,
        on_posting: Callable[[int, DrillPosting], None] | None = None,
    ) -> DrillReport:
        if not speed > 0:
            raise InvalidInputError("speed must be more than 0")
        cause = Cause(DRILL_ACTOR, exercise=True)
        report = DrillReport(script.hashtag, run_id)
        report.position = self.intake.watch(cause, script.hashtag, DRILL_PURPOSE).position
        start = self.monotonic()
        for i, p in enumerate(script.postings):
            wait = start + p.after_seconds / speed - self.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._take_in(cause, script, report, i, p)
            if on_posting is not None:
                on_posting(i, p)
        return report

    def _take_in(
        self, cause: Cause, script: DrillScript, report: DrillReport, i: int, p: DrillPosting
    ) -> None:
        source_id = f"drill-{report.run_id}-{i:04d}"
        tags = p.hashtags if script.hashtag in p.hashtags else (script.hashtag, *p.hashtags)
        text = p.text if script.hashtag in p.text else f"{p.text} {script.hashtag}"
        item = IncomingPosting(
            channel=self.channel,
            source_id=source_id,
            text=text,
            created_at=self.clock.now() + timedelta(microseconds=i),
            author_handle=f"drill_citizen_{i % 50:02d}",
            lat=p.lat,
            lon=p.lon,
            hashtags=tags,
        )
        result = self.intake.ingest(cause, [item])
        report.taken_in += result.new
        report.position = max(report.position, result.position)
        report.source_ids.append(source_id)
