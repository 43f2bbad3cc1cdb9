"""CAP 1.2 XML -> CapAlert, imported in stages: size, xml, schema, rules.

``parse_cap`` either returns every alert of the document (one, or each child of a
non-standard wrapper root such as SMHI's ``<alerts>``) or raises ``CapImportError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from lxml import etree

from channels.cap.geo import GeoError, from_cap_circle, from_cap_polygon
from channels.cap.model import (
    CAP_NS,
    CapAlert,
    CapArea,
    CapInfo,
    CapResource,
    Category,
    Certainty,
    MsgType,
    NamedValue,
    Reference,
    ResponseType,
    Scope,
    Severity,
    Status,
    Urgency,
)
from channels.cap.rules import check_rules
from channels.cap.timefmt import parse_cap_time
from channels.cap.validate import (
    DEFAULT_MAX_BYTES,
    CapImportError,
    alert_elements,
    check_size,
    parse_xml,
    validate_schema,
)

_Q = "{" + CAP_NS + "}"


@dataclass(frozen=True)
class ImportResult:
    """The alerts of one CAP document, with profile warnings that did not refuse them."""

    alerts: tuple[CapAlert, ...]
    warnings: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[CapAlert]:
        return iter(self.alerts)

    def __len__(self) -> int:
        return len(self.alerts)

    def __getitem__(self, index: int) -> CapAlert:
        return self.alerts[index]


def _text(el: etree._Element, name: str) -> str | None:
    return el.findtext(_Q + name)


def _token(el: etree._Element, name: str) -> str:
    return (el.findtext(_Q + name) or "").strip()


def _tokens(el: etree._Element, name: str) -> tuple[str, ...]:
    return tuple((child.text or "").strip() for child in el.iterfind(_Q + name))


def _optional_time(el: etree._Element, name: str) -> datetime | None:
    text = el.findtext(_Q + name)
    return None if text is None else parse_cap_time(text)


def _float(el: etree._Element, name: str) -> float | None:
    text = el.findtext(_Q + name)
    return None if text is None else float(text)


def _named(el: etree._Element, name: str) -> tuple[NamedValue, ...]:
    return tuple(
        (child.findtext(_Q + "valueName") or "", child.findtext(_Q + "value") or "")
        for child in el.iterfind(_Q + name)
    )


def parse_references(text: str | None) -> tuple[Reference, ...]:
    """CAP ``references`` text -> (sender, identifier, sent) triples."""
    refs: list[Reference] = []
    for triple in (text or "").split():
        sender, identifier, sent = triple.split(",")
        refs.append((sender, identifier, parse_cap_time(sent)))
    return tuple(refs)


def _area(el: etree._Element) -> CapArea:
    return CapArea(
        area_desc=_text(el, "areaDesc") or "",
        polygons=tuple(tuple(from_cap_polygon(p.text or "")) for p in el.iterfind(_Q + "polygon")),
        circles=tuple(from_cap_circle(c.text or "") for c in el.iterfind(_Q + "circle")),
        geocodes=_named(el, "geocode"),
        altitude=_float(el, "altitude"),
        ceiling=_float(el, "ceiling"),
    )


def _resource(el: etree._Element) -> CapResource:
    size = _text(el, "size")
    return CapResource(
        resource_desc=_text(el, "resourceDesc") or "",
        mime_type=_token(el, "mimeType"),
        size=None if size is None else int(size),
        uri=_text(el, "uri"),
        deref_uri=_text(el, "derefUri"),
        digest=_text(el, "digest"),
    )


def _info(el: etree._Element) -> CapInfo:
    return CapInfo(
        language=_token(el, "language") or "en-US",
        category=cast(tuple[Category, ...], _tokens(el, "category")),
        event=_text(el, "event") or "",
        response_types=cast(tuple[ResponseType, ...], _tokens(el, "responseType")),
        urgency=cast(Urgency, _token(el, "urgency")),
        severity=cast(Severity, _token(el, "severity")),
        certainty=cast(Certainty, _token(el, "certainty")),
        headline=_text(el, "headline"),
        description=_text(el, "description"),
        instruction=_text(el, "instruction"),
        sender_name=_text(el, "senderName"),
        effective=_optional_time(el, "effective"),
        onset=_optional_time(el, "onset"),
        expires=_optional_time(el, "expires"),
        web=_text(el, "web"),
        parameters=_named(el, "parameter"),
        areas=tuple(_area(a) for a in el.iterfind(_Q + "area")),
        audience=_text(el, "audience"),
        event_codes=_named(el, "eventCode"),
        contact=_text(el, "contact"),
        resources=tuple(_resource(r) for r in el.iterfind(_Q + "resource")),
    )


def element_to_alert(el: etree._Element) -> CapAlert:
    """A schema- and rule-checked ``<alert>`` element -> CapAlert."""
    return CapAlert(
        identifier=_token(el, "identifier"),
        sender=_token(el, "sender"),
        sent=parse_cap_time(_token(el, "sent")),
        status=cast(Status, _token(el, "status")),
        msg_type=cast(MsgType, _token(el, "msgType")),
        scope=cast(Scope, _token(el, "scope")),
        references=parse_references(_text(el, "references")),
        note=_text(el, "note"),
        incidents=_text(el, "incidents"),
        infos=tuple(_info(i) for i in el.iterfind(_Q + "info")),
        source=_text(el, "source"),
        restriction=_text(el, "restriction"),
        addresses=_text(el, "addresses"),
        codes=_tokens(el, "code"),
    )


def _import_one(el: etree._Element, label: str) -> tuple[CapAlert, list[str]]:
    try:
        validate_schema(el)
    except CapImportError as exc:
        raise CapImportError("schema", f"{label}{exc.message}") from exc
    findings = check_rules(el)
    if findings.errors:
        raise CapImportError("rules", label + "; ".join(findings.errors))
    try:
        alert = element_to_alert(el)
    except (GeoError, ValueError) as exc:
        raise CapImportError("rules", f"{label}<alert> at line {el.sourceline}: {exc}") from exc
    return alert, [f"{alert.identifier}: {w}" for w in findings.warnings]


def parse_cap(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportResult:
    """Import a CAP 1.2 document; raises CapImportError(stage, message) when refused."""
    check_size(data, max_bytes)
    elements = alert_elements(parse_xml(data))
    alerts: list[CapAlert] = []
    warnings: list[str] = []
    for index, el in enumerate(elements, start=1):
        label = f"alert {index} of {len(elements)}: " if len(elements) > 1 else ""
        alert, found = _import_one(el, label)
        alerts.append(alert)
        warnings.extend(found)
    return ImportResult(tuple(alerts), tuple(warnings))
