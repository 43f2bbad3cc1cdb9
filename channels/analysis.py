"""Keyword analysis of postings, reusable for triage and (later) keyword trends.

Korean: kiwipiepy morphological analysis, keeping nouns (NNG, NNP), verb and adjective stems
(VV, VA, as ``stem다``), foreign words (SL) and hashtags, so 버스가 / 버스를 / 버스정류장 all
yield 버스. English and other Latin text: lower-cased word tokens without stop words. When
kiwipiepy is not installed, Korean falls back to the same word tokens (and triage's keyword
matcher, which looks inside Hangul words, still works).

One ``Kiwi`` holds 0.3-0.5 GB and analyses ~5,000 short sentences/s: it is created once per
process, on first use, and shared.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Sequence
from typing import Any

from domain.classifier import PLACEHOLDERS, tokens

_HANGUL = re.compile(r"[가-힣]")
_KEEP = {"NNG", "NNP", "SL", "SH"}
_STEMS = {"VV", "VA"}
_STOP = (
    "a an and are as at be but by for from has have i in is it its me my of on or our so that"
    " the their them they this to was we were what when where which who will with you your rt"
    " amp via just get got im it's dont can"
)
STOP_WORDS = frozenset(_STOP.split())
_kiwi: Any = None
_kiwi_lock = threading.Lock()


def _load_kiwi() -> Any:
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                _kiwi = Kiwi(num_workers=0)
        return _kiwi


def kiwi_available() -> bool:
    try:
        import kiwipiepy  # noqa: F401
    except ImportError:
        return False
    return True


class Analysis:
    """``keywords(texts)``: one keyword list per text (see the module docstring)."""

    def __init__(self, use_kiwi: bool = True) -> None:
        self.uses_kiwi = use_kiwi and kiwi_available()

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        return self.keywords(texts)

    def keywords(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.one(text) for text in texts]

    def one(self, text: str) -> list[str]:
        words = [w for w in tokens(text) if w not in PLACEHOLDERS and w not in STOP_WORDS]
        if not self.uses_kiwi or not _HANGUL.search(text):
            return words
        latin = [w for w in words if not _HANGUL.search(w)]
        return self._korean(text) + latin

    @staticmethod
    def _korean(text: str) -> list[str]:
        out: list[str] = []
        for token in _load_kiwi().tokenize(text[:2_000], compatible_jamo=True):
            tag = str(token.tag)
            if tag in _KEEP and _HANGUL.search(token.form):
                out.append(token.form.lower())
            elif tag in _STEMS:
                out.append(f"{token.form}다")
            elif tag == "W_HASHTAG":
                out.append(token.form.lstrip("#").lower())
        return out
