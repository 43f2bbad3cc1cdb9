"""Wires the auto-answerer: the knowledge base from its file, the threshold from settings."""

from __future__ import annotations

from api.settings import Settings, SettingsError
from channels.knowledge_base import load_knowledge_base
from domain.auto_answer import AutoAnswerer
from domain.knowledge_base import KnowledgeBase, KnowledgeBaseError
from domain.ledger_service import LedgerService


def knowledge_base(settings: Settings) -> KnowledgeBase | None:
    if not settings.auto_answer:
        return None
    try:
        return load_knowledge_base(settings.auto_answer_file)
    except KnowledgeBaseError as exc:
        raise SettingsError(f"SMC_AUTO_ANSWER_FILE: {exc.detail}") from None


def auto_answerer(
    settings: Settings, kb: KnowledgeBase | None, ledger: LedgerService
) -> AutoAnswerer | None:
    if kb is None:
        return None
    return AutoAnswerer(kb, settings.auto_answer_threshold, ledger.store, ledger.replies.deliveries)
