"""Open311 GeoReport v2: the city's service list and the spec's JSON and XML shapes.

Field and element names follow https://wiki.open311.org/GeoReport_v2 (``services``/``service``,
``service_requests``/``request``, ``errors``/``error``). Datetimes are W3C (ISO 8601 with an
offset), written in Korea Standard Time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET  # writing only, never parsing

SERVICES_FILE = Path(__file__).with_name("open311_services.json")
KST = timezone(timedelta(hours=9), "KST")
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
SERVICE_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
FORMATS = {"json": "application/json", "xml": "text/xml; charset=utf-8"}


@dataclass(frozen=True)
class Service:
    code: str
    name_ko: str
    name_en: str
    department_code: str
    group_ko: str
    group_en: str
    keywords: tuple[str, ...]
    description_ko: str
    description_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_ko

    def as_open311(self, lang: str) -> dict[str, Any]:
        return {
            "service_code": self.code,
            "service_name": self.name(lang),
            "description": self.description_en if lang == "en" else self.description_ko,
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(self.keywords),
            "group": self.group_en if lang == "en" else self.group_ko,
        }


@cache
def services() -> dict[str, Service]:
    """The city's categories, from the data file, validated once."""
    data = json.loads(SERVICES_FILE.read_text("utf-8"))
    found: dict[str, Service] = {}
    for raw in data["services"]:
        service = Service(
            code=raw["service_code"],
            name_ko=raw["name_ko"],
            name_en=raw["name_en"],
            department_code=raw["department_code"],
            group_ko=raw["group_ko"],
            group_en=raw["group_en"],
            keywords=tuple(raw["keywords"]),
            description_ko=raw["description_ko"],
            description_en=raw["description_en"],
        )
        if service.code in found or not service.code.replace("_", "").isalnum():
            msg = f"{SERVICES_FILE.name}: bad or repeated service_code {service.code!r}"
            raise ValueError(msg)
        found[service.code] = service
    return found


def w3c(value: datetime | str | None) -> str | None:
    """A W3C datetime in Korea Standard Time, or None."""
    if value is None or value == "":
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(KST).isoformat(timespec="seconds")


# -- JSON is the dicts themselves; XML is built from the same dicts -------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_xml(root: str, item: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """``<root><item><field>value</field>…</item>…</root>`` with an XML declaration."""
    top = ET.Element(root)
    for row in rows:
        node = ET.SubElement(top, item)
        for key, value in row.items():
            ET.SubElement(node, key).text = _text(value)
    body: bytes = ET.tostring(top, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def render(fmt: str, root: str, item: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    if fmt == "xml":
        return to_xml(root, item, rows)
    return json.dumps(list(rows), ensure_ascii=False).encode()


def render_errors(fmt: str, code: int, description: str) -> bytes:
    return render(fmt, "errors", "error", [{"code": code, "description": description}])


# -- citizen reports (Open311 POST and the public form) -------------------------------------
def new_reference(prefix: str, now: datetime) -> str:
    """A reference the citizen can quote: ``311-20260714-3FA2C1D0``."""
    import secrets

    return f"{prefix}-{now.astimezone(KST):%Y%m%d}-{secrets.token_hex(4).upper()}"
