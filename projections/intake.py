"""Intake read model: every posting taken in, echo counts, rejections, watched hashtags."""

from __future__ import annotations

import json
from typing import Any

import domain.postings  # noqa: F401 - the events this projection reads
from projections.base import SmcProjection, handles
from projections.views import Row, ViewTx

POSTING_COLUMNS = (
    "id, channel, source_id, account, author_handle, text, lang, created_at, received_at,"
    " lon, lat, place_name, hashtags, mentions, media_urls, case_id, similarity, echoes,"
    " exercise, position"
)


class IntakeProjection(SmcProjection):
    name = "intake"
    tables = ("intake_postings", "intake_echoes", "intake_rejections", "intake_hashtags")
    ddl = (
        "CREATE TABLE IF NOT EXISTS intake_postings (id TEXT PRIMARY KEY, channel TEXT NOT NULL,"
        " source_id TEXT NOT NULL, account TEXT, author_handle TEXT, text TEXT NOT NULL,"
        " lang TEXT, created_at TEXT NOT NULL, received_at TEXT NOT NULL, lon DOUBLE PRECISION,"
        " lat DOUBLE PRECISION, place_name TEXT, hashtags TEXT NOT NULL, mentions TEXT NOT NULL,"
        " media_urls TEXT NOT NULL, case_id TEXT, similarity DOUBLE PRECISION,"
        " echoes BIGINT NOT NULL, exercise INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS intake_postings_source ON intake_postings (channel, source_id)",
        "CREATE INDEX IF NOT EXISTS intake_postings_position ON intake_postings (position)",
        "CREATE INDEX IF NOT EXISTS intake_postings_case ON intake_postings (case_id, position)",
        "CREATE TABLE IF NOT EXISTS intake_echoes (id TEXT PRIMARY KEY, channel TEXT NOT NULL,"
        " source_id TEXT NOT NULL, original_source_id TEXT, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS intake_echoes_original"
        " ON intake_echoes (channel, original_source_id)",
        "CREATE TABLE IF NOT EXISTS intake_rejections (id TEXT PRIMARY KEY,"
        " channel TEXT NOT NULL, source_id TEXT, reason TEXT NOT NULL, excerpt TEXT NOT NULL,"
        " at TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS intake_hashtags (hashtag TEXT PRIMARY KEY,"
        " purpose TEXT NOT NULL, position BIGINT NOT NULL)",
    )

    @handles("Posting.Received")
    def _received(self, e: Any, tx: ViewTx, position: int) -> None:
        d = e.details
        tx.execute(
            f"INSERT INTO intake_postings ({POSTING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"  # noqa: S608
            " ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COUNT(*) FROM intake_echoes"
            " WHERE channel = ? AND original_source_id = ?), ?, ?) ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.channel,
                e.source_id,
                d.get("account"),
                d.get("author_handle"),
                e.text,
                d.get("lang"),
                e.created_at.isoformat(),
                e.timestamp.isoformat(),
                d.get("lon"),
                d.get("lat"),
                d.get("place_name"),
                json.dumps(d.get("hashtags", []), ensure_ascii=False),
                json.dumps(d.get("mentions", []), ensure_ascii=False),
                json.dumps(d.get("media_urls", []), ensure_ascii=False),
                e.case_id,
                e.similarity,
                e.channel,
                e.source_id,
                int(e.exercise),
                position,
            ],
        )

    @handles("Echo.Recorded")
    def _echo(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO intake_echoes VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [str(e.originator_id), e.channel, e.source_id, e.original_source_id, position],
        )
        if e.original_source_id:
            tx.execute(
                "UPDATE intake_postings SET echoes = echoes + 1"
                " WHERE channel = ? AND source_id = ?",
                [e.channel, e.original_source_id],
            )

    @handles("IntakeRejection.Recorded")
    def _rejected(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO intake_rejections VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                str(e.originator_id),
                e.channel,
                e.source_id,
                e.reason,
                e.excerpt,
                e.timestamp.isoformat(),
                position,
            ],
        )

    @handles("WatchList.HashtagAdded")
    def _watched(self, e: Any, tx: ViewTx, position: int) -> None:
        tx.execute(
            "INSERT INTO intake_hashtags VALUES (?, ?, ?) ON CONFLICT (hashtag) DO UPDATE"
            " SET purpose = excluded.purpose, position = excluded.position",
            [e.hashtag, e.purpose, position],
        )

    @handles("WatchList.HashtagRemoved")
    def _unwatched(self, e: Any, tx: ViewTx, position: int) -> None:
        del position
        tx.execute("DELETE FROM intake_hashtags WHERE hashtag = ?", [e.hashtag])

    # -- queries ---------------------------------------------------------------------------
    def postings(
        self,
        *,
        channel: str | None = None,
        account: str | None = None,
        hashtag: str | None = None,
        limit: int = 50,
        before: int | None = None,
        exercise: bool = False,
    ) -> list[Row]:
        where: list[str] = [f"exercise = {int(exercise)}"]
        params: list[str | int] = []
        for column, value in (("channel", channel), ("account", account)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if hashtag:
            where.append("hashtags LIKE ?")
            params.append(f'%"{hashtag}"%')
        if before:
            where.append("position < ?")
            params.append(before)
        rows = self.query(
            f"SELECT {POSTING_COLUMNS} FROM intake_postings WHERE {' AND '.join(where)}"  # noqa: S608
            " ORDER BY position DESC LIMIT ?",
            [*params, limit],
        )
        return [decode(r) for r in rows]

    def posting(self, posting_id: str) -> Row | None:
        rows = self.query(
            f"SELECT {POSTING_COLUMNS} FROM intake_postings WHERE id = ?",  # noqa: S608
            [posting_id],
        )
        return decode(rows[0]) if rows else None

    def mentions(self, head_posting_id: str, limit: int = 50) -> list[Row]:
        """The near-duplicates clustered into the case whose first posting this is."""
        rows = self.query(
            f"SELECT {POSTING_COLUMNS} FROM intake_postings WHERE case_id = ?"  # noqa: S608
            " ORDER BY position LIMIT ?",
            [head_posting_id, limit],
        )
        return [decode(r) for r in rows]

    def counts(self) -> Row:
        rows = self.query(
            "SELECT (SELECT COUNT(*) FROM intake_postings WHERE exercise = 0) AS postings,"
            " (SELECT COUNT(*) FROM intake_echoes) AS echoes,"
            " (SELECT COUNT(*) FROM intake_rejections) AS rejections,"
            " (SELECT COUNT(*) FROM intake_postings WHERE exercise = 1) AS exercise_postings,"
            " (SELECT COUNT(DISTINCT case_id) FROM intake_postings) AS clustered_cases"
        )
        return rows[0]

    def rejections(self, limit: int = 100) -> list[Row]:
        return self.query(
            "SELECT id, channel, source_id, reason, excerpt, at FROM intake_rejections"
            " ORDER BY position DESC LIMIT ?",
            [limit],
        )

    def hashtags(self) -> list[Row]:
        return self.query("SELECT hashtag, purpose FROM intake_hashtags ORDER BY hashtag")

    def recent_texts(self, limit: int = 50_000) -> list[tuple[str, str, str | None]]:
        rows = self.query(
            "SELECT id, text, case_id FROM intake_postings ORDER BY position DESC LIMIT ?", [limit]
        )
        return [(r["id"], r["text"], r["case_id"]) for r in reversed(rows)]


def decode(row: Row) -> Row:
    out = dict(row)
    for key in ("hashtags", "mentions", "media_urls"):
        out[key] = json.loads(out[key])
    out["exercise"] = bool(out["exercise"])
    return out
