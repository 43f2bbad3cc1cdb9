"""Seoul-flavoured CAP alerts built from the model, for render/parse tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from channels.cap import CapAlert, CapArea, CapInfo, CapResource

KST = timezone(timedelta(hours=9))
SENT = datetime(2026, 7, 14, 15, 0, 0, tzinfo=KST)

JONGNO = CapArea(
    area_desc="서울특별시 종로구",
    polygons=(
        (
            (126.9685, 37.5735),
            (126.9921, 37.5735),
            (126.9921, 37.5913),
            (126.9685, 37.5913),
            (126.9685, 37.5735),
        ),
    ),
    geocodes=(("KR-SIG_CD", "11110"),),
)
GANGNAM = CapArea(
    area_desc="서울특별시 강남구, 서초구",
    polygons=(
        ((127.02, 37.49), (127.07, 37.49), (127.07, 37.53), (127.02, 37.49)),
        ((127.0, 37.46), (127.04, 37.46), (127.04, 37.49), (127.0, 37.46)),
    ),
    circles=((126.978, 37.5665, 5.0), (127.0473, 37.5172, 0.5)),
    geocodes=(("KR-SIG_CD", "11680"), ("KR-SIG_CD", "11650")),
    altitude=10.5,
    ceiling=3000.0,
)


def info_ko() -> CapInfo:
    return CapInfo(
        language="ko-KR",
        category=("Met", "Safety"),
        event="호우경보",
        response_types=("Shelter", "Monitor"),
        urgency="Immediate",
        severity="Severe",
        certainty="Observed",
        headline="[서울시] 호우경보 발령",
        description="시간당 50mm 이상의 강한 비가 내리고 있습니다.",
        instruction="하천변, 지하차도 등 위험지역 접근을 삼가 주십시오.",
        sender_name="서울특별시 재난안전대책본부",
        effective=SENT,
        onset=SENT + timedelta(minutes=30),
        expires=SENT + timedelta(hours=6),
        web="https://safecity.seoul.go.kr/",
        parameters=(("stage", "2"), ("LIFELINE", "120")),
        areas=(JONGNO, GANGNAM),
        audience="시민",
        event_codes=(("profile:SMC:event", "HRW"),),
        contact="120 다산콜재단",
        resources=(
            CapResource(
                resource_desc="대피소 지도",
                mime_type="image/png",
                size=12345,
                uri="https://safecity.seoul.go.kr/map.png",
                digest="0123456789abcdef0123456789abcdef01234567",
            ),
        ),
    )


def info_en() -> CapInfo:
    return replace(
        info_ko(),
        language="en-US",
        event="Heavy rain warning",
        headline="[Seoul] Heavy rain warning",
        description="Rain over 50 mm per hour.",
        instruction="Stay away from rivers and underpasses.",
        sender_name="Seoul Metropolitan Government",
        audience=None,
        contact=None,
        resources=(),
    )


def alert(**changes: object) -> CapAlert:
    base = CapAlert(
        identifier="SMC-2026-0714-0001",
        sender="smc@seoul.go.kr",
        sent=SENT,
        status="Actual",
        msg_type="Alert",
        scope="Public",
        note="staged warning, stage 2",
        incidents="INC-2026-77",
        infos=(info_ko(), info_en()),
        source="SMC",
        codes=("profile:SMC:1.0",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def update(msg_type: str = "Update") -> CapAlert:
    refs = (
        ("smc@seoul.go.kr", "SMC-2026-0714-0001", SENT),
        ("smc@seoul.go.kr", "SMC-2026-0714-0002", SENT + timedelta(minutes=5)),
    )
    return alert(
        identifier="SMC-2026-0714-0003",
        sent=SENT + timedelta(minutes=10),
        msg_type=msg_type,
        references=refs,
    )
