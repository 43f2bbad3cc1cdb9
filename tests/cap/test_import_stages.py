"""The four import stages on crafted documents: size, xml, schema, rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from channels.cap import CapImportError, parse_cap, render_alert
from channels.cap.validate import safe_parser
from tests.cap.samples import SENT, alert, info_en, info_ko, update

SECRET = "TOP-SECRET-7f3a9c"


def _refused(data: bytes, stage: str, *words: str) -> str:
    with pytest.raises(CapImportError) as caught:
        parse_cap(data)
    assert caught.value.stage == stage, caught.value
    for word in words:
        assert word in caught.value.message, caught.value.message
    return caught.value.message


def _secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


# stage 1: size


def test_oversized_document_refused_before_parsing() -> None:
    data = render_alert(alert())
    assert len(parse_cap(data, max_bytes=len(data))) == 1
    with pytest.raises(CapImportError) as caught:
        parse_cap(data, max_bytes=len(data) - 1)
    assert caught.value.stage == "size"
    assert str(len(data)) in caught.value.message


def test_default_limit_is_one_megabyte() -> None:
    _refused(b"<a>" + b" " * 1_000_000 + b"</a>", "size", "1000000")


def test_empty_document_refused() -> None:
    _refused(b"  \n", "size", "empty")


# stage 2: xml


def test_malformed_xml_names_the_line() -> None:
    _refused(b"<alert>\n<identifier>x</alert>", "xml", "line 2")


def test_external_entity_never_read(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier>'
        f"</alert>"
    ).encode()
    message = _refused(data, "xml", "DOCTYPE")
    assert SECRET not in message
    # and the hardened parser itself leaves the entity unexpanded
    root = etree.fromstring(data, safe_parser())
    assert SECRET.encode() not in etree.tostring(root)


def test_parameter_entity_never_read(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE alert [<!ENTITY % f SYSTEM "file://{secret}"> %f;]>\n'
        f'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>'
    ).encode()
    message = _refused(data, "xml")
    assert SECRET not in message


def test_billion_laughs_refused() -> None:
    lol = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY l0 "lol">{lol}]>'
        f'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&l9;</alert>'
    ).encode()
    _refused(data, "xml")


# stage 3: schema


def test_schema_error_names_element_and_line() -> None:
    data = render_alert(alert()).replace(b"<status>Actual</status>", b"<status>Real</status>")
    _refused(data, "schema", "cap:status", "line 6", "Real")


def test_fractional_seconds_refused_by_schema() -> None:
    data = render_alert(alert()).replace(
        b"<sent>2026-07-14T15:00:00+09:00", b"<sent>2026-07-14T15:00:00.5+09:00"
    )
    _refused(data, "schema", "cap:sent")


def _wrap(*alerts: bytes) -> bytes:
    bodies = b"".join(a.split(b"?>", 1)[1] for a in alerts)
    return b'<alerts xmlns="urn:oasis:names:tc:emergency:cap:1.2">' + bodies + b"</alerts>"


def test_wrapper_yields_each_alert() -> None:
    first, second = alert(), alert(identifier="SMC-2")
    result = parse_cap(_wrap(render_alert(first), render_alert(second)))
    assert list(result) == [first, second]


def test_wrapper_with_one_bad_alert_refused_naming_it() -> None:
    bad = render_alert(alert(identifier="SMC-2")).replace(b"<scope>Public</scope>", b"")
    _refused(_wrap(render_alert(alert()), bad), "schema", "alert 2 of 2", "cap:scope")


def test_wrapper_without_alerts_refused() -> None:
    _refused(b"<alerts xmlns='urn:oasis:names:tc:emergency:cap:1.2'/>", "schema", "alerts")


# stage 4: rules


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_update_and_cancel_need_references(msg_type: str) -> None:
    _refused(render_alert(alert(msg_type=msg_type)), "rules", "requires <references>")


def test_ack_without_references_only_warns() -> None:
    result = parse_cap(render_alert(alert(msg_type="Ack")))
    assert any("Ack without <references>" in w for w in result.warnings)


def test_malformed_reference_refused() -> None:
    data = render_alert(update()).replace(
        b"smc@seoul.go.kr,SMC-2026-0714-0001,", b"smc@seoul.go.kr;SMC-2026-0714-0001,"
    )
    _refused(data, "rules", "<references>", "bad reference")


def test_restricted_needs_restriction() -> None:
    _refused(render_alert(alert(scope="Restricted")), "rules", "<restriction>")
    _refused(render_alert(alert(scope="Restricted", restriction=" ")), "rules", "<restriction>")


def test_private_needs_addresses() -> None:
    _refused(render_alert(alert(scope="Private")), "rules", "<addresses>")


def test_restriction_on_public_only_warns() -> None:
    result = parse_cap(render_alert(alert(restriction="staff only")))
    assert any("only meaningful with scope Restricted" in w for w in result.warnings)


def test_unclosed_polygon_refused() -> None:
    data = render_alert(alert()).replace(
        b"37.5913,126.9685 37.5735,126.9685</polygon>", b"37.5913,126.9685 37.5,126.9</polygon>"
    )
    _refused(data, "rules", "<polygon> at line", "not closed")


def test_short_polygon_refused() -> None:
    data = render_alert(alert()).replace(
        b"37.5735,126.9685 37.5735,126.9921 37.5913,126.9921 37.5913,126.9685 37.5735,126.9685",
        b"37.5735,126.9685 37.5735,126.9921 37.5735,126.9685",
    )
    _refused(data, "rules", "at least 4")


def test_out_of_range_circle_refused() -> None:
    data = render_alert(alert()).replace(b"37.5665,126.978 5", b"126.978,37.5665 5")
    _refused(data, "rules", "<circle>", "latitude")


def test_expires_before_effective_refused() -> None:
    info = info_ko()
    early = replace(info, effective=SENT + timedelta(hours=2), expires=SENT + timedelta(hours=1))
    _refused(render_alert(alert(infos=(early,))), "rules", "<expires>", "not after effective")
    late = replace(info, expires=SENT - timedelta(minutes=1))
    _refused(render_alert(alert(infos=(late,))), "rules", "<expires>", "not after sent")


def test_onset_after_expires_only_warns() -> None:
    odd = replace(info_ko(), onset=SENT + timedelta(days=1))
    result = parse_cap(render_alert(alert(infos=(odd,))))
    assert any("<onset>" in w for w in result.warnings)


def test_identifier_with_space_refused() -> None:
    _refused(render_alert(alert(identifier="SMC 1")), "rules", "<identifier>", "space")


def test_error_message_without_note_warns() -> None:
    result = parse_cap(render_alert(replace(update("Error"), note=None)))
    assert any("<note>" in w for w in result.warnings)
    assert not parse_cap(render_alert(update("Error"))).warnings


def test_iso_8859_1_document_is_decoded() -> None:
    info = replace(info_en(), headline="Gävle: café closed", areas=())
    text = render_alert(alert(infos=(info,))).decode("utf-8")
    latin1 = text.replace("encoding='UTF-8'", "encoding='ISO-8859-1'").encode("latin-1")
    assert "ä".encode("latin-1") in latin1
    assert parse_cap(latin1)[0].infos[0].headline == "Gävle: café closed"
