"""Response templates read model."""

from __future__ import annotations

from typing import Any

import domain.templates  # noqa: F401 - the events this projection reads
from projections.base import SmcProjection, handles
from projections.views import Row, ViewTx


class TemplatesProjection(SmcProjection):
    name = "templates"
    tables = ("tpl_templates",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS tpl_templates (key TEXT PRIMARY KEY, category TEXT NOT NULL,"
        " request_class TEXT NOT NULL, lang TEXT NOT NULL, title TEXT NOT NULL,"
        " text TEXT NOT NULL, editor TEXT NOT NULL, position BIGINT NOT NULL, id TEXT NOT NULL)",
    )

    @handles("ResponseTemplate.Created")
    def _created(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO tpl_templates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (key) DO NOTHING",
            [
                e.key,
                e.category,
                e.request_class,
                e.lang,
                e.title,
                e.text,
                e.actor,
                position,
                str(e.originator_id),
            ],
        )

    @handles("ResponseTemplate.Edited")
    def _edited(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "UPDATE tpl_templates SET title = ?, text = ?, editor = ?, position = ? WHERE id = ?",
            [e.title, e.text, e.actor, position, str(e.originator_id)],
        )

    def all(self, lang: str | None = None) -> list[Row]:
        if lang:
            return self.query("SELECT * FROM tpl_templates WHERE lang = ? ORDER BY key", [lang])
        return self.query("SELECT * FROM tpl_templates ORDER BY key")

    def get(self, key: str) -> Row | None:
        rows = self.query("SELECT * FROM tpl_templates WHERE key = ?", [key])
        return rows[0] if rows else None
