"""Stage 4 of a CAP import: the CAP 1.2 spec's rules that the XSD does not check.

Errors refuse the alert; warnings are profile issues recorded next to an imported alert.
Every message names the element and its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from channels.cap.geo import GeoError, from_cap_circle, from_cap_polygon
from channels.cap.model import CAP_NS
from channels.cap.timefmt import parse_cap_time

_Q = "{" + CAP_NS + "}"
_NEEDS_REFERENCES = ("Update", "Cancel")
_SHOULD_REFERENCE = ("Ack", "Error")
_FORBIDDEN_IN_ID = (" ", ",", "<", "&")


@dataclass
class Findings:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _where(el: etree._Element) -> str:
    return f"<{etree.QName(el).localname}> at line {el.sourceline}"


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return el.find(_Q + name)


def _blank(el: etree._Element | None) -> bool:
    return el is None or not (el.text or "").strip()


def _check_ids(alert: etree._Element, out: Findings) -> None:
    for name in ("identifier", "sender"):
        el = _child(alert, name)
        value = (el.text or "").strip() if el is not None else ""
        if el is not None and (not value or any(c in value for c in _FORBIDDEN_IN_ID)):
            out.errors.append(f"{_where(el)} must be non-empty without space, comma, < or &")


def _check_references(alert: etree._Element, msg_type: str, out: Findings) -> None:
    refs = _child(alert, "references")
    if refs is None and msg_type in _NEEDS_REFERENCES:
        out.errors.append(f"msgType {msg_type} requires <references> (line {alert.sourceline})")
        return
    if refs is None:
        if msg_type in _SHOULD_REFERENCE:
            out.warnings.append(f"msgType {msg_type} without <references>")
        return
    if _blank(refs):
        if msg_type in (*_NEEDS_REFERENCES, *_SHOULD_REFERENCE):
            out.warnings.append(f"profile: empty {_where(refs)} on msgType {msg_type}")
        return
    for triple in (refs.text or "").split():
        parts = triple.split(",")
        try:
            if len(parts) != 3 or not parts[0] or not parts[1]:
                raise ValueError("expected sender,identifier,sent")
            parse_cap_time(parts[2])
        except ValueError as exc:
            out.errors.append(f"{_where(refs)}: bad reference {triple!r}: {exc}")


def _check_scope(alert: etree._Element, scope: str, out: Findings) -> None:
    for name, needed_by in (("restriction", "Restricted"), ("addresses", "Private")):
        el = _child(alert, name)
        if scope == needed_by and _blank(el):
            out.errors.append(f"scope {scope} requires a non-empty <{name}>")
        elif el is not None and _blank(el):
            out.warnings.append(f"profile: empty {_where(el)}")
        elif el is not None and name == "restriction" and scope != needed_by:
            out.warnings.append(f"{_where(el)} is only meaningful with scope Restricted")


def _check_area(area: etree._Element, out: Findings) -> None:
    for el in area.iterfind(_Q + "polygon"):
        try:
            from_cap_polygon(el.text or "")
        except GeoError as exc:
            out.errors.append(f"{_where(el)}: {exc}")
    for el in area.iterfind(_Q + "circle"):
        try:
            from_cap_circle(el.text or "")
        except GeoError as exc:
            out.errors.append(f"{_where(el)}: {exc}")


def _time_of(el: etree._Element | None) -> datetime | None:
    return None if el is None or el.text is None else parse_cap_time(el.text)


def _check_times(info: etree._Element, sent: datetime | None, out: Findings) -> None:
    expires_el = _child(info, "expires")
    expires = _time_of(expires_el)
    if expires_el is None or expires is None:
        return
    for name, other in (("sent", sent), ("effective", _time_of(_child(info, "effective")))):
        if other is not None and expires <= other:
            out.errors.append(f"{_where(expires_el)} {expires_el.text} is not after {name}")
    onset = _time_of(_child(info, "onset"))
    if onset is not None and onset > expires:
        out.warnings.append(f"<onset> {onset.isoformat()} is after {_where(expires_el)}")


def check_rules(alert: etree._Element) -> Findings:
    """Run the spec's rules on a schema-valid ``<alert>`` element."""
    out = Findings()
    msg_type = (alert.findtext(_Q + "msgType") or "").strip()
    scope = (alert.findtext(_Q + "scope") or "").strip()
    _check_ids(alert, out)
    _check_references(alert, msg_type, out)
    _check_scope(alert, scope, out)
    if msg_type == "Error" and _blank(_child(alert, "note")):
        out.warnings.append("msgType Error should explain itself in <note>")
    sent = _time_of(_child(alert, "sent"))
    for info in alert.iterfind(_Q + "info"):
        _check_times(info, sent, out)
        for area in info.iterfind(_Q + "area"):
            _check_area(area, out)
    return out
