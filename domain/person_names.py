"""Name keys for missing-person search: Hangul and the many romanisations of Korean names.

A name is turned into *skeletons*: Hangul syllables are romanised (Revised Romanisation, no
sound-change rules), then every spelling is folded so that common variants meet: voiced and
voiceless consonants merge (g/k, d/t, b/p, j/ch), vowel spellings merge (eo/u, oo/u, ee/i,
ae/e, oi/oe), an initial r/l/n before i/y drops (이/Lee/Rhee/Yi; 류/Ryu/Yoo), and a silent
h or r (Ahn, Oh, Park) drops. So 김민준, "Kim Min-jun", "Gim Minjoon" and "Minjun Kim" all
match, and so do 이서연, "Lee Seo-yeon", "Yi Suh-yeon" and "Rhee Seoyeon".
"""

from __future__ import annotations

import re
import unicodedata

INITIALS = (
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "-",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
MEDIALS = (
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
)
FINALS = (
    "",
    *[
        "k",
        "k",
        "k",
        "n",
        "n",
        "n",
        "t",
        "l",
        "k",
        "m",
        "l",
        "l",
        "l",
        "p",
        "l",
        "m",
        "p",
        "p",
        "t",
        "t",
        "ng",
        "t",
        "t",
        "k",
        "t",
        "p",
        "t",
    ],
)
SYLLABLE_BASE, SYLLABLE_LAST = 0xAC00, 0xD7A3

FOLDS = (
    ("sh", "s"),
    ("ch", "c"),
    ("j", "c"),
    ("tt", "t"),
    ("kk", "k"),
    ("pp", "p"),
    ("ss", "s"),
    ("g", "k"),
    ("d", "t"),
    ("b", "p"),
    ("f", "p"),
    ("r", "l"),
    ("wo", "o"),
    ("eo", "u"),
    ("oo", "u"),
    ("eu", "u"),
    ("ee", "i"),
    ("yi", "i"),
    ("ai", "e"),
    ("ae", "e"),
    ("oi", "oe"),
)
VOWELS = "aeiouwy"


def romanise(text: str) -> str:
    """Hangul syllables to Revised Romanisation letters; other characters pass through."""
    out = []
    for ch in text:
        code = ord(ch)
        if SYLLABLE_BASE <= code <= SYLLABLE_LAST:
            index = code - SYLLABLE_BASE
            initial, rest = divmod(index, 21 * 28)
            medial, final = divmod(rest, 28)
            lead = INITIALS[initial].replace("-", "")
            out.append(lead + MEDIALS[medial] + FINALS[final])
        else:
            out.append(ch)
    return "".join(out)


def _drop_silent(word: str, *, first: bool) -> str:
    # h after a vowel and before a consonant or the end (Ahn, Oh, Suh); r the same (Park)
    word = re.sub(r"(?<=[aeiou])h(?=[^aeiouwy]|$)", "", word)
    word = re.sub(r"(?<=[aeiou])l(?=[^aeiouwy]|$)", "", word) if len(word) > 3 else word
    return re.sub(r"^[ln](?=[iy])", "", word) if first else word  # 이/Lee, 류/Ryu, 임/Lim


def _fold(part: str) -> str:
    text = "".join(ch for ch in part if "a" <= ch <= "z")
    if text.startswith("rh"):
        text = "r" + text[2:]
    for old, new in FOLDS:
        text = text.replace(old, new)
    return text


def skeleton(word: str) -> str:
    """One word folded so that its romanisation variants meet (hyphens mark syllables)."""
    text = romanise(unicodedata.normalize("NFC", word).lower())
    parts = [_fold(p) for p in text.split("-")]
    return "".join(_drop_silent(p, first=i == 0) for i, p in enumerate(parts) if p)


def _hangul_split(token: str) -> list[str]:
    """A Korean full name written as one word: surname (one syllable) and given name."""
    syllables = [c for c in token if SYLLABLE_BASE <= ord(c) <= SYLLABLE_LAST]
    if len(syllables) == len(token) and 2 <= len(token) <= 4:
        return [token[0], token[1:]]
    return [token]


def tokens(name: str) -> list[str]:
    parts = re.split(r"[\s,.·/]+", unicodedata.normalize("NFC", name).strip())
    out: list[str] = []
    for part in parts:
        if part:
            out.extend(_hangul_split(part))
    return out


def name_keys(names: list[str]) -> str:
    """The search text stored with a record: one skeleton per token and per whole name."""
    keys: list[str] = []
    for name in names:
        parts = [skeleton(t) for t in tokens(name)]
        keys.extend(p for p in parts if p)
        keys.append("".join(parts))
        keys.append("".join(reversed(parts)))
    unique = dict.fromkeys(k for k in keys if k)
    return " " + " ".join(unique) + " "


def query_keys(query: str) -> list[str]:
    """Skeletons of the query's tokens; a record matches when it contains every one."""
    parts = [skeleton(t) for t in tokens(query)]
    return [p for p in parts if p]
