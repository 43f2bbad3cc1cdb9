"""One realistic story through every capability, used to check that every projection built
event by event equals the same projection rebuilt from position 0."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from api.bootstrap import Container
from api.demo import load_demo
from channels.x.replay import replay_file
from domain.context import Cause
from domain.directory import Role
from domain.follow import subscription_id
from domain.postings import IncomingPosting
from tests.helpers import store_posting
from tests.shared_data import shared_data_dir

KST = ZoneInfo("Asia/Seoul")
WHO = Cause("system:test")

# projections the story below is known to give rows to
COVERED = {"directory", "event_log", "follow", "intake", "ledger", "lifeline", "public"}


def fill(container: Container) -> None:
    load_demo(container)  # includes the LIFELINE demo incident: figures, reports, shelters
    d = container.directory
    d.change_role(WHO, "kim.official", Role.DEPARTMENT_LEAD)
    d.deactivate_user(WHO, "jung.auditor")
    base = shared_data_dir()
    if base is not None:
        for name in ("twarc-csv_noflat.jsonl", "twarc-csv_streaming_output_with_error.jsonl"):
            replay_file(
                base / "x-api" / name, container.intake, author_key_secret=b"k", batch_size=50
            )
    _ledger_story(container)


def _ledger_story(container: Container) -> None:
    at = datetime(2026, 7, 13, 10, 0, tzinfo=KST)
    items = [
        IncomingPosting(
            channel="web",
            source_id=f"w{i}",
            created_at=at,
            text=f"정류장 {i}번 파손, 연락처 010-1234-567{i}",
        )
        for i in range(3)
    ]
    for item in items:
        store_posting(container, item)  # the ledger is driven by hand below
    ledger = container.ledger
    cases = [ledger.open(WHO, str(i.posting_id), i.channel, at).id for i in items]
    for cid in cases:
        ledger.classify(WHO, cid, "simple")
        ledger.assign(WHO, cid, "department:BUS", "rule")
    ledger.designate(WHO, cases[0], "kim.official")
    ledger.respond(WHO, cases[0], "보수했습니다. 문의: 02-120-0000 / help@seoul.go.kr")
    ledger.publish(WHO, cases[0])
    followed = str(items[1].posting_id)
    container.follow.subscribe(WHO, followed, "follower@example.org", "ko")
    container.follow.confirm(WHO, subscription_id(followed, "follower@example.org"))
    ledger.transfer(WHO, cases[1], "department:ROAD", "road surface")
    ledger.merge(WHO, cases[2], cases[1])
