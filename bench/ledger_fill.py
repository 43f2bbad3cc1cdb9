"""Filling the ledger and public views of the ledger suite with 50,000 open items and 1,000,000
public postings.

Why the rows are written straight into the view tables: through the real path each item is
about four events (posting received, case opened, classified, assigned), so a million postings
would be four million events through ``Commands`` and every projection — hours on the bench
machine, and none of it is what this suite measures (the intake and core suites time that
path). The rows are written with the projections' own DDL, in big transactions, with the search
index rows made by the projection's own ``index_rows``/``grams`` and the inbox counts by
``LedgerProjection.recount``; positions start at 10**9 so they never meet the positions of the
real demo events that were projected before. What is measured afterwards — the HTTP routes,
the view queries and the templates — is exactly the code the server runs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.ledger import NO_DEADLINE, OPEN_STATES, LedgerProjection
from projections.public import PublicProjection
from projections.public_search import grams, index_rows

BASE = 10**9
TARGET = "department:ROAD"
DISTRICT = "district:11620"
OTHER_UNITS = ("department:BUS", "department:WASTE", "department:SAFETY", "district:11680")
CHANNELS = ("x", "open311", "web", "x", "x")
CLASSES = ("simple", "review", "policy")
DISTRICTS = ("강남구", "마포구", "종로구", "송파구", "은평구", "관악구", "노원구", "중구")
PLACES = ("역 3번 출구", "사거리", "버스정류장", "초등학교 앞", "한강공원", "시장 골목", "지하차도")
PROBLEMS = (
    "가로등이 꺼져 있어요",
    "도로에 포트홀이 생겼습니다",
    "불법 주차 차량 때문에 지나갈 수가 없어요",
    "쓰레기가 며칠째 쌓여 있습니다",
    "맨홀 뚜껑이 들려 있어 위험합니다",
    "신호등이 고장 났어요",
    "빗물받이가 막혀 물이 고였습니다",
)
RARE = {"싱크홀": 10_000, "누수": 20_000}  # word: one posting in this many carries it
REPLY = "확인하여 조치하였습니다. 불편을 드려 죄송합니다."
PUBLIC_STATES = ("published",) * 6 + ("assigned", "designated", "received", "closed")
CHUNK = 50_000


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def ledger_rows(n: int, now: datetime, seed: int = 5) -> Iterator[tuple[Any, ...]]:
    """``n`` open cases of the target department, n/5 of a district office, n/4 open elsewhere
    and n/4 closed; one in ten open ones is past its deadline."""
    rng = random.Random(seed)
    plan = [(TARGET, n, True), (DISTRICT, n // 5, True)]
    plan += [(u, n // 16, True) for u in OTHER_UNITS] + [(TARGET, n // 4, False)]
    i = 0
    for unit, count, open_ in plan:
        for _ in range(count):
            i += 1
            deadline = now + timedelta(hours=rng.uniform(-24, 240))
            state = rng.choice(OPEN_STATES[1:4]) if open_ else "closed"
            official = f"official.{rng.randrange(40)}" if state != "assigned" else None
            received = _iso(deadline - timedelta(days=3))
            due = _iso(deadline) if rng.random() > 0.02 else None
            yield (
                f"00000000-0000-4000-8000-{i:012d}", f"10000000-0000-4000-8000-{i:012d}",
                rng.choice(CHANNELS), state, rng.choice(CLASSES), due, unit, official,
                received, received, None, 0, 4, 0, BASE + i, None, 0, due or NO_DEADLINE,
            )  # fmt: skip


def public_rows(n: int, now: datetime, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    start = now - timedelta(days=365)
    for i in range(1, n + 1):
        text = f"{rng.choice(DISTRICTS)} {rng.choice(PLACES)} {rng.choice(PROBLEMS)} 제보 {i}"
        for word, every in RARE.items():
            if rng.randrange(every) == 0:
                text += f" {word} 신고"
        state = rng.choice(PUBLIC_STATES)
        unit = None if state == "received" else rng.choice((TARGET, DISTRICT, *OTHER_UNITS))
        at = _iso(start + timedelta(seconds=i * 31_536_000 // n))
        reply = REPLY if state in ("published", "closed") else None
        yield (
            f"20000000-0000-4000-8000-{i:012d}", rng.choice(CHANNELS), text, f"user{i % 9973}",
            at, state, unit, reply, rng.choice(CLASSES), None, at, 0, BASE + i, None, None, 0,
            None, None, None,  # category, district, triage id: no triage in the fill
        )  # fmt: skip


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


LEDGER_COLUMNS = (
    "id, posting_id, channel, state, request_class, deadline, unit, official, received_at,"
    " updated_at, reply, missed, version, exercise, position, first_reply_at, reopened, due_key"
)  # the rows of ``ledger_rows``; the posting's district stays empty


def fill_ledger(view: LedgerProjection, n: int, now: datetime) -> None:
    marks = ", ".join("?" * 18)
    sql = f"INSERT INTO ledger_cases ({LEDGER_COLUMNS}) VALUES ({marks})"
    for chunk in _chunks(ledger_rows(n, now)):
        with view.view.write() as tx:
            tx.executemany(sql, chunk)
    with view.view.write() as tx:
        view.recount(tx)
        if view.view.backend == "postgres":
            tx.execute("ANALYZE ledger_cases")


def fill_public(view: PublicProjection, n: int, now: datetime) -> None:
    backend = view.view.backend
    if backend == "postgres":  # GIN indexes are built once after the rows, not row by row
        with view.view.write() as tx:
            tx.execute("DROP INDEX IF EXISTS pub_postings_text_trgm")
            tx.execute("DROP INDEX IF EXISTS pub_grams_tsv")
    marks = ", ".join("?" * 19)
    for chunk in _chunks(public_rows(n, now)):
        body = [(row[12], f"{row[2]} {row[7] or ''}") for row in chunk]
        with view.view.write() as tx:
            if backend == "postgres":
                _copy(tx.cursor, "pub_postings", chunk)
                _copy(tx.cursor, "pub_grams", [(pos, grams(text)) for pos, text in body])
            else:
                tx.executemany(f"INSERT INTO pub_postings VALUES ({marks})", chunk)
                index_rows(tx, backend, body)
    with view.view.write() as tx:  # re-creates the dropped indexes, with room to sort
        if backend == "postgres":
            tx.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in view.schema():
            tx.execute(statement)
    if backend == "postgres":
        with view.view.write() as tx:
            tx.execute("ANALYZE pub_postings")
            tx.execute("ANALYZE pub_grams")


def _copy(cursor: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
