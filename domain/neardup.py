"""Near-duplicate detection: the same text with other URLs, mentions, hashtag spacing, or a
copy-paste campaign, in Korean or English, becomes one case with many mentions.

Texts are normalised (NFKC, lower case, no URLs/mentions/``RT``, ``#`` dropped but the tag word
kept, punctuation and spaces removed), cut into character 4-grams, and compared by Jaccard
similarity. Candidates come from a MinHash index with single-row bands, so a lookup costs a
few dictionary probes instead of a scan.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter, OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from operator import itemgetter

import numpy as np

URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
MENTION = re.compile(r"@\w+")
RT = re.compile(r"^\s*rt\b[:\s]*", re.IGNORECASE)
NOISE = re.compile(r"[\W_]+", re.UNICODE)
SEEDS = (
    0x9E3779B1,
    0x85EBCA77,
    0xC2B2AE3D,
    0x27D4EB2F,
    0x165667B1,
    0xD3A2646C,
    0xFD7046C5,
    0xB55A4F09,
)
SHINGLE = 4
_SEED_COLUMN = np.array(SEEDS, dtype=np.uint32)[:, None]
_COUNT = itemgetter(1)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = URL.sub(" ", text)
    text = MENTION.sub(" ", text)
    text = RT.sub("", text)
    return NOISE.sub("", text.replace("#", " "))


def shingles(normal: str) -> frozenset[int]:
    if len(normal) <= SHINGLE:
        return frozenset({zlib.crc32(normal.encode())}) if normal else frozenset()
    return frozenset(
        zlib.crc32(normal[i : i + SHINGLE].encode()) for i in range(len(normal) - SHINGLE + 1)
    )


def signature(hashes: frozenset[int]) -> tuple[int, ...]:
    """Per seed, the least ``hash ^ seed`` (crc32 values and seeds are 32-bit, so one
    vectorised XOR and minimum give exactly the values of the plain Python loop)."""
    if not hashes:
        raise ValueError("min() arg is an empty sequence")
    row = np.fromiter(hashes, dtype=np.uint32, count=len(hashes))
    return tuple((row ^ _SEED_COLUMN).min(axis=1).tolist())


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


@dataclass(frozen=True)
class Match:
    case_id: str
    similarity: float


class Fingerprint:
    """A normalised text with its shingles and MinHash signature, computed when first needed
    (an exact match needs neither)."""

    def __init__(self, normal: str) -> None:
        self.normal = normal

    @cached_property
    def hashes(self) -> frozenset[int]:
        return shingles(self.normal)

    @cached_property
    def signature(self) -> tuple[int, ...]:
        return signature(self.hashes)


BUCKET = 32  # candidates kept per band value: the newest ones, so a lookup stays O(1)


class NearDuplicateIndex:
    """Remembers the most recent ``capacity`` postings' shingles and finds the case a new
    text belongs to (the first posting of its cluster). Identical normalised texts are found
    by one dictionary probe; similar ones through at most ``BUCKET`` candidates per band."""

    def __init__(self, threshold: float = 0.7, capacity: int = 50_000, min_chars: int = 12) -> None:
        if not 0.0 < threshold <= 1.0:
            msg = "similarity threshold must be in (0, 1]"
            raise ValueError(msg)
        self.threshold = threshold
        self.capacity = capacity
        self.min_chars = min_chars
        self._items: OrderedDict[str, tuple[frozenset[int], str, tuple[int, ...]]] = OrderedDict()
        self._bands: list[dict[int, deque[str]]] = [{} for _ in SEEDS]
        self._exact: dict[str, str] = {}
        self._journal: list[tuple[str, str | None]] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def fingerprint(self, text: str) -> Fingerprint | None:
        """What the index compares, computed once per text (None: too short to compare)."""
        normal = normalise(text)
        return Fingerprint(normal) if len(normal) >= self.min_chars else None

    def find(self, text: str) -> Match | None:
        fp = self.fingerprint(text)
        return self.match(fp) if fp is not None else None

    def match(self, fp: Fingerprint) -> Match | None:
        exact = self._exact.get(fp.normal)
        if exact is not None:
            return Match(exact, 1.0)
        best: Match | None = None
        mine = fp.hashes
        size = len(mine)
        for key in self._candidates(fp.signature):
            other, case_id, _sig = self._items[key]
            if min(size, len(other)) + 1e-9 < self.threshold * max(size, len(other)):
                continue  # the Jaccard similarity cannot reach the threshold
            score = jaccard(mine, other)
            if score >= self.threshold and (best is None or score > best.similarity):
                best = Match(case_id, round(score, 4))
        return best

    def add(self, posting_id: str, text: str, case_id: str | None) -> None:
        fp = self.fingerprint(text)
        if fp is not None:
            self.remember(posting_id, fp, case_id)

    def remember(self, posting_id: str, fp: Fingerprint, case_id: str | None) -> None:
        if posting_id in self._items:
            return
        self._items[posting_id] = (fp.hashes, case_id or posting_id, fp.signature)
        added = fp.normal not in self._exact
        if added:
            self._exact[fp.normal] = case_id or posting_id
        if self._journal is not None:
            self._journal.append((posting_id, fp.normal if added else None))
        for band, value in zip(self._bands, fp.signature, strict=True):
            band.setdefault(value, deque(maxlen=BUCKET)).append(posting_id)
        while len(self._items) > self.capacity:
            self._forget(*self._items.popitem(last=False))

    @contextmanager
    def tentative(self) -> Iterator[None]:
        """Postings remembered inside the block are forgotten again if it raises (a batch whose
        transaction failed must not leave its texts behind as cluster heads)."""
        self._journal = []
        try:
            yield
        except BaseException:
            for posting_id, normal in reversed(self._journal):
                item = self._items.pop(posting_id, None)
                if item is not None:
                    self._forget(posting_id, item)
                if normal is not None:
                    self._exact.pop(normal, None)
            raise
        finally:
            self._journal = None

    def _candidates(self, sig: tuple[int, ...]) -> list[str]:
        """Postings sharing at least two band values (for similarity >= 0.7 about six of the
        eight usually agree), the eight with the most agreement first."""
        hits = Counter(
            chain.from_iterable(
                band.get(value, ()) for band, value in zip(self._bands, sig, strict=True)
            )
        )
        # the same order as ``hits.most_common(8)`` (a stable sort by count), looking only
        # at keys seen at least twice: those are the ones that list keeps
        twice = [(k, n) for k, n in hits.items() if n >= 2]
        if len(twice) > 8:
            twice = sorted(twice, key=_COUNT, reverse=True)[:8]
        elif len(twice) > 1:
            twice.sort(key=_COUNT, reverse=True)
        return [k for k, _n in twice if k in self._items]

    def _forget(self, key: str, item: tuple[frozenset[int], str, tuple[int, ...]]) -> None:
        for band, value in zip(self._bands, item[2], strict=True):
            bucket = band.get(value)
            if bucket is not None and key in bucket:
                bucket.remove(key)
                if not bucket:
                    del band[value]
        if len(self._exact) > 2 * self.capacity:
            live = {case for _h, case, _s in self._items.values()}
            self._exact = {k: v for k, v in self._exact.items() if v in live}
