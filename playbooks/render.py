"""Render a playbook stage's headline, description and instruction into plain strings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from playbooks.schema import Playbook

Lang = Literal["ko", "en"]

DEFAULT_AREA: dict[str, str] = {"ko": "서울시 전역", "en": "all of Seoul"}
DEFAULT_TIME: dict[str, str] = {"ko": "현재", "en": "now"}
DEFAULT_SHELTER: dict[str, str] = {
    "ko": "가까운 지정 대피소(안전디딤돌 앱 또는 서울안전누리에서 확인)",
    "en": "the nearest designated shelter (see the Safety Dudim-dol app or Seoul Safety Nuri)",
}

_ENV = SandboxedEnvironment(
    autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False
)


@dataclass(frozen=True, slots=True)
class RenderedText:
    headline: str
    description: str
    instruction: str


@lru_cache(maxsize=4096)
def _template(source: str) -> Template:
    return _ENV.from_string(source)


def _format_time(value: str | datetime | None, lang: Lang) -> str:
    if value is None or value == "":
        return DEFAULT_TIME[lang]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _pick(value: str | None, defaults: dict[str, str], lang: Lang) -> str:
    return value if value else defaults[lang]


def render_stage(
    playbook: Playbook,
    stage_id: str,
    *,
    lang: Lang,
    area: str | None = None,
    time: str | datetime | None = None,
    shelter: str | None = None,
) -> RenderedText:
    """Fill one stage's templates for ``lang``; missing values get city-wide defaults.

    Raises KeyError for an unknown stage, ValueError for an unsupported language and
    ``jinja2.exceptions.SecurityError`` if a template tries to reach into Python objects.
    """
    if lang not in ("ko", "en"):
        raise ValueError(f"unsupported language {lang!r}: use 'ko' or 'en'")
    stage = playbook.stage(stage_id)
    context = {
        "area": _pick(area, DEFAULT_AREA, lang),
        "time": _format_time(time, lang),
        "shelter": _pick(shelter, DEFAULT_SHELTER, lang),
        "playbook": playbook.name_ko if lang == "ko" else playbook.name_en,
        "stage": stage.name_ko if lang == "ko" else stage.name_en,
    }
    return RenderedText(
        headline=_template(stage.headline.get(lang)).render(context).strip(),
        description=_template(stage.description.get(lang)).render(context).strip(),
        instruction=_template(stage.instruction.get(lang)).render(context).strip(),
    )
