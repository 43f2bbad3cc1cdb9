"""Place names in Korean and English text → one of Seoul's 25 districts, or unknown and why.

Pure: the entries (``domain/data/gazetteer.json``) are handed in by the caller. Matching is
on a normalised copy of the text (NFKC, lower case, McCune–Reischauer breves and apostrophes
dropped, punctuation, URLs and @handles turned into spaces). A name must start a word (or
directly follow another name, as in 서울강남구역삼동); a Korean name may be followed by a
particle or a place noun (강남역에서, 홍대입구역 근처, 잠실야구장) but not by other syllables
(강동원 is not 강동). The longest name at a position wins. Names that span several gu or
mean something else as well are marked ``ambiguous`` and never decide alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.geo import District, Location

_URLS = re.compile(r"(?:https?://|www\.)\S+|@\w+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s\b")
_NON_WORD = re.compile(r"[\W_]+")
_DROP = str.maketrans({"ŏ": "o", "ŭ": "u", "'": None, "’": None, "‘": None, "ʼ": None, "`": None})
_DROPPED = re.compile("[ŏŭ'’‘ʼ`]")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Korean particles and place nouns that may follow a name inside the same word.
_SUFFIXES = _words(
    "에서 에선 에 엔 의 은 는 이 가 을 를 로 으로 와 과 랑 하고 도 만 까지 부터 서 쪽 근처 인근 "
    "부근 주변 일대 일원 방면 방향 앞 뒤 옆 건너 맞은편 사거리 오거리 삼거리 네거리 로터리 입구 "
    "출구 역 점 지점 시장 공원 광장 아파트 주민센터 동사무소 구청 우체국 터미널 병원 학교 "
    "초등학교 중학교 고등학교 야구장 운동장 골목 거리 길 내 안 인데 이에요 예요 입니다 임"
)
_KIND_CONFIDENCE = {"district": 0.9, "station": 0.85, "landmark": 0.85, "dong": 0.8, "area": 0.75}
_NEUTRAL_KINDS = frozenset({"city", "river", "noise"})


def normalize(text: str) -> str:
    """The matching form of a text or a name (see the module docstring)."""
    return normalize_lowered(unicodedata.normalize("NFKC", text).lower())


def normalize_lowered(text: str) -> str:
    """:func:`normalize` of a text that is already NFKC-normalised and lower-cased. Each
    step runs only when the text holds what it changes (same result, less work)."""
    if "://" in text or "www." in text or "@" in text:
        text = _URLS.sub(" ", text)
    if "'" in text or "’" in text:
        text = _POSSESSIVE.sub(" ", text)
    if _DROPPED.search(text) is not None:
        text = text.translate(_DROP)
    return _NON_WORD.sub(" ", text).strip()


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e"


@dataclass(frozen=True)
class GazetteerEntry:
    """One place: ``district_code`` decides; ``district_codes`` are an ambiguous name's options."""

    name: str
    kind: str
    district_code: str | None = None
    aliases: tuple[str, ...] = ()
    name_en: str = ""
    ambiguous: bool = False
    district_codes: tuple[str, ...] = ()
    note: str = ""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> GazetteerEntry:
        code = raw.get("district_code")
        return cls(
            name=str(raw["name"]),
            kind=str(raw["kind"]),
            district_code=str(code) if code else None,
            aliases=tuple(str(a) for a in raw.get("aliases", ())),
            name_en=str(raw.get("name_en", "")),
            ambiguous=bool(raw.get("ambiguous", False)),
            district_codes=tuple(str(c) for c in raw.get("district_codes", ())),
            note=str(raw.get("note", "")),
        )

    @property
    def decides(self) -> bool:
        return self.district_code is not None and not self.ambiguous

    def match_keys(self) -> set[str]:
        keys = {normalize(n) for n in (self.name, *self.aliases)} - {""}
        joined = {k.replace(" ", "") for k in keys if k.isascii()}
        return keys | joined


@dataclass
class _Found:
    decisive: dict[str, list[GazetteerEntry]] = field(default_factory=dict)
    ambiguous: list[GazetteerEntry] = field(default_factory=list)
    outside: list[GazetteerEntry] = field(default_factory=list)
    neutral: list[GazetteerEntry] = field(default_factory=list)


class Gazetteer:
    """Finds Seoul place names in free text and says which district they point to."""

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self._entries = list(entries)
        self._districts = {
            e.district_code: District(e.district_code, e.name, e.name_en)
            for e in self._entries
            if e.kind == "district" and e.decides and e.district_code
        }
        self._index: dict[str, GazetteerEntry] = {}
        for entry in self._entries:
            self._check(entry)
            for key in entry.match_keys():
                self._add_key(key, entry)
        lengths: dict[str, set[int]] = {}
        for key in self._index:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping[str, Any] | GazetteerEntry]) -> Gazetteer:
        return cls(
            e if isinstance(e, GazetteerEntry) else GazetteerEntry.from_dict(e) for e in entries
        )

    def _check(self, entry: GazetteerEntry) -> None:
        for code in filter(None, (entry.district_code, *entry.district_codes)):
            if code not in self._districts:
                raise ValueError(f"{entry.name}: unknown district code {code}")

    def _add_key(self, key: str, entry: GazetteerEntry) -> None:
        known = self._index.get(key)
        if known is not None and _resolution(known) != _resolution(entry):
            raise ValueError(f"name {key!r} means both {known.name} and {entry.name}")
        self._index.setdefault(key, entry)

    def districts(self) -> list[District]:
        return sorted(self._districts.values())

    def entries(self) -> list[GazetteerEntry]:
        return list(self._entries)

    def find(self, text: str) -> list[GazetteerEntry]:
        """The places named in ``text``, in order of appearance (longest match first)."""
        norm = normalize(text)
        found: list[GazetteerEntry] = []
        i, chain_end, n = 0, -1, len(norm)
        while i < n:
            if i == 0 or norm[i - 1] == " " or i == chain_end:
                hit = self._match_at(norm, i)
                if hit is not None:
                    found.append(hit[0])
                    i = chain_end = hit[1]
                    continue
            space = norm.find(" ", i)
            if space < 0:
                break
            i = space + 1
        return found

    def _match_at(self, norm: str, i: int) -> tuple[GazetteerEntry, int] | None:
        for length in self._lengths.get(norm[i], ()):
            entry = self._index.get(norm[i : i + length])
            if entry is not None and self._end_ok(norm, i + length):
                return entry, i + length
        return None

    def _end_ok(self, norm: str, end: int) -> bool:
        if end >= len(norm) or norm[end] == " ":
            return True
        last, nxt = norm[end - 1], norm[end]
        if not _is_hangul(last):
            return _is_hangul(nxt)  # "gangnam에서" yes, "gangnamstyle" no
        if not _is_hangul(nxt):
            return True  # 강남역2번출구
        return norm.startswith(_SUFFIXES, end) or self._starts_name(norm, end)

    def _starts_name(self, norm: str, i: int) -> bool:
        return any(norm[i : i + n] in self._index for n in self._lengths.get(norm[i], ()))

    def locate_text(self, text: str) -> Location:
        """The district the text's place names agree on; unknown with a reason otherwise."""
        if not text or not text.strip():
            return Location.unknown("empty text")
        found = self._classify(self.find(text))
        in_seoul = bool(found.decisive or found.ambiguous or found.neutral)
        if found.outside and (found.decisive or found.ambiguous):
            names = ", ".join(_names(found.outside))
            return Location.unknown(f"ambiguous: {names} is outside Seoul; {self._listing(found)}")
        if len(found.decisive) > 1:
            return Location.unknown(f"ambiguous: {self._listing(found)}", in_seoul=True)
        if len(found.decisive) == 1:
            return self._decided(found)
        if found.ambiguous:
            return Location.unknown(f"ambiguous: {self._listing(found)}", in_seoul=True)
        if found.outside:
            return Location.unknown(f"outside Seoul: {', '.join(_names(found.outside))}")
        if found.neutral and not all(e.kind == "noise" for e in found.neutral):
            names = ", ".join(_names(e for e in found.neutral if e.kind != "noise"))
            return Location.unknown(f"in Seoul but no district named ({names})", in_seoul=in_seoul)
        return Location.unknown("no known place name")

    @staticmethod
    def _classify(entries: Iterable[GazetteerEntry]) -> _Found:
        found = _Found()
        for e in dict.fromkeys(entries):
            if e.decides and e.district_code:
                found.decisive.setdefault(e.district_code, []).append(e)
            elif e.kind == "outside":
                found.outside.append(e)
            elif e.kind in _NEUTRAL_KINDS and not e.district_codes:
                found.neutral.append(e)
            else:
                found.ambiguous.append(e)
        return found

    def _decided(self, found: _Found) -> Location:
        code, entries = next(iter(found.decisive.items()))
        district = self._districts[code]
        clashing = [e for e in found.ambiguous if code not in e.district_codes]
        if clashing:
            return Location.unknown(f"ambiguous: {self._listing(found)}", in_seoul=True)
        best = max(_KIND_CONFIDENCE.get(e.kind, 0.7) for e in entries)
        agreeing = len(entries) + len(found.ambiguous)
        confidence = min(0.95, best + 0.05 * (agreeing - 1))
        names = ", ".join(f"{e.name} ({e.kind})" for e in (*entries, *found.ambiguous))
        return Location(
            district, "gazetteer", round(confidence, 2), f"{names} → {district.name_en}", True
        )

    def _listing(self, found: _Found) -> str:
        parts = [
            f"{', '.join(_names(es))} → {self._districts[code].name_en}"
            for code, es in found.decisive.items()
        ]
        for e in found.ambiguous:
            options = " or ".join(self._districts[c].name_en for c in e.district_codes)
            parts.append(
                f"{e.name} → {options or 'no single district'}" + (f" ({e.note})" if e.note else "")
            )
        return "; ".join(parts)


def _names(entries: Iterable[GazetteerEntry]) -> list[str]:
    return [e.name for e in entries]


def _resolution(entry: GazetteerEntry) -> tuple[str | None, tuple[str, ...], str]:
    """What a name resolves to; two entries may share a name only if this is equal."""
    decisive = entry.district_code if entry.decides else None
    kind = entry.kind if entry.kind in ("outside", "noise", "city", "river") else "place"
    return decisive, tuple(sorted(entry.district_codes)), kind if decisive is None else ""
