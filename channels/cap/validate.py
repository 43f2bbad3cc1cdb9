"""Stages 1-3 of a CAP import: size, hardened XML parse, XSD validation.

Stage 4 (the spec's rules beyond the schema) lives in :mod:`channels.cap.rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal, cast

from lxml import etree

from channels.cap.model import CAP_NS

Stage = Literal["size", "xml", "schema", "rules"]
XSD_PATH = Path(__file__).with_name("CAP-v1.2.xsd")
DEFAULT_MAX_BYTES = 1_000_000
_NS_BRACED = "{" + CAP_NS + "}"
_ALERT = _NS_BRACED + "alert"
_MAX_REPORTED_ERRORS = 3


class CapImportError(ValueError):
    """A CAP document refused at ``stage`` (size, xml, schema or rules)."""

    def __init__(self, stage: Stage, message: str) -> None:
        super().__init__(f"{stage}: {message}")
        self.stage: Stage = stage
        self.message = message


def safe_parser() -> etree.XMLParser:
    """An lxml parser that never loads DTDs, expands entities or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        attribute_defaults=False,
        remove_pis=True,
    )


def check_size(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Stage 1: refuse documents over ``max_bytes`` before any parsing."""
    if len(data) > max_bytes:
        raise CapImportError("size", f"document is {len(data)} bytes, limit is {max_bytes}")
    if not data.strip():
        raise CapImportError("size", "document is empty")


def parse_xml(data: bytes) -> etree._Element:
    """Stage 2: well-formed XML without DOCTYPE, entity declarations or entity references."""
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise CapImportError("xml", f"not well-formed XML at line {exc.lineno}: {exc.msg}") from exc
    docinfo = root.getroottree().docinfo
    doctype: str = getattr(docinfo, "doctype", "")  # lxml-stubs lack DocInfo.doctype
    if doctype or docinfo.internalDTD is not None:
        raise CapImportError(
            "xml", "DOCTYPE declarations (DTDs, entities) are not allowed in CAP documents"
        )
    for node in root.iter(etree.Entity):
        raise CapImportError("xml", f"entity reference {node.text} at line {node.sourceline}")
    return root


@cache
def cap_schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 schema, read from the copy shipped inside this package."""
    return etree.XMLSchema(etree.parse(str(XSD_PATH), safe_parser()))


def alert_elements(root: etree._Element) -> list[etree._Element]:
    """The CAP ``<alert>`` elements of a document: the root, or the children of a wrapper."""
    if root.tag == _ALERT:
        return [root]
    alerts = [child for child in root if child.tag == _ALERT]
    if not alerts:
        qname = etree.QName(root)
        raise CapImportError(
            "schema",
            f"root element <{qname.localname}> in namespace {qname.namespace!r} at line "
            f"{root.sourceline} is not a CAP 1.2 <alert> (namespace {CAP_NS}) "
            "and wraps no CAP alert",
        )
    return alerts


def validate_schema(alert: etree._Element) -> None:
    """Stage 3: XSD validation; the message names element and line of the first errors."""
    schema = cap_schema()
    if schema.validate(alert):
        return
    log = cast("Iterable[etree._LogEntry]", schema.error_log)  # lxml-stubs: not iterable
    errors = [f"line {e.line}: {e.message.replace(_NS_BRACED, 'cap:')}" for e in log]
    shown = "; ".join(errors[:_MAX_REPORTED_ERRORS])
    more = len(errors) - _MAX_REPORTED_ERRORS
    raise CapImportError("schema", shown + (f" (and {more} more)" if more > 0 else ""))
