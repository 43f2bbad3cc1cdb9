"""Response templates: the city's manual of sample answers, per category and request class,
in Korean and English, with placeholders; edited by department leads."""

from __future__ import annotations

import re
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.base import SmcAggregate
from domain.context import Cause
from domain.errors import InvalidInputError, NotFoundError
from domain.store import Commands, Recorded

PLACEHOLDERS = {"department", "deadline", "reference"}
_FIELD = re.compile(r"\{(\w+)\}")


def check_text(text: str) -> str:
    unknown = set(_FIELD.findall(text)) - PLACEHOLDERS
    if unknown:
        known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
        raise InvalidInputError(f"unknown placeholder {sorted(unknown)[0]!r}; use {known}")
    if not text.strip() or len(text) > 4000:
        raise InvalidInputError("a template needs 1 to 4000 characters of text")
    return text


def fill(text: str, **values: str) -> str:
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


class ResponseTemplate(SmcAggregate):
    @staticmethod
    def create_id(key: str) -> UUID:
        return ids.natural_id("template", key)

    @event("Created")
    def __init__(
        self, key: str, category: str, request_class: str, lang: str, title: str, text: str
    ) -> None:
        self.key = key
        self.category = category
        self.request_class = request_class
        self.lang = lang
        self.title = title
        self.text = text

    def edit(self, title: str, text: str) -> None:
        if (title, text) != (self.title, self.text):
            self._edited(title=title, text=text)

    @event("Edited")
    def _edited(self, title: str, text: str) -> None:
        self.title = title
        self.text = text


class TemplateService:
    def __init__(self, commands: Commands) -> None:
        self.commands = commands

    def save(
        self,
        cause: Cause,
        *,
        key: str,
        category: str,
        request_class: str,
        lang: str,
        title: str,
        text: str,
    ) -> Recorded:
        text = check_text(text)
        if lang not in ("ko", "en") or not re.fullmatch(r"[a-z0-9_.-]{1,64}", key):
            raise InvalidInputError("key is 1-64 of a-z 0-9 . _ - and lang is ko or en")

        def command() -> Recorded:
            store = self.commands.store
            try:
                template = store.load(ResponseTemplate.create_id(key), ResponseTemplate, "template")
                template.edit(title, text)
            except NotFoundError:
                template = ResponseTemplate(key, category, request_class, lang, title, text)
            return Recorded(template.id, self.commands.save(template))

        return self.commands.run(cause, command)
