"""Projection workers for PostgreSQL deployments: eventsourcing's ProjectionRunner, supervised.

A runner stops on its first error (a lost connection included); the supervisor restarts it
with back-off, and it resumes from the view's tracking position.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from eventsourcing.projection import ApplicationSubscription, ProjectionRunner

from domain.store import SmcStore
from projections.base import SmcProjection
from projections.views import PostgresView

log = logging.getLogger("smc.worker")
MAX_PAGE = 500


def _buffered(subscription: ApplicationSubscription[Any]) -> bool:
    """Whether the subscription holds events already pulled (so ``next`` will not block).

    Reads the PostgreSQL subscription's page and queue (eventsourcing 9.5.6 is pinned)."""
    inner: Any = subscription.subscription
    page = getattr(inner, "_notifications", ())
    index = getattr(inner, "_notifications_index", len(page))
    queue = getattr(inner, "_notifications_queue", None)
    return bool(index < len(page) or (queue is not None and not queue.empty()))


class PagingProjectionRunner(ProjectionRunner[Any, Any]):
    """The library's runner, applying what one pull brought as one page (one transaction).

    The library applies each event in its own view transaction: an issued warning (its
    ``Issued`` event and 45 delivery requests, committed together) cost every view 46
    transactions before the warning's CAP message could be served. Events already pulled are
    applied together here with their last position tracked; a page never waits for more."""

    @staticmethod
    def _process_events_loop(  # type: ignore[override]
        subscription: ApplicationSubscription[Any],
        projection: SmcProjection,
        is_stopping: Any,
        runner: weakref.ReferenceType[ProjectionRunner[Any, Any]],
    ) -> None:
        try:
            for event, tracking in subscription:
                page = [(event, tracking.notification_id)]
                while len(page) < MAX_PAGE and _buffered(subscription):
                    more, more_tracking = next(subscription)
                    page.append((more, more_tracking.notification_id))
                projection.process_page(page)
        except BaseException as exc:
            _runner = runner()
            if _runner is not None:
                _runner._thread_error = exc
            else:
                log.exception("projection runner gone before its error was kept")
        finally:
            is_stopping.set()


class SupervisedRunner:
    def __init__(self, cls: type[SmcProjection], env: Mapping[str, str]) -> None:
        self.cls = cls
        # The store's tables exist already (the process that built the views created them);
        # N runners creating them at once race on PostgreSQL's catalog ("tuple concurrently
        # updated"), so only the view's own tables are created here.
        self.env = {**env, "SMC_CREATE_TABLE": "no"}
        self.restarts = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"smc-{cls.name}", daemon=True)

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with PagingProjectionRunner(
                    application_class=SmcStore,
                    projection_class=self.cls,
                    view_class=PostgresView,
                    env=self.env,
                ) as runner:
                    backoff = 0.5
                    while not self._stop.is_set():
                        runner.run_forever(timeout=0.5)
            except Exception as exc:
                self.restarts += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("projection %s stopped (%s); restarting", self.cls.name, exc)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)


class Worker:
    """Runs every projection's runner in its own supervised thread."""

    def __init__(self, classes: Sequence[type[SmcProjection]], env: Mapping[str, str]) -> None:
        self.runners = [SupervisedRunner(cls, env) for cls in classes]

    def start(self) -> None:
        for r in self.runners:
            r.start()

    def stop(self) -> None:
        for r in self.runners:
            r.stop()

    def errors(self) -> dict[str, str]:
        return {r.cls.name: r.last_error for r in self.runners if r.last_error}
