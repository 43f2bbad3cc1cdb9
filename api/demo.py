"""Demo data: a realistic slice of Seoul so that every page has something on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from api.bootstrap import Container
from domain.auto_answer import AutoAnswerPolicy
from domain.context import Cause
from domain.directory import Role
from domain.errors import AlreadyExistsError, StoreNotEmptyError
from domain.store import Recorded

DEMO = Cause("system:demo")
DEMO_PASSWORD = "smc-demo-2026"  # noqa: S105 - printed for development sign-in only

DEPARTMENTS = [
    ("TRANSPORT", "교통정책과", "Transport Policy Division"),
    ("BUS", "버스정책과", "Bus Policy Division"),
    ("ROAD", "도로관리과", "Road Management Division"),
    ("HOUSING", "주택정책과", "Housing Policy Division"),
    ("SAFETY", "안전총괄과", "Safety Management Division"),
    ("ENV", "기후환경본부", "Climate and Environment Headquarters"),
    ("WASTE", "자원순환과", "Resource Circulation Division"),
    ("WELFARE", "복지정책과", "Welfare Policy Division"),
    ("HEALTH", "시민건강국", "Citizen Health Bureau"),
    ("CULTURE", "문화정책과", "Culture Policy Division"),
    ("SMC", "소셜미디어센터", "Social Media Center"),
    ("DISASTER", "재난안전대책본부", "Disaster and Safety Countermeasures HQ"),
]

DISTRICTS = [
    ("11110", "종로구", "Jongno-gu"),
    ("11140", "중구", "Jung-gu"),
    ("11170", "용산구", "Yongsan-gu"),
    ("11200", "성동구", "Seongdong-gu"),
    ("11215", "광진구", "Gwangjin-gu"),
    ("11230", "동대문구", "Dongdaemun-gu"),
    ("11260", "중랑구", "Jungnang-gu"),
    ("11290", "성북구", "Seongbuk-gu"),
    ("11305", "강북구", "Gangbuk-gu"),
    ("11320", "도봉구", "Dobong-gu"),
    ("11350", "노원구", "Nowon-gu"),
    ("11380", "은평구", "Eunpyeong-gu"),
    ("11410", "서대문구", "Seodaemun-gu"),
    ("11440", "마포구", "Mapo-gu"),
    ("11470", "양천구", "Yangcheon-gu"),
    ("11500", "강서구", "Gangseo-gu"),
    ("11530", "구로구", "Guro-gu"),
    ("11545", "금천구", "Geumcheon-gu"),
    ("11560", "영등포구", "Yeongdeungpo-gu"),
    ("11590", "동작구", "Dongjak-gu"),
    ("11620", "관악구", "Gwanak-gu"),
    ("11650", "서초구", "Seocho-gu"),
    ("11680", "강남구", "Gangnam-gu"),
    ("11710", "송파구", "Songpa-gu"),
    ("11740", "강동구", "Gangdong-gu"),
]

# (channel, handle, owning department, monitored for mentions, may publish warnings)
ACCOUNTS = [
    ("x", "seoulmania", "SMC", True, True),
    ("x", "seoul_smc", "SMC", True, True),
    ("x", "seoul_topis", "TRANSPORT", True, True),
    ("x", "seoul_safety", "DISASTER", True, True),
    ("x", "seoul_mayor", "SMC", True, False),
    ("facebook", "seoul.kr", "SMC", True, True),
    ("blog", "seoulstory", "SMC", False, False),
    ("web", "smc-form", "SMC", True, False),
    ("open311", "seoul-311", "SMC", True, False),
    ("sms", "120dasan", "SMC", True, True),
]

USERS = [
    ("admin", "관리자", Role.ADMIN),
    ("kim.official", "김민준 주무관", Role.OFFICIAL),
    ("lee.lead", "이서연 팀장", Role.DEPARTMENT_LEAD),
    ("park.desk", "박지훈 상황관리관", Role.DESK),
    ("choi.approver", "최수아 과장", Role.APPROVER),
    ("jung.auditor", "정예준 감사관", Role.AUDITOR),
]


@dataclass
class DemoReport:
    created: int = 0
    skipped: int = 0
    position: int = 0


def _ensure(report: DemoReport, make: Callable[[], Recorded]) -> None:
    try:
        report.position = max(report.position, make().position)
        report.created += 1
    except AlreadyExistsError:
        report.skipped += 1


def _auto_send(container: Container, unit: str) -> Recorded:
    """Frequent questions to this unit are answered without review (once; then left alone)."""
    if container.auto_answer is None or container.store.exists(AutoAnswerPolicy.create_id(unit)):
        raise AlreadyExistsError(f"auto-answer policy of {unit}")
    return container.auto_answer.set(DEMO, unit, True)


def load_demo(container: Container, *, force: bool = False) -> DemoReport:
    if container.store.head() > 0 and not force:
        msg = "the store already holds events; use --force to add the demo data anyway"
        raise StoreNotEmptyError(msg)
    d, report = container.directory, DemoReport()
    for code, ko, en in DEPARTMENTS:
        _ensure(report, partial(d.register_department, DEMO, code, ko, en))
    for code, ko, en in DISTRICTS:
        _ensure(report, partial(d.register_district, DEMO, code, ko, en))
    for ch, handle, dept, mon, warn in ACCOUNTS:
        account = partial(
            d.register_account,
            DEMO,
            channel=ch,
            handle=handle,
            department_code=dept,
            monitored=mon,
            warnings=warn,
        )
        _ensure(report, account)
    from api.demo_templates import load_templates

    report.created += load_templates(container, DEMO)
    _ensure(report, partial(_auto_send, container, "department:WASTE"))
    if container.settings.env == "production":
        return report  # a published demo password has no place in production
    password_hash = container.passwords.hash(DEMO_PASSWORD)
    for username, name, role in USERS:
        user = partial(
            d.add_user,
            DEMO,
            username=username,
            display_name=name,
            role=role,
            password_hash=password_hash,
        )
        _ensure(report, user)
    from api.demo_warnings import load_demo_warnings

    report.created += load_demo_warnings(container)
    from api.demo_lifeline import load_lifeline_demo

    report.position = max(report.position, load_lifeline_demo(container))
    return report
