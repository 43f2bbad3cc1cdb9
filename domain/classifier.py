"""Fast text features and linear-model inference (pure compute; the weights are passed in).

Features (``FEATURES_VERSION``): lower-cased word tokens, word bigrams, and character bigrams
inside Hangul words (so 버스가 / 버스를 / 버스정류장 share ``버스``), looked up in the
model's vocabulary (features never seen in training carry no weight, so they are dropped) and
weighted ``1/sqrt(k)`` over the ``k`` distinct known features of a text (binary,
L2-normalised). A dictionary look-up is about 4x cheaper than hashing each feature string
(see docs/triage.md). URLs and @mentions become the tokens ``xxurl`` and ``xxmention``.
Training (``channels.models``) builds exactly the same rows with :func:`feature_rows`, so a model
trained there scores here with plain numpy, one text at a time or in batches.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FEATURES_VERSION = "words+bigrams+hangul2/vocab/v1"
MAX_CHARS = 2_000  # longer texts are cut here before features are taken (a 100 KB text is fine)

_URLS = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTIONS = re.compile(r"@\w+")
_TOKEN = re.compile(r"#?[^\W_]+", re.UNICODE)
_ASCII_TOKEN = re.compile(r"#?[a-z0-9]+")  # the same tokens in a lower-cased ASCII text
_HANGUL = re.compile(r"[가-힣]")

Floats = npt.NDArray[np.float32]


PLACEHOLDERS = frozenset({"xxurl", "xxmention"})
GramCache = dict[str, list[int | None]]
_GRAM_CACHE = 100_000  # Hangul words whose bigram columns a model remembers


def lowered(text: str) -> str:
    """The first :data:`MAX_CHARS` of ``text``, NFKC-normalised and lower-cased: computed once
    per posting and shared by :func:`tokens_of` and the gazetteer's normalisation."""
    return unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()


def tokens_of(low: str) -> list[str]:
    """The word tokens of an already :func:`lowered` text."""
    if "/" in low or "www." in low:
        low = _URLS.sub(" xxurl ", low)
    if "@" in low:
        low = _MENTIONS.sub(" xxmention ", low)
    return (_ASCII_TOKEN if low.isascii() else _TOKEN).findall(low)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` (NFKC; URLs and mentions as placeholders)."""
    return tokens_of(lowered(text))


def features(text: str | list[str]) -> list[str]:
    """The feature strings of one text (or of its :func:`tokens`)."""
    words = tokens(text) if isinstance(text, str) else text
    out = list(words)
    out.extend(f"{a} {b}" for a, b in itertools.pairwise(words))
    for word in words:
        if len(word) > 2 and _HANGUL.match(word):
            out.extend(f"~{word[i : i + 2]}" for i in range(len(word) - 1))
    return out


def columns(
    text: str | list[str], vocabulary: Mapping[str, int], grams: GramCache | None = None
) -> list[int]:
    """Distinct known feature columns of one text (unknown features carry no weight): the
    columns of :func:`features`, looked up without building the feature list. ``grams``
    remembers the columns of each Hangul word's character bigrams (words recur a lot)."""
    words = tokens(text) if isinstance(text, str) else text
    get = vocabulary.get
    found = set(map(get, words))
    found.update(map(get, map(" ".join, itertools.pairwise(words))))
    if not "".join(words).isascii():  # character bigrams inside Hangul words
        for word in words:
            if len(word) > 2 and "\uac00" <= word[0] <= "\ud7a3":
                known = grams.get(word) if grams is not None else None
                if known is None:
                    known = [get(f"~{word[i : i + 2]}") for i in range(len(word) - 1)]
                    if grams is not None:
                        if len(grams) >= _GRAM_CACHE:
                            grams.clear()
                        grams[word] = known
                found.update(known)
    found.discard(None)
    return sorted(found)  # type: ignore[arg-type]


def feature_rows(
    texts: Sequence[str] | Sequence[list[str]],
    vocabulary: Mapping[str, int],
    grams: GramCache | None = None,
) -> tuple[list[int], list[int], list[float]]:
    """CSR parts (indptr, indices, data) for ``texts``: what training and batches use."""
    indptr, indices, data = [0], [], []
    sqrt = math.sqrt
    for text in texts:
        cols = columns(text, vocabulary, grams)
        if cols:
            indices.extend(cols)
            data.extend([1.0 / sqrt(len(cols))] * len(cols))
        indptr.append(len(indices))
    return indptr, indices, data


def build_vocabulary(texts: Iterable[str], min_count: int = 1) -> dict[str, int]:
    """Every feature seen at least ``min_count`` times, numbered in first-seen order."""
    counts: dict[str, int] = {}
    for text in texts:
        for f in set(features(text)):
            counts[f] = counts.get(f, 0) + 1
    return {f: i for i, f in enumerate(f for f, n in counts.items() if n >= min_count)}


@dataclass(frozen=True)
class Prediction:
    label: str | None
    confidence: float
    reason: str


@dataclass(frozen=True)
class LinearModel:
    """A multinomial linear model over the features: ``softmax(x @ weights + bias)``.

    ``weights`` has shape (len(vocabulary), len(classes)); a binary model is stored with two
    columns (``-w/2``, ``+w/2``) so that the softmax equals the logistic function.
    """

    name: str
    version: str
    classes: tuple[str, ...]
    vocabulary: Mapping[str, int]
    weights: Floats
    bias: Floats
    _grams: GramCache = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n, c = self.weights.shape
        if n != len(self.vocabulary) or c != len(self.classes) or self.bias.shape != (c,):
            raise ValueError(f"model {self.name}: inconsistent shapes {self.weights.shape}")

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def predict(self, text: str | list[str]) -> Prediction:
        """Classify a text (or its :func:`tokens`)."""
        cols = columns(text, self.vocabulary, self._grams)
        if not cols:
            return Prediction(None, 0.0, "no words to classify")
        scores = self.weights[cols].sum(axis=0) / math.sqrt(len(cols)) + self.bias
        return self._pick(_softmax(scores))

    def predict_many(
        self, texts: Sequence[str] | Sequence[list[str]], chunk: int = 8_192
    ) -> list[Prediction]:
        """Classify many texts (or their token lists) with one matrix product per chunk."""
        out: list[Prediction] = []
        for start in range(0, len(texts), chunk):
            out.extend(self._predict_chunk(texts[start : start + chunk]))
        return out

    def _predict_chunk(self, texts: Sequence[str] | Sequence[list[str]]) -> list[Prediction]:
        labels, confidences = self.top_many(texts)
        reason = f"model {self.label}"
        return [
            Prediction(label, conf, reason) if label is not None else _NO_WORDS
            for label, conf in zip(labels, confidences, strict=True)
        ]

    def top_many(
        self, texts: Sequence[str] | Sequence[list[str]]
    ) -> tuple[list[str | None], list[float]]:
        """The best class and its probability (rounded to 4 places) for each text, with one
        matrix product for all of them; ``None``, 0.0 for a text without known features."""
        indptr, indices, data = feature_rows(texts, self.vocabulary, self._grams)
        has = [end > start for start, end in itertools.pairwise(indptr)]
        if not indices:
            return [None] * len(has), [0.0] * len(has)
        gathered = self.weights[np.asarray(indices, dtype=np.int64)]
        gathered *= np.asarray(data, dtype=np.float32)[:, None]
        # only the texts with features are scored (a row's softmax does not see the others)
        starts = [start for start, h in zip(indptr, has, strict=False) if h]
        probs = _softmax(np.add.reduceat(gathered, starts, axis=0) + self.bias)
        best = iter(probs.argmax(axis=1).tolist())
        top = iter(probs.max(axis=1).tolist())
        classes = self.classes
        labels = [classes[next(best)] if h else None for h in has]
        return labels, [round(next(top), 4) if h else 0.0 for h in has]

    def _pick(self, probs: Floats) -> Prediction:
        best = int(np.argmax(probs))
        confidence = round(float(probs[best]), 4)
        return Prediction(self.classes[best], confidence, f"model {self.label}")


_NO_WORDS = Prediction(None, 0.0, "no words to classify")


def _softmax(scores: Floats) -> Floats:
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    result: Floats = exp / exp.sum(axis=-1, keepdims=True)
    return result
