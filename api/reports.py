"""Citizens' reports from the Open311 API and the public form: one way into intake."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from api.bootstrap import Container
from channels.open311 import new_reference
from domain.context import Cause
from domain.postings import IncomingPosting

CAUSES = {"open311": Cause("citizen:open311"), "web": Cause("citizen:web-form")}
VIEWS = ["intake", "open311"]


class ReportError(ValueError):
    """The report cannot be taken in; the message says what to change."""


@dataclass(frozen=True)
class Report:
    channel: str
    prefix: str
    text: str
    service_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    media_urls: tuple[str, ...] = ()
    contact: dict[str, str] = field(default_factory=dict)
    lang: str | None = None


def parse_point(lat_text: str, lon_text: str) -> tuple[float | None, float | None]:
    """Both or neither; numbers in range."""
    lat_text, lon_text = lat_text.strip(), lon_text.strip()
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        raise ReportError("give both latitude and longitude, or neither")
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise ReportError("latitude and longitude must be decimal numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        raise ReportError("latitude must be within ±90 and longitude within ±180")
    return lat, lon


def submit(container: Container, report: Report) -> str:
    """Store the report as a posting; returns its reference (the posting's source id).
    Waits (bounded) until the views show it, so the citizen can look it up at once."""
    for _attempt in range(3):
        now = container.clock.now()
        reference = new_reference(report.prefix, now)
        item = IncomingPosting(
            channel=report.channel,
            source_id=reference,
            text=report.text,
            created_at=now,
            account=None,
            lang=report.lang,
            lat=report.lat,
            lon=report.lon,
            media_urls=report.media_urls,
            contact=dict(report.contact),
            service_code=report.service_code,
            address=report.address,
        )
        result = container.intake.ingest(CAUSES[report.channel], [item])
        if result.rejected:
            raise ReportError("the report could not be taken in; check the text and location")
        if result.new == 1:
            container.views.wait(result.position, VIEWS)
            return reference
    raise ReportError("could not allocate a reference number; please try again")
