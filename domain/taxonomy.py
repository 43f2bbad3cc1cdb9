"""The category taxonomy and keyword lexicons the city edits as data (``taxonomy.json``).

Pure: the parsed document is handed in (``channels.triage_config`` reads the file). Keyword
matching is the fast path: Korean keywords match at the start of a Hangul word or inside
it (버스가, 버스를, 버스정류장, 시내버스 all count as 버스), Latin keywords match whole
words or word pairs. ``keyword_tokens`` may instead be given the nouns and stems from a
morphological analyser (``channels.analysis``), which is slower and stricter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from domain.classifier import tokens
from domain.deadline_policy import REQUEST_CLASSES
from domain.errors import InvalidInputError

UNKNOWN = "unknown"
NOT_ACTIONABLE = "not_actionable"
INFO_TYPES = (
    "Affected individuals",
    "Infrastructure and utilities",
    "Caution and advice",
    "Donations and volunteering",
    "Sympathy and support",
    "Other Useful Information",
    "Not related",
)
_HANGUL = re.compile(r"[가-힣]")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class TaxonomyError(InvalidInputError, ValueError):
    """The taxonomy document is malformed; the message says where."""


@dataclass(frozen=True)
class Category:
    code: str
    name_ko: str
    name_en: str
    parent: str | None
    keywords: tuple[str, ...]


class Lexicon:
    """Keywords → labels, matched against a text's words (see the module docstring).

    The keywords are compiled into trie-shaped regular expressions, so a text is scanned
    in C: Korean keywords match anywhere in a Hangul word (longest first), Latin ones
    only as whole words. ``exclude`` words (버스킹) match and count for nothing."""

    def __init__(self, keywords: Mapping[str, Iterable[str]], exclude: Iterable[str] = ()) -> None:
        self._labels: dict[str, frozenset[str]] = {}
        table: dict[str, set[str]] = {}
        for label, words in keywords.items():
            for raw in words:
                word = " ".join(tokens(raw))
                if not word:
                    raise TaxonomyError(f"{label}: keyword {raw!r} has no letters")
                table.setdefault(_key(word), set()).add(label)
        for raw in exclude:
            table.setdefault(_key(" ".join(tokens(raw))), set())
        self._labels = {k: frozenset(v) for k, v in table.items() if k}
        latin = [k for k in self._labels if not _HANGUL.search(k)]
        korean = [k for k in self._labels if _HANGUL.search(k)]
        # Two scans are ~4x faster than one alternation: the Korean trie starts with a literal
        # character class that the regex engine can skip ahead with.
        self._latin = re.compile(f"\\b(?:{guarded_trie(latin)})\\b" if latin else "(?!)")
        self._korean = re.compile(trie_pattern(korean) if korean else "(?!)")

    def hits(self, words: Sequence[str]) -> dict[str, list[str]]:
        """label → the keywords found in ``words`` (lower-cased tokens of one text)."""
        return self.labelled(self.found(" ".join(words)))

    def found(self, text: str) -> tuple[str, ...]:
        """The keywords in ``text`` (a text's words joined by spaces), Latin ones first, each
        in order of appearance. Korean keywords hold a Hangul syllable, so an ASCII text
        needs no Korean scan."""
        latin = self._latin.findall(text)
        if text.isascii():
            return tuple(latin)
        return (*latin, *self._korean.findall(text))

    def labelled(self, found_words: Iterable[str]) -> dict[str, list[str]]:
        """label → the keywords of :meth:`found` that count for it."""
        found: dict[str, list[str]] = {}
        labels = self._labels
        for word in found_words:
            for label in labels[word]:
                found.setdefault(label, []).append(word)
        return found


def _key(word: str) -> str:
    return word.replace(" ", "") if _HANGUL.search(word) else word


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, longest first, shaped as a trie."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(root)


def guarded_trie(words: Iterable[str]) -> str:
    """:func:`trie_pattern` behind a look-ahead for the words' first characters: the same
    matches, but a position whose character starts no word fails at once instead of
    trying every branch (worth it where the pattern is tried at many positions)."""
    listed = [w for w in words if w]
    if not listed:
        return trie_pattern(listed)
    firsts = "".join(re.escape(ch) for ch in sorted({w[0] for w in listed}))
    return f"(?=[{firsts}]){trie_pattern(listed)}"


def _emit(node: dict[str, Any]) -> str:
    branches = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if "" in node:
        group = f"(?:{group})?"
    return group


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: tuple[Category, ...]
    lexicon: Lexicon  # one scan: labels "c:<category>", "r:<request class>", "i:<info type>"
    class_order: tuple[str, ...]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Taxonomy:
        version = _text(raw, "version")
        categories = tuple(_category(c) for c in _list(raw, "categories"))
        codes = [c.code for c in categories]
        if len(set(codes)) != len(codes):
            raise TaxonomyError("taxonomy: category codes must be unique")
        if NOT_ACTIONABLE not in codes:
            raise TaxonomyError(f"taxonomy: a {NOT_ACTIONABLE!r} category is required")
        for c in categories:
            if c.parent is not None and c.parent not in codes:
                raise TaxonomyError(f"category {c.code}: unknown parent {c.parent!r}")
        classes = _mapping(raw, "request_class_keywords")
        order = tuple(str(x) for x in _list(raw, "request_class_order"))
        for name in (*classes, *order):
            if name not in REQUEST_CLASSES:
                raise TaxonomyError(f"unknown request class {name!r}; known: {REQUEST_CLASSES}")
        infos = _mapping(raw, "info_type_keywords")
        for name in infos:
            if name not in INFO_TYPES:
                raise TaxonomyError(f"unknown information type {name!r}; known: {INFO_TYPES}")
        return cls(
            version=version,
            categories=categories,
            lexicon=Lexicon(
                {
                    **{f"c:{c.code}": c.keywords for c in categories},
                    **{f"r:{name}": words for name, words in classes.items()},
                    **{f"i:{name}": words for name, words in infos.items()},
                },
                [str(w) for w in raw.get("not_keywords", ())],
            ),
            class_order=order,
        )

    def hits(self, words: Sequence[str]) -> dict[str, dict[str, list[str]]]:
        """{"c"|"r"|"i": {label: keywords found}} for one text's words."""
        return self.grouped(self.lexicon.found(" ".join(words)))

    def grouped(self, found_words: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        """{"c"|"r"|"i": {label: keywords}} for the keywords :meth:`Lexicon.found` in a text."""
        out: dict[str, dict[str, list[str]]] = {"c": {}, "r": {}, "i": {}}
        for label, found in self.lexicon.labelled(found_words).items():
            out[label[0]][label[2:]] = found
        return out

    @cached_property
    def _by_code(self) -> dict[str, Category]:
        return {c.code: c for c in self.categories}

    def category(self, code: str) -> Category | None:
        return self._by_code.get(code)

    def codes(self) -> list[str]:
        return [c.code for c in self.categories]


def _category(raw: Any) -> Category:
    if not isinstance(raw, Mapping):
        raise TaxonomyError("taxonomy: every category must be an object")
    code = _text(raw, "code")
    if not _CODE.match(code):
        raise TaxonomyError(f"category code {code!r}: lower-case letters, digits and _")
    words = [str(w) for w in (*raw.get("keywords_ko", ()), *raw.get("keywords_en", ()))]
    parent = raw.get("parent")
    return Category(
        code, _text(raw, "name_ko"), _text(raw, "name_en"), str(parent) if parent else None,
        tuple(words),
    )  # fmt: skip


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"taxonomy: {key!r} must be a non-empty string")
    return value


def _list(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    if not isinstance(value, list):
        raise TaxonomyError(f"taxonomy: {key!r} must be a list")
    return value


def _mapping(raw: Mapping[str, Any], key: str) -> dict[str, list[str]]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise TaxonomyError(f"taxonomy: {key!r} must be an object of keyword lists")
    return {str(k): [str(w) for w in v] for k, v in value.items()}
