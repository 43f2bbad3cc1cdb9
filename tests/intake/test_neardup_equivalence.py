"""The near-duplicate index gives exactly what its plain first version gave: the same matches,
similarity values, cluster heads and candidate order, also across capacity eviction and a
rolled-back batch. ``Reference`` below is that version (per-band deques of posting ids, a
``Counter`` over them, Jaccard on the shingle sets), kept only to compare against."""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from collections import Counter, OrderedDict, deque
from contextlib import nullcontext
from itertools import chain

import pytest

from domain.neardup import BUCKET, SEEDS, Match, NearDuplicateIndex, normalise

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_RT = re.compile(r"^\s*rt\b[:\s]*", re.IGNORECASE)
_NOISE = re.compile(r"[\W_]+", re.UNICODE)
Entry = tuple[frozenset[int], str, tuple[int, ...]]


def reference_normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = _RT.sub("", _MENTION.sub(" ", _URL.sub(" ", text)))
    return _NOISE.sub("", text.replace("#", " "))


def reference_shingles(normal: str) -> frozenset[int]:
    if len(normal) <= 4:
        return frozenset({zlib.crc32(normal.encode())}) if normal else frozenset()
    return frozenset(zlib.crc32(normal[i : i + 4].encode()) for i in range(len(normal) - 3))


class Reference:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: OrderedDict[str, Entry] = OrderedDict()
        self.bands: list[dict[int, deque[str]]] = [{} for _ in SEEDS]
        self.exact: dict[str, str] = {}

    def match(self, normal: str) -> tuple[str, float] | None:
        if normal in self.exact:
            return self.exact[normal], 1.0
        mine = reference_shingles(normal)
        best: tuple[str, float] | None = None
        for key in self.candidates(normal):
            other, case_id, _sig = self.items[key]
            if min(len(mine), len(other)) + 1e-9 < 0.7 * max(len(mine), len(other)):
                continue
            common = len(mine & other)
            score = common / (len(mine) + len(other) - common)
            if score >= 0.7 and (best is None or score > best[1]):
                best = (case_id, round(score, 4))
        return best

    def candidates(self, normal: str) -> list[str]:
        sig = self.signature(normal)
        hits = Counter(
            chain.from_iterable(b.get(v, ()) for b, v in zip(self.bands, sig, strict=True))
        )
        top = [(k, n) for k, n in hits.most_common(8) if n >= 2]
        return [k for k, _n in top if k in self.items]

    @staticmethod
    def signature(normal: str) -> tuple[int, ...]:
        hashes = reference_shingles(normal)
        return tuple(min(h ^ seed for h in hashes) for seed in SEEDS)

    def remember(self, posting_id: str, normal: str, case_id: str | None) -> list[str]:
        """Adds a posting; returns the normal texts it added to the exact map (for undo)."""
        if posting_id in self.items:
            return []
        sig = self.signature(normal)
        self.items[posting_id] = (reference_shingles(normal), case_id or posting_id, sig)
        added = [normal] if normal not in self.exact else []
        self.exact.setdefault(normal, case_id or posting_id)
        for band, value in zip(self.bands, sig, strict=True):
            band.setdefault(value, deque(maxlen=BUCKET)).append(posting_id)
        while len(self.items) > self.capacity:
            self.forget(*self.items.popitem(last=False))
        return added

    def forget(self, key: str, item: Entry) -> None:
        for band, value in zip(self.bands, item[2], strict=True):
            bucket = band.get(value)
            if bucket is not None and key in bucket:
                bucket.remove(key)
                if not bucket:
                    del band[value]
        if len(self.exact) > 2 * self.capacity:
            live = {case for _h, case, _s in self.items.values()}
            self.exact = {k: v for k, v in self.exact.items() if v in live}


WORDS = ("잠수교", "보행로", "침수", "통행", "금지", "버스", "472번", "파업", "가로등", "고장")
ENGLISH = ("flood", "bridge", "closed", "bus", "strike", "West", "Texas", "help", "now")


def texts(n: int, seed: int) -> list[str]:
    """Short texts from a small vocabulary (many near-duplicates), with URLs, mentions,
    hashtags, ``RT`` prefixes, full-width forms and punctuation mixed in."""
    rng = random.Random(seed)
    bases = [rng.choices(WORDS if b % 3 else ENGLISH, k=rng.randrange(3, 9)) for b in range(60)]
    out = []
    for i in range(n):
        words = list(rng.choice(bases))
        if rng.random() < 0.3:
            del words[rng.randrange(len(words))]
        if rng.random() < 0.3:
            words.append(f"제보 {rng.randrange(50)}")
        if rng.random() < 0.2:
            words.insert(0, rng.choice(("RT @u:", "rt", "RT: ", "＠ｓｅｏｕｌ", "Rt@x")))
        if rng.random() < 0.2:
            words.append(rng.choice(("https://t.co/x", "www.seoul.go.kr", "HTTP://A.B/c")))
        if rng.random() < 0.3:
            words.append(rng.choice(("#서울시", "# 서울 시", "!!", "ㅠㅠ", "_x_", "…")))
        out.append(" ".join(words) if i % 50 else "짧다")
    return out


def pair(match: Match | None) -> tuple[str, float] | None:
    return (match.case_id, match.similarity) if match else None


def test_normalise_is_unchanged() -> None:
    for text in [*texts(3000, 5), "WWW.X.Y z", "a://b c", "ＲＴ ＠ａ： Ｈｉ", "Straße ſ K"]:
        assert normalise(text) == reference_normalise(text)


@pytest.mark.parametrize(("capacity", "seed"), [(300, 1), (50_000, 2)])
def test_matches_and_candidates_are_those_of_the_reference(capacity: int, seed: int) -> None:
    index, reference = NearDuplicateIndex(capacity=capacity), Reference(capacity)
    found = 0
    for i, text in enumerate(texts(3000, seed)):
        fp, normal = index.fingerprint(text), reference_normalise(text)
        if fp is None:
            assert len(normal) < 12
            continue
        ids = [index._items[s][0] for s in index._candidates(fp.signature)]
        assert ids == reference.candidates(normal)
        match, expected = index.match(fp), reference.match(normal)
        assert pair(match) == expected
        found += match is not None
        index.remember(f"p{i}", fp, match.case_id if match else None)
        reference.remember(f"p{i}", normal, expected[0] if expected else None)
        assert len(index) == len(reference.items)
    assert found > 500


def test_a_rolled_back_batch_leaves_the_same_index_as_the_reference() -> None:
    index, reference = NearDuplicateIndex(capacity=200), Reference(200)
    batch = texts(2000, 3)
    for start in range(0, len(batch), 100):
        fail = start % 300 == 100
        undo: list[tuple[str, list[str]]] = []
        with pytest.raises(RuntimeError) if fail else nullcontext(), index.tentative():
            for i in range(start, start + 100):
                fp, normal = index.fingerprint(batch[i]), reference_normalise(batch[i])
                if fp is None:
                    continue
                match, expected = index.match(fp), reference.match(normal)
                assert pair(match) == expected
                index.remember(f"p{i}", fp, match.case_id if match else None)
                head = expected[0] if expected else None
                undo.append((f"p{i}", reference.remember(f"p{i}", normal, head)))
            if fail:
                raise RuntimeError("the transaction failed")
        if fail:
            for posting_id, added in reversed(undo):
                item = reference.items.pop(posting_id, None)
                if item is not None:
                    reference.forget(posting_id, item)
                for normal in added:
                    reference.exact.pop(normal, None)
        assert len(index) == len(reference.items)
        assert [index._items[s][0] for s in index._items] == list(reference.items)
