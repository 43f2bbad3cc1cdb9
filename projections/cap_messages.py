"""A self-contained warning message (as recorded in the event) -> CAP 1.2 alert.

One ``<info>`` per language; district areas carry ``SIG_CD`` geocodes and polygons.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from channels.cap import CapAlert, CapArea, CapInfo, render_alert
from channels.cap.model import Category, Certainty, MsgType, ResponseType, Severity, Status, Urgency

LANGUAGES = {"ko": "ko-KR", "en": "en-US"}
SENDER_NAME = {"ko": "서울특별시 재난안전대책본부", "en": "Seoul Metropolitan Government"}


def _area(area: dict[str, Any], lang: str) -> CapArea:
    return CapArea(
        area_desc=str((area.get("desc") or {}).get(lang) or area.get("kind", "")),
        polygons=tuple(
            tuple((float(x), float(y)) for x, y in ring) for ring in area.get("polygons", [])
        ),
        circles=tuple((float(c[0]), float(c[1]), float(c[2])) for c in area.get("circles", [])),
        geocodes=tuple((str(n), str(v)) for n, v in area.get("geocodes", [])),
    )


def _info(m: dict[str, Any], lang: str) -> CapInfo:
    texts = m["texts"][lang]
    sent = datetime.fromisoformat(m["sent"])
    params = [
        ("playbook", m["playbook_id"]),
        ("playbookVersion", m["playbook_version"]),
        ("stage", m["stage_id"]),
    ]
    return CapInfo(
        language=LANGUAGES[lang],
        category=(cast(Category, m["category"]),),
        event=str(m["event"][lang]),
        response_types=tuple(cast(ResponseType, r) for r in m["response_types"]),
        urgency=cast(Urgency, m["urgency"]),
        severity=cast(Severity, m["severity"]),
        certainty=cast(Certainty, m["certainty"]),
        headline=texts["headline"],
        description=texts["description"],
        instruction=texts["instruction"],
        sender_name=SENDER_NAME[lang],
        effective=sent,
        expires=datetime.fromisoformat(m["expires"]),
        web=m.get("web"),
        parameters=tuple(params),
        areas=(_area(m["area"], lang),),
    )


def to_alert(m: dict[str, Any]) -> CapAlert:
    return CapAlert(
        identifier=m["identifier"],
        sender=m["sender"],
        sent=datetime.fromisoformat(m["sent"]),
        status=cast(Status, m["status"]),
        msg_type=cast(MsgType, m["msg_type"]),
        scope="Public",
        references=tuple((s, i, datetime.fromisoformat(t)) for s, i, t in m["references"]),
        incidents=m["identifier"].rsplit(".", 1)[0],
        infos=tuple(_info(m, lang) for lang in LANGUAGES),
    )


def render_message(m: dict[str, Any]) -> str:
    return render_alert(to_alert(m)).decode("utf-8")
