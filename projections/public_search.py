"""Full-text search of the public record, fast at a million postings on both backends.

Results are always "postings whose text or published reply contains the words, newest first"
(the plain ``LIKE '%words%'`` answer); the indexes only find them faster:

* SQLite: an FTS5 ``trigram`` table (``pub_search``) answers words of 3+ characters, and an
  FTS5 table of 2-character grams (``pub_grams``) finds candidates for 1–2-character words
  (most Korean words are two syllables), re-checked with ``LIKE``. Both use the posting's
  position as their rowid, so FTS5 walks them newest first and stops after one page.
* PostgreSQL: a GIN ``pg_trgm`` index for 3+ characters and a GIN ``tsvector`` index over the
  same grams for 1–2. A GIN index finds matches in no order, so the newest few thousand
  postings are tried first (a common word fills the page there); only a rarer word goes to
  the index, where there are few matches to sort.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from projections.views import ViewTx

WINDOW = 5000  # PostgreSQL: newest postings tried before the index (see the module docstring)
BODY = "(p.text || ' ' || coalesce(p.reply, ''))"
_WORD = re.compile(r"[^\W_]+")


def search_ddl(backend: str) -> tuple[str, ...]:
    if backend == "sqlite":
        return (
            "CREATE VIRTUAL TABLE IF NOT EXISTS pub_search USING fts5(body, tokenize = 'trigram')",
            "CREATE VIRTUAL TABLE IF NOT EXISTS pub_grams USING fts5(body,"
            " tokenize = 'unicode61 remove_diacritics 0')",
        )
    return (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS pub_postings_text_trgm ON pub_postings"
        " USING gin ((text || ' ' || coalesce(reply, '')) gin_trgm_ops)",
        "CREATE TABLE IF NOT EXISTS pub_grams (position BIGINT PRIMARY KEY, grams TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS pub_grams_tsv ON pub_grams"
        " USING gin (to_tsvector('simple', grams))",
    )


def grams(body: str) -> str:
    """Each word as its 2-character grams plus its last character: every 1–2-character word
    inside it is then a gram or the prefix of one (``"가로등이"`` -> ``"가로 로등 등이 이"``)."""
    out: list[str] = []
    for word in _WORD.findall(body.lower()):
        out.extend(word[i : i + 2] for i in range(len(word) - 1))
        out.append(word[-1])
    return " ".join(out)


def index_rows(tx: ViewTx, backend: str, rows: Sequence[tuple[int, str]]) -> None:
    """(Re)index postings given as (position, searchable body)."""
    if backend == "sqlite":
        keys = [(pos,) for pos, _ in rows]
        tx.executemany("DELETE FROM pub_search WHERE rowid = ?", keys)
        tx.executemany("DELETE FROM pub_grams WHERE rowid = ?", keys)
        tx.executemany("INSERT INTO pub_search (rowid, body) VALUES (?, ?)", rows)
        tx.executemany(
            "INSERT INTO pub_grams (rowid, body) VALUES (?, ?)",
            [(pos, grams(body)) for pos, body in rows],
        )
        return
    tx.executemany(
        "INSERT INTO pub_grams VALUES (?, ?) ON CONFLICT (position)"
        " DO UPDATE SET grams = excluded.grams",
        [(pos, grams(body)) for pos, body in rows],
    )


def short(q: str) -> bool:
    """A 1–2-character word the grams can find."""
    return len(q) <= 2 and bool(_WORD.fullmatch(q))


def _like(q: str) -> str:
    return f"%{q}%"


class Plan:
    """The SQL of one search: ``queries`` are tried in order; the first that fills the page
    (or the last) is the answer."""

    def __init__(self, cols: str, where: list[str], params: list[Any]) -> None:
        self.cols = cols
        self.where = where
        self.params = params

    def sql(self, source: str, extra: Sequence[str], order: str) -> str:
        where = " AND ".join([*self.where, *extra])
        return (
            f"SELECT {self.cols} FROM {source} WHERE {where}"  # noqa: S608
            f" ORDER BY {order} DESC LIMIT ? OFFSET ?"
        )

    def newest(self, q: str) -> tuple[str, list[Any]]:
        """The page from the newest ``WINDOW`` postings only: the answer when it is full."""
        window = (
            f"(SELECT * FROM pub_postings p WHERE {' AND '.join(self.where)}"  # noqa: S608
            f" ORDER BY p.position DESC LIMIT {WINDOW}) p"
        )
        sql = Plan(self.cols, [f"{BODY} LIKE ?"], []).sql(window, [], "p.position")
        return sql, [*self.params, _like(q)]

    def sqlite(self, q: str) -> list[tuple[str, list[Any]]]:
        if not q:
            return [(self.sql("pub_postings p", [], "p.position"), self.params)]
        if len(q) >= 3:
            match = '"' + q.replace('"', '""') + '"'
            source = "pub_search s CROSS JOIN pub_postings p ON p.position = s.rowid"
            return [(self.sql(source, ["s.body MATCH ?"], "s.rowid"), [*self.params, match])]
        if not short(q):
            return [(self.sql("pub_postings p", [f"{BODY} LIKE ?"], "p.position"),
                     [*self.params, _like(q)])]  # fmt: skip
        source = "pub_grams g CROSS JOIN pub_postings p ON p.position = g.rowid"
        extra = ["g.body MATCH ?", f"{BODY} LIKE ?"]
        if len(q) == 2:
            return [(self.sql(source, extra, "g.rowid"), [*self.params, f'"{q}"', _like(q)])]
        # One character: a prefix query merges every gram it starts, so a common one is
        # answered from the newest postings first.
        prefix = (self.sql(source, extra, "g.rowid"), [*self.params, f'"{q}" *', _like(q)])
        return [self.newest(q), prefix]

    def postgres(self, q: str) -> list[tuple[str, list[Any]]]:
        if not q:
            return [(self.sql("pub_postings p", [], "p.position"), self.params)]
        extra = [f"{BODY} LIKE ?"]
        params = [*self.params, _like(q)]
        if len(q) < 3 and short(q):
            extra.append(
                "p.position IN (SELECT position FROM pub_grams"
                " WHERE to_tsvector('simple', grams) @@ to_tsquery('simple', ?))"
            )
            params.append(q if len(q) == 2 else f"{q}:*")
        # "+ 0": the index order must not tempt the planner into walking every posting.
        return [self.newest(q), (self.sql("pub_postings p", extra, "(p.position + 0)"), params)]
