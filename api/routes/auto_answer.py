"""Auto-answer over HTTP: the knowledge base, what it would answer, the answers it drafted or
sent, and which units let answers go out unreviewed. Retract and correct are case commands
(``POST /api/cases/{id}/retract`` and ``/correct``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from api.deps import ContainerDep, PrincipalDep, allow
from api.routes.cases import WORKERS
from api.routes.system import AfterQuery, wait_for
from api.schemas import Strict, Written
from domain.context import Cause
from domain.directory import Role
from domain.knowledge_base import Entry, KnowledgeBase
from domain.ledger_service import check_unit
from projections.auto_answer import AutoAnswerProjection

router = APIRouter(prefix="/api/auto-answer", tags=["auto-answer"])
READERS = (*WORKERS, Role.AUDITOR, Role.DESK)
VIEW = ["auto_answer"]


class PolicyBody(Strict):
    send: bool


def _kb(container: ContainerDep) -> KnowledgeBase:
    if container.knowledge_base is None:
        raise HTTPException(404, "auto-answer is turned off (SMC_AUTO_ANSWER=false)")
    return container.knowledge_base


def entry_dict(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "version": entry.version,
        "category": entry.category,
        "keywords": list(entry.keywords.words),
        "details": list(entry.details.words),
        "answer": dict(entry.answer),
    }


@router.get("/knowledge-base", dependencies=[allow(*READERS)])
def knowledge_base(container: ContainerDep) -> dict[str, Any]:
    kb = _kb(container)
    return {
        "version": kb.version,
        "threshold": container.settings.auto_answer_threshold,
        "entries": [entry_dict(e) for e in kb.entries],
    }


@router.get("/match", dependencies=[allow(*READERS)])
def match(
    container: ContainerDep, text: Annotated[str, Query(min_length=1, max_length=2000)]
) -> dict[str, Any]:
    """What the knowledge base would answer to ``text`` (for officials editing it)."""
    found = _kb(container).match(text)
    if found is None:
        return {"match": None}
    return {
        "match": {
            "entry_id": found.entry.id,
            "entry_version": found.entry.version,
            "confidence": found.confidence,
            "lang": found.lang,
            "reason": found.reason,
            "drafts": found.confidence >= container.settings.auto_answer_threshold,
            "text": found.render(reference="…"),
        }
    }


@router.get("/answers", dependencies=[allow(*READERS)])
def answers(
    container: ContainerDep,
    after: AfterQuery = None,
    status: Annotated[str | None, Query(pattern="^(drafted|sent|retracted|corrected)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(AutoAnswerProjection).answers(status, limit)


@router.get("/policies", dependencies=[allow(*READERS)])
def policies(container: ContainerDep, after: AfterQuery = None) -> list[dict[str, Any]]:
    wait_for(container, after, VIEW)
    return container.views.get(AutoAnswerProjection).policies()


@router.put(
    "/policies/{unit}",
    response_model=Written,
    dependencies=[allow(Role.DEPARTMENT_LEAD, Role.ADMIN)],
)
def set_policy(unit: str, body: PolicyBody, container: ContainerDep, who: PrincipalDep) -> Written:
    """Let a unit's matching answers go out without review (``send: true``), or not."""
    if container.auto_answer is None:
        raise HTTPException(404, "auto-answer is not wired in this process")
    result = container.auto_answer.set(Cause(who.actor), check_unit(unit), body.send)
    return Written(id=str(result.id), position=result.position)
