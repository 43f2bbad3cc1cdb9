"""The warnings bench measures "fan-out recorded after issue" honestly: from the Issued
event's timestamp to the commit holding it and every Delivery.Requested, and only when they
are in one commit (the bench itself is not run here)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bench.warnings import Commits, fanout_recorded
from domain.clock import FixedClock
from domain.context import Cause
from domain.deliveries import Delivery
from domain.warnings import cap_identifier
from tests.warnings.outbox_setup import issue, outbox_container


def test_the_measure_runs_from_the_issued_timestamp_to_the_one_commit(
    database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    accounts = [("x", f"gu{i:02d}") for i in range(3)]
    with outbox_container(database_url, tmp_path, clock, accounts, {}) as c:
        commits = Commits()
        c.store.add_saved_listener(commits)
        since = c.store.head()
        wid = issue(c)
        ident = cap_identifier(c.settings.cap_sender, wid, 1)
        seconds = fanout_recorded(c.store, commits, wid, ident, since)
        # the fixed clock stamped the event; the commit time is the wall clock's
        wall = max(commits.at.values())
        assert seconds == pytest.approx((wall - clock.now()).total_seconds(), abs=1e-6)

        # a delivery of the same message saved later (another commit) is caught
        clock.advance(timedelta(seconds=1))
        late = lambda: c.commands.save(Delivery(ident, "x:late", str(wid), {}))  # noqa: E731
        c.commands.run(Cause("system:test"), late)
        with pytest.raises(AssertionError, match="not in one commit"):
            fanout_recorded(c.store, commits, wid, ident, since)
        with pytest.raises(AssertionError, match="0 Issued"):
            fanout_recorded(c.store, commits, wid, "no-such-identifier", c.store.head())
