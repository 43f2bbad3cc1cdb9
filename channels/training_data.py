"""Labelled tables for training and evaluating triage models: CSV in, texts and labels out,
with a deterministic train/test split that keeps copies of one text on the same side."""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Rows = Literal["all", "train", "test"]
_RT = re.compile(r"^rt @\w+:")
_LINKS = re.compile(r"https?://\S+|@\w+")
_NON_WORD = re.compile(r"\W+")


@dataclass(frozen=True)
class Table:
    texts: list[str]
    labels: list[str]
    skipped: int


def split_key(text: str) -> str:
    """Lower case, no leading ``RT @user:``, no URLs or mentions, words only."""
    norm = _NON_WORD.sub(" ", _LINKS.sub(" ", _RT.sub("", text.lower().strip())))
    return " ".join(norm.split())


def in_test(key: str, percent: int) -> bool:
    digest = hashlib.sha256(f"smc-triage-split:{key}".encode()).hexdigest()
    return int(digest[:8], 16) % 100 < percent


def read_table(
    path: Path,
    text_columns: Sequence[str],
    label_column: str | None = None,
    *,
    label_map: Mapping[str, str] | None = None,
    rows: Rows = "all",
    test_percent: int = 20,
    key_column: str | None = None,
) -> Table:
    """Texts (the text columns joined by " . ") and labels; rows without a label skipped."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    texts: list[str] = []
    labels: list[str] = []
    skipped = 0
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in (*text_columns, label_column, key_column) if c]
        missing = [c for c in missing if c not in (reader.fieldnames or [])]
        if missing:
            have = ", ".join(reader.fieldnames or [])
            raise ValueError(f"{path}: no column(s) {', '.join(missing)} (have: {have})")
        for row in reader:
            text = " . ".join((row.get(c) or "").strip() for c in text_columns).strip(" .")
            if rows != "all":
                key = row[key_column] if key_column else split_key(text) or text
                if in_test(key, test_percent) != (rows == "test"):
                    continue
            label = ""
            if label_column:
                label = (row.get(label_column) or "").strip()
                label = (label_map or {}).get(label, label)
                if not label:
                    skipped += 1
                    continue
            texts.append(text)
            labels.append(label)
    return Table(texts, labels, skipped)


def parse_map(pairs: Sequence[str]) -> dict[str, str]:
    """``["Not labeled=Not related", ...]`` → a label mapping."""
    out: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip():
            raise ValueError(f"--map {pair!r}: use FROM=TO")
        out[source.strip()] = target.strip()
    return out
