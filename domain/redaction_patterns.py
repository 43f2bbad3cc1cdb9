"""Detectors of personal data. They run on *normalised* text (see :mod:`domain.redaction`):
ASCII digits and punctuation, same length as the original, earlier markers blanked out.

Numbers are found as *chunks*: digit groups joined by up to three separator characters
(space, tab, ``-``, ``.``, ``(``, ``)``). Every run of whole groups inside a chunk is a
candidate and is checked against each kind's rules; ``score`` 2 marks the usual written form
(e.g. ``010-1234-5678``, one undivided run, or one digit at a time) and 1 an odd grouping.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    RRN = "rrn"
    ACCOUNT = "account"
    CARD = "card"
    PLATE = "plate"


#: On a tie (same score, same length) the earlier kind in this tuple wins.
PRIORITY = (Kind.RRN, Kind.CARD, Kind.EMAIL, Kind.PHONE, Kind.PLATE, Kind.ACCOUNT)


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: Kind
    start: int
    end: int
    score: int


_CHUNK = re.compile(r"\+?[0-9](?:[ \t.\-()]{0,3}[0-9])*")
_GROUP = re.compile(r"[0-9]+")
_MIN_DIGITS, _MAX_DIGITS = 8, 19

# Korean numbering plan: prefix -> allowed total lengths. 080 (toll-free), 060 and 15xx/16xx/18xx
# are business numbers and deliberately absent.
_AREA = "031 032 033 041 042 043 044 051 052 053 054 055 061 062 063 064"
_PREFIXES: dict[str, tuple[int, ...]] = {
    "02": (9, 10),
    "010": (11,),
    "070": (11,),
    **dict.fromkeys(("011", "016", "017", "018", "019", *_AREA.split()), (10, 11)),
    **{f"050{d}": (11, 12) for d in "2345678"},
}

_BANK_WORDS = re.compile(
    r"은행|계좌|국민|신한|우리|하나|농협|카카오|토스|기업|새마을|우체국|신협|수협|케이뱅크|"
    r"씨티|제일|입금|송금|이체|예금주|(?i:account|bank|acct)"
)
_VEHICLE_WORDS = re.compile(
    r"차량|번호판|차번호|자동차|승용차|택시|트럭|화물차|주차|오토바이|(?i:plate|car|vehicle)"
)
# "no." and other English abbreviations do not end a sentence; Korean "…다." does.
_TERMINATOR = re.compile(r"[\n\r!?。？！]|(?<![A-Za-z])\.(?=\s|$)")


class Context:
    """Sentence-level context of a span: is a bank or vehicle word in the same sentence?"""

    def __init__(self, norm: str) -> None:
        self._norm = norm
        self._stops: list[int] | None = None

    def _sentence(self, start: int, end: int) -> tuple[int, int]:
        if self._stops is None:
            self._stops = [m.start() for m in _TERMINATOR.finditer(self._norm)]
        stops = self._stops
        i = bisect.bisect_left(stops, start)
        j = bisect.bisect_left(stops, end)
        return (stops[i - 1] + 1 if i else 0), (stops[j] if j < len(stops) else len(self._norm))

    def has(self, words: re.Pattern[str], start: int, end: int) -> bool:
        lo, hi = self._sentence(start, end)
        return words.search(self._norm, lo, hi) is not None


# ---------------------------------------------------------------- numbers


def korean_phone(d: str) -> int:
    """Length of the area/mobile prefix when ``d`` is a Korean phone number, else 0."""
    for n in (4, 3, 2):
        lengths = _PREFIXES.get(d[:n])
        if lengths is not None:
            return n if len(d) in lengths and d[n] != "0" else 0
    return 0


def _intl_phone(d: str) -> bool:
    if d.startswith("82"):
        national = d[2:] if d[2:3] == "0" else "0" + d[2:]
        return korean_phone(national) > 0
    if d.startswith("1"):
        return len(d) == 11 and d[1] in "23456789" and d[4] in "23456789"
    return 8 <= len(d) <= 15 and d[0] != "0"


def _spelled_or_whole(parts: list[str]) -> bool:
    return len(parts) == 1 or all(len(p) == 1 for p in parts)


def _phone_score(d: str, parts: list[str]) -> int:
    lens = [len(p) for p in parts]
    if len(d) == 10 and lens == [3, 3, 4] and d[0] in "23456789" and d[3] in "23456789":
        return 2  # North American 212-555-0100
    if len(d) == 11 and lens == [1, 3, 3, 4] and _intl_phone(d):
        return 2  # 1-212-555-0100
    prefix = korean_phone(d)
    if not prefix or (len(lens) >= 4 and max(lens) == 2):  # not lottery numbers 03 15 22 31 40
        return 0
    if _spelled_or_whole(parts):
        return 2
    if len(lens) == 3 and lens[0] == prefix and lens[1] in (3, 4) and lens[2] == 4:
        return 2
    if len(lens) == 2 and (lens[0] == prefix or lens[1] == 4):
        return 2
    return 1


def _rrn_score(d: str, parts: list[str]) -> int:
    if len(d) != 13 or not valid_birth_date(d[:6]) or d[6] not in "12345678":
        return 0
    natural = _spelled_or_whole(parts) or [len(p) for p in parts] == [6, 7]
    return 2 if natural else 1


def valid_birth_date(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31


def luhn(d: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _date_like(parts: list[str]) -> bool:
    """2026-07-14…: a year followed by a month-sized group."""
    if len(parts) < 2 or len(parts[0]) != 4 or parts[0][:2] not in ("19", "20"):
        return False
    return len(parts[1]) <= 2 and 1 <= int(parts[1]) <= 12


def _card_score(d: str, parts: list[str]) -> int:
    if not 13 <= len(d) <= 19 or d[0] not in "234569" or _date_like(parts) or not luhn(d):
        return 0
    lens = [len(p) for p in parts]
    grouped = all(n == 4 for n in lens[:-1]) and 1 <= lens[-1] <= 4
    natural = _spelled_or_whole(parts) or grouped or lens in ([4, 6, 5], [4, 6, 4])
    return 2 if natural else 1


def _account_score(d: str, parts: list[str]) -> int:
    if not 10 <= len(d) <= 14 or _date_like(parts):
        return 0
    natural = len(parts) == 1 or (len(parts) <= 5 and min(len(p) for p in parts) >= 2)
    return 2 if natural else 1


Scorer = Callable[[str, list[str]], int]
_DOMESTIC: tuple[tuple[Kind, Scorer], ...] = (
    (Kind.RRN, _rrn_score),
    (Kind.CARD, _card_score),
    (Kind.PHONE, _phone_score),
    (Kind.ACCOUNT, _account_score),
)


def number_candidates(norm: str, ctx: Context) -> Iterator[Candidate]:
    for chunk in _CHUNK.finditer(norm):
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(norm, chunk.start(), chunk.end())]
        if sum(e - s for s, e in groups) >= _MIN_DIGITS:
            plus = norm[chunk.start()] == "+"
            yield from _chunk_candidates(norm, groups, plus, ctx)


def _chunk_candidates(
    norm: str, groups: list[tuple[int, int]], plus: bool, ctx: Context
) -> Iterator[Candidate]:
    for i, (first, _) in enumerate(groups):
        parts: list[str] = []
        for last_start, end in groups[i:]:
            parts.append(norm[last_start:end])
            d = "".join(parts)
            if len(d) > _MAX_DIGITS:
                break
            if len(d) < _MIN_DIGITS:
                continue
            if plus and i == 0 and _intl_phone(d):
                yield Candidate(Kind.PHONE, first - 1, end, 2)
            for kind, scorer in _DOMESTIC:
                score = scorer(d, parts)
                if score and (kind is not Kind.ACCOUNT or ctx.has(_BANK_WORDS, first, end)):
                    yield _with_parenthesis(norm, Candidate(kind, first, end, score))


def _with_parenthesis(norm: str, c: Candidate) -> Candidate:
    """``(02) 123-4567``: take the opening parenthesis along with the number."""
    if c.start > 0 and norm[c.start - 1] == "(" and ")" in norm[c.start : c.end]:
        return Candidate(c.kind, c.start - 1, c.end, c.score)
    return c


_MASKED_RRN = re.compile(r"(?<![0-9])([0-9]{6})\s?-\s?[1-8][*xX●○•]{1,6}")


def masked_rrn_candidates(norm: str) -> Iterator[Candidate]:
    """``900101-1******``: birth date and sex are still personal data."""
    for m in _MASKED_RRN.finditer(norm):
        if valid_birth_date(m.group(1)):
            yield Candidate(Kind.RRN, m.start(), m.end(), 2)


# ---------------------------------------------------------------- e-mail

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+ ?@ ?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_TLDS = "com|net|org|kr|co|go|or|ne|re|ac|pe|io|me|edu|gov|info|biz|us|uk|jp|cn|de|fr|ca|au|app|dev"
_AT = r"(?:\s*[(\[{<]\s*(?:at|골뱅이|앳)\s*[)\]}>]\s*|\s+at\s+|\s*(?:골뱅이|앳|@)\s*)"
_DOT = r"(?:\s*[(\[{<]\s*(?:dot|점|닷)\s*[)\]}>]\s*|\s+dot\s+|\s*(?:점|닷)\s*|\.)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9._%+-]+){_AT}[A-Za-z0-9-]+"
    rf"(?:{_DOT}[A-Za-z0-9-]+)*?{_DOT}(?:{_TLDS})(?![A-Za-z0-9])"
)
_EMAIL_HINT = re.compile(r"(?i)@|\bat\b|골뱅이|앳")
#: English words that precede " at … dot com" in prose ("look at this dot com").
_PROSE = "look looking looked me us him her them it this that here there home"


def email_candidates(norm: str) -> Iterator[Candidate]:
    if _EMAIL_HINT.search(norm) is None:
        return
    for m in _EMAIL.finditer(norm):
        yield Candidate(Kind.EMAIL, m.start(), m.end(), 2)
    for m in _OBFUSCATED_EMAIL.finditer(norm):
        if m.group("local").lower() not in _PROSE.split():
            yield Candidate(Kind.EMAIL, m.start(), m.end(), 2)


# ---------------------------------------------------------------- vehicle plates

_PLATE_LETTERS = (
    "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주아바사자배하허호육해공국합"
)
_REGIONS = "서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
_PLATE = re.compile(
    rf"(?:(?P<region>{_REGIONS}) ?)?(?<![0-9])[0-9]{{2,3}}(?P<s1> ?)[{_PLATE_LETTERS}]"
    r"(?P<s2> ?)[0-9]{4}(?![0-9])"
)
_EN_PLATE = re.compile(
    r"(?i)\b(?:licen[cs]e\s+)?plate(?:\s+(?:no\.?|number|#))?\s*[:#]?\s*"
    r"(?=[A-Z0-9-]*[0-9])[A-Z0-9]{1,8}(?:-[A-Z0-9]{1,4}|\s(?=[A-Z]*[0-9])[A-Z0-9]{1,4})?\b"
)


def plate_candidates(norm: str, ctx: Context) -> Iterator[Candidate]:
    for m in _PLATE.finditer(norm):
        spaced = bool(m.group("s1") or m.group("s2"))
        if not spaced or m.group("region") or ctx.has(_VEHICLE_WORDS, m.start(), m.end()):
            yield Candidate(Kind.PLATE, m.start(), m.end(), 2)
    for m in _EN_PLATE.finditer(norm):
        yield Candidate(Kind.PLATE, m.start(), m.end(), 2)
