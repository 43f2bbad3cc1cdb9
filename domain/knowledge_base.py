"""The auto-answer knowledge base: frequent simple questions (night buses, office hours, how to
report X) with their answers in Korean and English, edited as data, and a pure matcher that
scores a posting's text against it. No I/O here: the caller reads the file and passes a dict.

Scoring (see docs/ledger.md): a posting must ask something (a question cue), name an entry's
topic (a keyword) and hold none of the words that mean danger (``never_answer``). Confidence
grows with the topic keywords and detail words found and shrinks when another entry is about
as likely.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInputError
from domain.templates import fill

LANGS = ("ko", "en")
PLACEHOLDERS = {"reference"}
_FIELD = re.compile(r"\{(\w+)\}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


class KnowledgeBaseError(InvalidInputError, ValueError):
    """The knowledge base document is malformed; the message names the entry and field."""


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass(frozen=True)
class Text:
    """A posting's text prepared once: Latin words between spaces, Korean without spaces."""

    words: str
    squashed: str

    @classmethod
    def of(cls, text: str) -> Text:
        norm = normalise(text)
        return cls(f" {_NON_WORD.sub(' ', norm).strip()} ", norm.replace(" ", ""))


_NON_WORD = re.compile(r"[^a-z0-9]+")  # Korean particles and punctuation split Latin words


@dataclass(frozen=True)
class Terms:
    """Words in both languages: Korean ones match ignoring spaces, Latin ones as whole words."""

    words: tuple[str, ...]
    latin: tuple[tuple[str, str], ...] = ()  # (word, " needle ") matched in Text.words
    other: tuple[tuple[str, str], ...] = ()  # (word, needle) matched in Text.squashed

    @classmethod
    def of(cls, raw: Mapping[str, list[str]]) -> Terms:
        words = tuple(sorted({normalise(w) for lang in LANGS for w in raw.get(lang, [])} - {""}))
        latin = tuple(
            (w, f" {_NON_WORD.sub(' ', w).strip()} ")
            for w in words
            if w.isascii() and any(c.isalnum() for c in w)
        )
        taken = {w for w, _ in latin}
        other = tuple((w, w.replace(" ", "")) for w in words if w not in taken)
        return cls(words, latin, other)

    def found(self, text: Text) -> list[str]:
        hits = [w for w, n in self.latin if n in text.words]
        hits += [w for w, n in self.other if n in text.squashed]
        if len(hits) < 2:
            return hits
        return [w for w in hits if not any(w != o and w.replace(" ", "") in o for o in hits)]


@dataclass(frozen=True)
class Entry:
    id: str
    version: int
    category: str
    keywords: Terms
    details: Terms
    requires: Terms | None
    exclude: Terms
    answer: Mapping[str, str]

    def render(self, lang: str, reference: str) -> str:
        return fill(self.answer[lang], reference=reference)


@dataclass(frozen=True)
class Match:
    entry: Entry
    confidence: float
    lang: str
    reason: str

    def render(self, reference: str) -> str:
        return self.entry.render(self.lang, reference)


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    entries: tuple[Entry, ...]
    question_cues: Terms
    never_answer: Terms

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], categories: Collection[str] = ()) -> KnowledgeBase:
        entries = raw.get("entries")
        if not isinstance(entries, list) or not entries:
            raise KnowledgeBaseError("knowledge base: 'entries' must be a non-empty list")
        parsed = tuple(_entry(e, i, categories) for i, e in enumerate(entries))
        ids = [e.id for e in parsed]
        dup = next((i for i in ids if ids.count(i) > 1), None)
        if dup is not None:
            raise KnowledgeBaseError(f"knowledge base entry {dup!r}: id is used twice")
        return cls(
            version=str(raw.get("version") or "unversioned"),
            entries=parsed,
            question_cues=Terms.of(_terms(raw, "question_cues", "knowledge base", True)),
            never_answer=Terms.of(_terms(raw, "never_answer", "knowledge base", True)),
        )

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def match(self, text: str) -> Match | None:
        """The best entry for ``text`` with its confidence, or None (not a question, a
        dangerous word, or no topic keyword)."""
        prepared = Text.of(text)
        if not self.question_cues.found(prepared) or self.never_answer.found(prepared):
            return None
        scored = sorted(
            (s for s in (_score(e, prepared) for e in self.entries) if s is not None),
            key=lambda s: -s[0],
        )
        if not scored:
            return None
        best, entry, reason = scored[0]
        if len(scored) > 1 and scored[1][0] >= best - 0.1:
            best -= 0.15
            reason += f"; close to {scored[1][1].id}"
        lang = "ko" if _HANGUL.search(text) else "en"
        return Match(entry, round(best, 4), lang, reason)


def _score(entry: Entry, text: Text) -> tuple[float, Entry, str] | None:
    topic = entry.keywords.found(text)
    if not topic or entry.exclude.found(text):
        return None
    if entry.requires is not None and not entry.requires.found(text):
        return None
    details = entry.details.found(text)
    confidence = min(0.95, 0.55 + 0.15 * min(len(topic), 2) + 0.1 * min(len(details), 2))
    return confidence, entry, f"topic: {', '.join(topic)}; details: {', '.join(details) or '-'}"


def eligible(request_class: str | None, decisions: Mapping[str, Any]) -> bool:
    """Only the simple (3-hour) class, never emergencies, incidents or casualty reports."""
    if request_class != "simple":
        return False
    info = (decisions.get("info_type") or {}).get("value")
    category = (decisions.get("category") or {}).get("value")
    return info != "Affected individuals" and category != "safety"


# -- validation ------------------------------------------------------------------------------
def _entry(raw: Any, index: int, categories: Collection[str]) -> Entry:
    where = f"knowledge base entry #{index + 1}"
    if not isinstance(raw, Mapping):
        raise KnowledgeBaseError(f"{where}: must be an object")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", entry_id):
        raise KnowledgeBaseError(f"{where}: field 'id' must be a short lower-case slug")
    where = f"knowledge base entry {entry_id!r}"
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise KnowledgeBaseError(f"{where}: field 'version' must be a whole number ≥ 1")
    category = raw.get("category")
    if not isinstance(category, str) or (categories and category not in categories):
        raise KnowledgeBaseError(f"{where}: field 'category' {category!r} is not a known category")
    return Entry(
        id=entry_id,
        version=version,
        category=category,
        keywords=Terms.of(_terms(raw, "keywords", where, True)),
        details=Terms.of(_terms(raw, "details", where, False)),
        requires=Terms.of(_terms(raw, "requires", where, True)) if "requires" in raw else None,
        exclude=Terms.of(_terms(raw, "exclude", where, False)),
        answer=_answer(raw.get("answer"), where),
    )


def _terms(raw: Mapping[str, Any], name: str, where: str, needed: bool) -> dict[str, list[str]]:
    value = raw.get(name, {})
    if not isinstance(value, Mapping):
        raise KnowledgeBaseError(f"{where}: field {name!r} must be {{'ko': [...], 'en': [...]}}")
    out: dict[str, list[str]] = {}
    for lang in LANGS:
        words = value.get(lang, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise KnowledgeBaseError(f"{where}: field '{name}.{lang}' must be a list of words")
        if needed and not words:
            raise KnowledgeBaseError(f"{where}: field '{name}.{lang}' needs at least one word")
        out[lang] = words
    return out


def _answer(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise KnowledgeBaseError(f"{where}: field 'answer' must be {{'ko': ..., 'en': ...}}")
    out: dict[str, str] = {}
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip() or len(text) > 2000:
            raise KnowledgeBaseError(f"{where}: field 'answer.{lang}' must be 1 to 2000 characters")
        unknown = set(_FIELD.findall(text)) - PLACEHOLDERS
        if unknown:
            raise KnowledgeBaseError(
                f"{where}: field 'answer.{lang}' has unknown placeholder {{{sorted(unknown)[0]}}};"
                " only {reference} is filled in"
            )
        out[lang] = text
    return out
