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
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zlib import crc32

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
_MINIMUM = np.minimum.reduce


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    if "://" in text or "www." in text:  # every URL match contains one of these
        text = URL.sub(" ", text)
    if "@" in text:
        text = MENTION.sub(" ", text)
    text = RT.sub("", text)
    return NOISE.sub("", text)  # ``#`` is a non-word character too: the tag word stays


def _crcs(normal: str) -> list[int]:
    """CRC32 of each character 4-gram (of the whole text when it is shorter), repeats kept."""
    if len(normal) <= SHINGLE:
        return [crc32(normal.encode())] if normal else []
    return [crc32(normal[i : i + SHINGLE].encode()) for i in range(len(normal) - SHINGLE + 1)]


def shingles(normal: str) -> frozenset[int]:
    return frozenset(_crcs(normal))


def signature(hashes: Collection[int]) -> tuple[int, ...]:
    """Per seed, the least ``hash ^ seed`` (crc32 values and seeds are 32-bit, so one
    vectorised XOR and minimum give exactly the values of the plain Python loop; repeated
    hashes do not change a minimum)."""
    if not hashes:
        raise ValueError("min() arg is an empty sequence")
    row = np.array(hashes if isinstance(hashes, list) else list(hashes), dtype=np.uint32)
    return tuple(_MINIMUM(row ^ _SEED_COLUMN, axis=1).tolist())


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

    __slots__ = ("_hashes", "_signature", "normal")

    def __init__(self, normal: str) -> None:
        self.normal = normal
        self._hashes: frozenset[int] | None = None
        self._signature: tuple[int, ...] = ()

    def shingled(self) -> tuple[frozenset[int], tuple[int, ...]]:
        """The shingles and the signature (both computed from one pass over the text)."""
        hashes = self._hashes
        if hashes is None:
            crcs = _crcs(self.normal)
            self._signature = signature(crcs)
            self._hashes = hashes = frozenset(crcs)
        return hashes, self._signature

    def __reduce__(self) -> tuple[Any, ...]:  # faster than the default for ``__slots__``
        return (_fingerprint, (self.normal, self._hashes, self._signature))

    @property
    def hashes(self) -> frozenset[int]:
        return self.shingled()[0]

    @property
    def signature(self) -> tuple[int, ...]:
        return self.shingled()[1]


def _fingerprint(
    normal: str, hashes: frozenset[int] | None, signature: tuple[int, ...]
) -> Fingerprint:
    made = Fingerprint(normal)
    made._hashes, made._signature = hashes, signature
    return made


def fingerprint_of(text: str, min_chars: int) -> Fingerprint | None:
    """A text's fingerprint, or None when its normalised form is shorter than ``min_chars``."""
    normal = normalise(text)
    return Fingerprint(normal) if len(normal) >= min_chars else None


BUCKET = 32  # candidates kept per band value: the newest ones, so a lookup stays O(1)
Item = tuple[str, frozenset[int], str, tuple[int, ...]]  # posting id, shingles, case, signature


class NearDuplicateIndex:
    """Remembers the most recent ``capacity`` postings' shingles and finds the case a new
    text belongs to (the first posting of its cluster). Identical normalised texts are found
    by one dictionary probe; similar ones through at most ``BUCKET`` candidates per band.

    Each remembered posting gets a serial number (increasing); a band value's bucket is a plain
    list of its newest ``BUCKET`` serials, oldest first (the candidates, their counts and their
    order are those of per-band deques of posting ids counted with ``Counter.most_common``)."""

    def __init__(self, threshold: float = 0.7, capacity: int = 50_000, min_chars: int = 12) -> None:
        if not 0.0 < threshold <= 1.0:
            msg = "similarity threshold must be in (0, 1]"
            raise ValueError(msg)
        self.threshold = threshold
        self.capacity = capacity
        self.min_chars = min_chars
        self._items: OrderedDict[int, Item] = OrderedDict()  # by serial, oldest first
        self._serials: dict[str, int] = {}
        self._next = 0
        self._bands: list[dict[int, list[int]]] = [{} for _ in SEEDS]
        self._exact: dict[str, str] = {}
        self._journal: list[tuple[str, str | None]] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def fingerprint(self, text: str) -> Fingerprint | None:
        """What the index compares, computed once per text (None: too short to compare)."""
        return fingerprint_of(text, self.min_chars)

    def find(self, text: str) -> Match | None:
        fp = self.fingerprint(text)
        return self.match(fp) if fp is not None else None

    def match(self, fp: Fingerprint) -> Match | None:
        exact = self._exact.get(fp.normal)
        if exact is not None:
            return Match(exact, 1.0)
        mine, sig = fp.shingled()
        size = len(mine)
        threshold = self.threshold
        items = self._items
        best: Match | None = None
        for serial in self._candidates(sig):
            _id, other, case_id, _sig = items[serial]
            theirs = len(other)
            small, large = (size, theirs) if size < theirs else (theirs, size)
            if small + 1e-9 < threshold * large:
                continue  # the Jaccard similarity cannot reach the threshold
            common = len(mine & other)
            score = common / (size + theirs - common)
            if score >= threshold and (best is None or score > best.similarity):
                best = Match(case_id, round(score, 4))
        return best

    def add(self, posting_id: str, text: str, case_id: str | None) -> None:
        fp = self.fingerprint(text)
        if fp is not None:
            self.remember(posting_id, fp, case_id)

    def remember(self, posting_id: str, fp: Fingerprint, case_id: str | None) -> None:
        if posting_id in self._serials:
            return
        hashes, sig = fp.shingled()
        head = case_id or posting_id
        serial = self._next
        self._next = serial + 1
        self._serials[posting_id] = serial
        items = self._items
        items[serial] = (posting_id, hashes, head, sig)
        normal = fp.normal
        added = normal not in self._exact
        if added:
            self._exact[normal] = head
        if self._journal is not None:
            self._journal.append((posting_id, normal if added else None))
        for band, value in zip(self._bands, sig, strict=True):
            bucket = band.get(value)
            if bucket is None:
                band[value] = [serial]
            else:
                if len(bucket) >= BUCKET:
                    del bucket[0]
                bucket.append(serial)
        while len(items) > self.capacity:
            self._forget(*items.popitem(last=False))

    @contextmanager
    def tentative(self) -> Iterator[None]:
        """Postings remembered inside the block are forgotten again if it raises (a batch whose
        transaction failed must not leave its texts behind as cluster heads)."""
        self._journal = []
        try:
            yield
        except BaseException:
            for posting_id, normal in reversed(self._journal):
                serial = self._serials.get(posting_id)
                if serial is not None:
                    self._forget(serial, self._items.pop(serial))
                if normal is not None:
                    self._exact.pop(normal, None)
            raise
        finally:
            self._journal = None

    def _candidates(self, sig: tuple[int, ...]) -> list[int]:
        """Postings sharing at least two band values (for similarity >= 0.7 about six of the
        eight usually agree), the eight with the most agreement first."""
        ids: list[int] = []
        for band, value in zip(self._bands, sig, strict=True):
            bucket = band.get(value)
            if bucket is not None:
                ids += bucket
        hits = Counter(ids)
        if len(hits) == len(ids):
            return []  # no posting in two bands
        # the same order as ``hits.most_common(8)`` (a stable sort by count), looking only
        # at keys seen at least twice: those are the ones that list keeps
        twice = [k for k, n in hits.items() if n >= 2]
        if len(twice) > 1:
            twice.sort(key=hits.__getitem__, reverse=True)
        items = self._items
        return [k for k in twice[:8] if k in items]

    def _forget(self, serial: int, item: Item) -> None:
        del self._serials[item[0]]
        for band, value in zip(self._bands, item[3], strict=True):
            bucket = band.get(value)
            if bucket is None:
                continue
            if bucket[0] == serial:  # evicted: the oldest posting is first in its buckets
                del bucket[0]
            elif bucket[-1] == serial:  # rolled back: the newest is last
                bucket.pop()
            elif serial in bucket:
                bucket.remove(serial)
            else:
                continue
            if not bucket:
                del band[value]
        if len(self._exact) > 2 * self.capacity:
            live = {case for _p, _h, case, _s in self._items.values()}
            self._exact = {k: v for k, v in self._exact.items() if v in live}
