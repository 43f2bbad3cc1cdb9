"""Rendering: exact CAP 1.2 order and formats, XSD validity, render -> parse round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from channels.cap import (
    CAP_NS,
    CapAlert,
    CapArea,
    CapInfo,
    cap_schema,
    format_cap_time,
    parse_cap,
    parse_cap_time,
    render_alert,
)
from tests.cap.samples import SENT, alert, info_en, info_ko, update

Q = "{" + CAP_NS + "}"


def _valid(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    schema = cap_schema()
    assert schema.validate(root), schema.error_log
    return root


def _round_trip(original: CapAlert) -> None:
    data = render_alert(original)
    _valid(data)
    result = parse_cap(data)
    assert list(result) == [original]
    assert result.warnings == ()


def test_time_format() -> None:
    assert format_cap_time(SENT) == "2026-07-14T15:00:00+09:00"
    assert format_cap_time(datetime(2026, 7, 14, 6, 0, 0, 999, tzinfo=UTC)) == (
        "2026-07-14T06:00:00-00:00"
    )
    minus = timezone(-timedelta(hours=3, minutes=30))
    assert format_cap_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=minus)) == (
        "2026-01-02T03:04:05-03:30"
    )
    with pytest.raises(ValueError, match="timezone"):
        format_cap_time(datetime(2026, 7, 14))  # noqa: DTZ001


@pytest.mark.parametrize("text", ["2026-07-14T15:00:00Z", "2026-07-14T15:00:00.5+09:00", "x"])
def test_non_cap_times_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a CAP date-time"):
        parse_cap_time(text)


def test_full_alert_ko_en_round_trips_and_validates() -> None:
    _round_trip(alert())


@pytest.mark.parametrize("msg_type", ["Update", "Cancel", "Ack", "Error"])
def test_referencing_messages_round_trip(msg_type: str) -> None:
    _round_trip(update(msg_type))


@pytest.mark.parametrize("status", ["Actual", "Exercise", "System", "Test", "Draft"])
def test_every_status_round_trips(status: str) -> None:
    _round_trip(alert(status=status))


def test_restricted_and_private_scopes_round_trip() -> None:
    _round_trip(alert(scope="Restricted", restriction="재난안전대책본부 내부용"))
    _round_trip(alert(scope="Private", addresses='ops@seoul.go.kr "Gangnam gu office"'))


def test_minimal_alert_without_info_round_trips() -> None:
    bare = CapAlert(
        identifier="SMC-1",
        sender="smc@seoul.go.kr",
        sent=SENT,
        status="System",
        msg_type="Alert",
        scope="Public",
    )
    _round_trip(bare)


def test_minimal_info_and_area_round_trip() -> None:
    info = CapInfo(
        category=("Other",),
        event="점검",
        urgency="Unknown",
        severity="Unknown",
        certainty="Unknown",
        areas=(CapArea("서울특별시"),),
    )
    _round_trip(alert(infos=(info,)))


def test_element_order_and_formats() -> None:
    root = _valid(render_alert(update()))
    names = [etree.QName(child).localname for child in root]
    assert names == [
        "identifier", "sender", "sent", "status", "msgType", "source", "scope", "code",
        "note", "references", "incidents", "info", "info",
    ]  # fmt: skip
    assert root.nsmap == {None: CAP_NS}
    assert root.findtext(Q + "sent") == "2026-07-14T15:10:00+09:00"
    assert root.findtext(Q + "references") == (
        "smc@seoul.go.kr,SMC-2026-0714-0001,2026-07-14T15:00:00+09:00 "
        "smc@seoul.go.kr,SMC-2026-0714-0002,2026-07-14T15:05:00+09:00"
    )
    assert [i.findtext(Q + "language") for i in root.iter(Q + "info")] == ["ko-KR", "en-US"]


def test_area_content_in_cap_form() -> None:
    root = _valid(render_alert(alert()))
    area = root.find(f"{Q}info/{Q}area")
    assert area is not None
    polygon = area.findtext(Q + "polygon") or ""
    assert polygon.split()[0] == "37.5735,126.9685"
    assert polygon.split()[0] == polygon.split()[-1]
    geocode = area.find(Q + "geocode")
    assert geocode is not None
    assert geocode.findtext(Q + "valueName") == "KR-SIG_CD"
    assert geocode.findtext(Q + "value") == "11110"
    second = root.findall(f"{Q}info/{Q}area")[1]
    assert [c.text for c in second.iter(Q + "circle")] == [
        "37.5665,126.978 5",
        "37.5172,127.0473 0.5",
    ]
    assert second.findtext(Q + "altitude") == "10.5"


def test_naive_datetime_refused_by_model() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        alert(sent=datetime(2026, 7, 14, 15))  # noqa: DTZ001


def test_reference_parts_with_comma_refused() -> None:
    with pytest.raises(ValueError, match="no space or comma"):
        render_alert(alert(msg_type="Update", references=(("a,b", "id", SENT),)))


def test_info_needs_a_category() -> None:
    with pytest.raises(ValueError, match="category"):
        CapInfo(category=(), event="x", urgency="Past", severity="Minor", certainty="Likely")


def test_korean_text_survives_as_utf8() -> None:
    data = render_alert(alert(infos=(info_ko(), info_en())))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "호우경보".encode() in data
