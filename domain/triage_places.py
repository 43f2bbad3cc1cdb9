"""Where a posting is, for triage: point → place box → place names, fast enough for batches.

Pure. ``PlaceFinder`` puts a cheap pre-filter and a cache in front of the gazetteer;
``locate_points`` runs point-in-polygon for a whole batch with vectorised shapely calls and
gives the same answers as ``DistrictLocator.explain_point``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np
import shapely

from domain.gazetteer import Gazetteer, GazetteerEntry, normalize, normalize_lowered
from domain.geo import DistrictLocator, Location
from domain.taxonomy import guarded_trie

_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_DIACRITICS = str.maketrans({"ŏ": "o", "ŭ": "u"})
_DIACRITICS_AND_HASH = str.maketrans({"ŏ": "o", "ŭ": "u", "#": " "})
_HAS_DIACRITIC = re.compile("[ŏŭ]")
_ONE_BY_ONE = 8  # up to this many points are located one by one


class PlaceFinder:
    """Gazetteer look-up made cheap. A place name starts a word, so only the words that can
    start a name (and the words after them that can continue one) are handed to the
    gazetteer, as one snippet; the snippet's answer is the text's answer (the gazetteer
    matches within words and across the words of multi-word names only), and it is cached,
    because people name the same stations and neighbourhoods again and again."""

    def __init__(self, entries: Iterable[GazetteerEntry], cache_size: int = 50_000) -> None:
        listed = list(entries)
        self.gazetteer = Gazetteer(listed)
        keys = set().union(*(e.match_keys() for e in listed)) if listed else set()
        latin = {k.split()[0] for k in keys if k[0] in _ASCII_WORD}
        other = {k[:2] for k in keys if k[0] not in _ASCII_WORD}
        self._start = re.compile(
            f"(?<![^ ])(?:(?:{guarded_trie(latin)})(?![a-z0-9])|{guarded_trie(other)})"
        )
        # Over a text's words a name may also follow a hashtag's "#": the same as reading
        # "#" as a space, unless a name's first two characters hold a space.
        self._hash_is_space = any(" " in k for k in other)
        self._start_in_words = re.compile(
            f"(?<![^ #])(?:(?:{guarded_trie(latin)})(?![a-z0-9])|{guarded_trie(other)})"
        )
        self._span = max((len(k.split()) for k in keys), default=1)
        inner = {w for k in keys for w in k.split()[1:]}
        self._inner = re.compile(guarded_trie(inner) if inner else "(?!)")
        self._cache: OrderedDict[str, Location] = OrderedDict()
        self._cache_size = cache_size

    def may_name_a_place(self, words: Sequence[str]) -> bool:
        """False when no word of a text (its lower-cased tokens) can start a place name."""
        return self.may_name_a_place_joined(" ".join(words))

    def may_name_a_place_joined(self, joined: str) -> bool:
        """:meth:`may_name_a_place` for the words already joined by spaces."""
        if self._hash_is_space:
            return self._start.search(joined.translate(_DIACRITICS_AND_HASH)) is not None
        if _HAS_DIACRITIC.search(joined) is not None:
            joined = joined.translate(_DIACRITICS)
        return self._start_in_words.search(joined) is not None

    def locate(self, text: str) -> Location:
        return self._located(normalize(text))

    def locate_lowered(self, low: str) -> Location:
        """:meth:`locate` of a text already NFKC-normalised and lower-cased
        (:func:`domain.classifier.lowered`), so the text is not normalised twice."""
        return self._located(normalize_lowered(low))

    def _located(self, norm: str) -> Location:
        snippet = self.snippet(norm)
        if not snippet:
            return Location.unknown("no known place name" if norm else "no text to find places in")
        found = self._cache.get(snippet)
        if found is None:
            found = self.gazetteer.locate_text(snippet)
            self._cache[snippet] = found
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return found

    def _run_end(self, norm: str, start: int) -> int:
        """Where a name starting at ``start`` can end at the latest: the following words are
        kept only while they can continue a multi-word name (so the snippet, and the cache
        key, do not carry the rest of the text)."""
        end = norm.find(" ", start)
        for _ in range(self._span - 1):
            if end < 0 or not self._inner.match(norm, end + 1):
                break
            end = norm.find(" ", end + 1)
        return len(norm) if end < 0 else end

    def snippet(self, norm: str) -> str:
        """The runs of words that may hold place names, kept apart by a neutral word."""
        runs: list[tuple[int, int]] = []
        for match in self._start.finditer(norm):
            start = match.start()
            end = self._run_end(norm, start)
            if runs and start <= runs[-1][1]:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
        return " xq ".join(norm[a:b] for a, b in runs)


def locate_points(
    locator: DistrictLocator, points: Sequence[tuple[float, float]]
) -> list[Location]:
    """``explain_point`` for many points at once (vectorised over each district)."""
    if len(points) <= _ONE_BY_ONE:  # numpy's per-call cost outweighs vectorising
        return [locator.explain_point(lon, lat) for lon, lat in points]
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    owner = np.full(len(points), -1)
    districts = locator.districts()
    with np.errstate(invalid="ignore"):
        for index, district in enumerate(districts):
            free = owner < 0
            if not free.any():
                break
            geom = locator.geometry(district.code)
            west, south, east, north = geom.bounds
            near = free & (xs >= west) & (xs <= east) & (ys >= south) & (ys <= north)
            inside = shapely.intersects_xy(geom, xs[near], ys[near])
            owner[np.flatnonzero(near)[inside]] = index
    out: list[Location] = []
    for (lon, lat), index in zip(points, owner, strict=True):
        if index < 0:
            out.append(locator.explain_point(lon, lat))
            continue
        district = districts[index]
        reason = f"point ({lon:.5f}, {lat:.5f}) lies in {district.name_en}"
        out.append(Location(district, "point", 1.0, reason, in_seoul=True))
    return out
