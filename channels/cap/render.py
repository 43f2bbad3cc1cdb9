"""CapAlert -> CAP 1.2 XML bytes, elements in the exact order of the OASIS schema."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import cast

from lxml import etree

from channels.cap.geo import to_cap_circle, to_cap_polygon
from channels.cap.model import (
    CAP_NS,
    CapAlert,
    CapArea,
    CapInfo,
    CapResource,
    NamedValue,
    Reference,
)
from channels.cap.timefmt import format_cap_time

_Q = "{" + CAP_NS + "}"


def _add(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, _Q + name).text = text


def _add_all(parent: etree._Element, name: str, texts: Iterable[str]) -> None:
    for text in texts:
        _add(parent, name, text)


def _add_named(parent: etree._Element, name: str, pairs: Iterable[NamedValue]) -> None:
    for value_name, value in pairs:
        holder = etree.SubElement(parent, _Q + name)
        _add(holder, "valueName", value_name)
        _add(holder, "value", value)


def _number(value: float | None) -> str | None:
    return None if value is None else format(Decimal(repr(float(value))), "f")


def format_references(references: Iterable[Reference]) -> str:
    """CAP ``references``: space-separated ``sender,identifier,sent`` triples."""
    triples = []
    for sender, identifier, sent in references:
        for part in (sender, identifier):
            if not part or any(c in part for c in " ,"):
                raise ValueError(f"reference part {part!r} must be non-empty, no space or comma")
        triples.append(f"{sender},{identifier},{format_cap_time(sent)}")
    return " ".join(triples)


def _area(parent: etree._Element, area: CapArea) -> None:
    node = etree.SubElement(parent, _Q + "area")
    _add(node, "areaDesc", area.area_desc)
    _add_all(node, "polygon", (to_cap_polygon(ring) for ring in area.polygons))
    _add_all(node, "circle", (to_cap_circle(*circle) for circle in area.circles))
    _add_named(node, "geocode", area.geocodes)
    _add(node, "altitude", _number(area.altitude))
    _add(node, "ceiling", _number(area.ceiling))


def _resource(parent: etree._Element, res: CapResource) -> None:
    node = etree.SubElement(parent, _Q + "resource")
    _add(node, "resourceDesc", res.resource_desc)
    _add(node, "mimeType", res.mime_type)
    _add(node, "size", None if res.size is None else str(res.size))
    _add(node, "uri", res.uri)
    _add(node, "derefUri", res.deref_uri)
    _add(node, "digest", res.digest)


def _time(value: datetime | None) -> str | None:
    return None if value is None else format_cap_time(value)


def _info(parent: etree._Element, info: CapInfo) -> None:
    node = etree.SubElement(parent, _Q + "info")
    _add(node, "language", info.language)
    _add_all(node, "category", info.category)
    _add(node, "event", info.event)
    _add_all(node, "responseType", info.response_types)
    _add(node, "urgency", info.urgency)
    _add(node, "severity", info.severity)
    _add(node, "certainty", info.certainty)
    _add(node, "audience", info.audience)
    _add_named(node, "eventCode", info.event_codes)
    _add(node, "effective", _time(info.effective))
    _add(node, "onset", _time(info.onset))
    _add(node, "expires", _time(info.expires))
    for name, value in (
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("instruction", info.instruction),
        ("web", info.web),
        ("contact", info.contact),
    ):
        _add(node, name, value)
    _add_named(node, "parameter", info.parameters)
    for res in info.resources:
        _resource(node, res)
    for area in info.areas:
        _area(node, area)


def build_alert(alert: CapAlert) -> etree._Element:
    """The ``<alert>`` element tree for ``alert`` (for callers that sign or embed it)."""
    root = etree.Element(_Q + "alert", nsmap=cast("dict[str, str]", {None: CAP_NS}))
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", format_cap_time(alert.sent))
    _add(root, "status", alert.status)
    _add(root, "msgType", alert.msg_type)
    _add(root, "source", alert.source)
    _add(root, "scope", alert.scope)
    _add(root, "restriction", alert.restriction)
    _add(root, "addresses", alert.addresses)
    _add_all(root, "code", alert.codes)
    _add(root, "note", alert.note)
    if alert.references:
        _add(root, "references", format_references(alert.references))
    _add(root, "incidents", alert.incidents)
    for info in alert.infos:
        _info(root, info)
    return root


def render_alert(alert: CapAlert) -> bytes:
    """CAP 1.2 XML document (UTF-8, with declaration) for ``alert``."""
    return etree.tostring(
        build_alert(alert), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
