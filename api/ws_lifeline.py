"""``/ws/lifeline``: a snapshot at a position, then deltas after it (Zulip's last_event_id).

One :class:`LifelineHub` per API process checks the LIFELINE view's position (a one-row read)
as soon as it is told the view moved (:meth:`LifelineHub.notify`, called by the in-process
catch-up loop with SQLite) and at the latest every ``poll_interval`` seconds. When it moved,
the hub reads what changed after the last position it broadcast, serialises one delta per
view (real, exercise) and queues the same text to every client of that view. The view is fed
by the in-process catch-up loop (SQLite) or by ``smc worker`` (PostgreSQL): every API process
polls the same tables, so a change reaches the clients of every process. A client too slow to
keep up is disconnected and catches up on reconnect with its last position.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from api.lifeline_geo import LifelineReads
from api.lifeline_messages import Delta, ErrorMsg, Hello, Snapshot
from api.ws_origin import REFUSED_CODE, REFUSED_REASON, origin_allowed
from domain.clock import Clock
from projections import lifeline_queries as q
from projections.lifeline import LifelineProjection, utc

log = logging.getLogger("smc.lifeline")
router = APIRouter()
MAX_DELTA_INCIDENTS = 20
QUEUE_SIZE = 64


@dataclass(eq=False)
class Client:
    exercise: bool
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False


class LifelineHub:
    def __init__(
        self, projection: LifelineProjection, clock: Clock, poll_interval: float = 0.05
    ) -> None:
        self.projection = projection
        self.reads = LifelineReads(projection)
        self.clock = clock
        self.poll_interval = poll_interval
        self.clients: set[Client] = set()
        self.broadcasts = 0
        self.refused_origins = 0
        self._last = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._task: asyncio.Task[None] | None = None
        self._moved: asyncio.Event | None = None
        self._stopped = threading.Event()

    # -- lifecycle --------------------------------------------------------------------------
    async def ensure_started(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._lock is None:
            self._loop, self._lock, self._moved = loop, asyncio.Lock(), asyncio.Event()
            self.clients = set()
            self._last = await asyncio.to_thread(self._read_position)
            self._task = loop.create_task(self._run(), name="smc-lifeline-hub")
        return self._lock

    def stop(self) -> None:
        self._stopped.set()
        self.notify()  # do not wait for the poll to notice

    def notify(self, position: int = 0) -> None:
        """The view moved (any thread): check it now instead of at the next poll."""
        del position
        loop, moved = self._loop, self._moved
        if loop is not None and moved is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(moved.set)

    def _now(self) -> str:
        return utc(self.clock.now())

    def _read_position(self) -> int:
        with self.projection.view.read() as tx:
            return q.position(tx)

    # -- broadcasting -----------------------------------------------------------------------
    async def _wait(self) -> None:
        assert self._moved is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._moved.wait(), self.poll_interval)
        self._moved.clear()

    async def _run(self) -> None:
        while not self._stopped.is_set():
            await self._wait()
            try:
                if self.projection.view.position() > self._last:
                    await self._broadcast()
            except Exception:  # the database may be briefly away: keep polling
                log.exception("lifeline hub poll failed")

    def _deltas(self, since: int, views: set[bool]) -> tuple[dict[bool, str], int]:
        out: dict[bool, str] = {}
        now = self._now()
        with self.projection.view.read() as tx:
            head = q.position(tx)
            for exercise in views:
                changes = q.changes_after(tx, since, exercise)
                if changes.incidents or changes.warnings:
                    changes.position = head
                    out[exercise] = Delta(**q.delta(tx, changes, exercise, now)).model_dump_json()
        return out, head

    async def _broadcast(self) -> None:
        assert self._lock is not None
        async with self._lock:
            views = {c.exercise for c in self.clients}
            texts, head = await asyncio.to_thread(self._deltas, self._last, views)
            self._last = max(self._last, head)
            for client in list(self.clients):
                text = texts.get(client.exercise)
                if text is not None:
                    self._offer(client, text)
            self.broadcasts += 1

    def _offer(self, client: Client, text: str) -> None:
        try:
            client.queue.put_nowait(text)
        except asyncio.QueueFull:
            client.dropped = True
            self.clients.discard(client)

    # -- joining ----------------------------------------------------------------------------
    def _catch_up(self, hello: Hello) -> str:
        now = self._now()
        with self.projection.view.read() as tx:
            head = q.position(tx)
            if hello.since is not None and hello.since <= head:
                changes = q.changes_after(tx, hello.since, hello.exercise)
                if len(changes.incidents) <= MAX_DELTA_INCIDENTS:
                    changes.position = head
                    return Delta(**q.delta(tx, changes, hello.exercise, now)).model_dump_json()
            return Snapshot(**q.snapshot(tx, hello.exercise, now)).model_dump_json()

    async def join(self, hello: Hello) -> Client:
        lock = await self.ensure_started()
        client = Client(hello.exercise)
        async with lock:
            client.queue.put_nowait(await asyncio.to_thread(self._catch_up, hello))
            self.clients.add(client)
        return client

    def leave(self, client: Client) -> None:
        self.clients.discard(client)


def hub_of(websocket: WebSocket) -> LifelineHub:
    hub: LifelineHub | None = websocket.app.state.container.lifeline_hub
    assert hub is not None, "the LIFELINE hub is not configured"
    return hub


async def _hello(websocket: WebSocket) -> Hello | None:
    try:
        raw: Any = await asyncio.wait_for(websocket.receive_json(), timeout=10)
        return Hello.model_validate(raw)
    except (ValidationError, ValueError, TimeoutError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "expected a hello message"
        await websocket.send_text(ErrorMsg(detail=detail).model_dump_json())
        await websocket.close(code=1008)
        return None


async def _pump(websocket: WebSocket, client: Client) -> None:
    while not client.dropped or not client.queue.empty():
        text = await client.queue.get()
        await websocket.send_text(text)
    await websocket.close(code=1013)  # too slow: reconnect and catch up


async def _drain(websocket: WebSocket) -> None:
    while True:
        await websocket.receive_text()  # the client has nothing more to say; watch for close


def _refused(websocket: WebSocket, hub: LifelineHub) -> bool:
    """A browser page of another origin may not read the feed (counted and logged)."""
    settings = websocket.app.state.container.settings
    origin = websocket.headers.get("origin")
    allowed = [settings.public_base_url, *settings.ws_allowed_origins]
    if origin_allowed(origin, websocket.headers.get("host", ""), allowed):
        return False
    hub.refused_origins += 1
    log.warning("refused a cross-origin WebSocket from %r (%d so far)", origin, hub.refused_origins)
    return True


@router.websocket("/ws/lifeline")
async def lifeline_socket(websocket: WebSocket) -> None:
    hub = hub_of(websocket)
    await websocket.accept()  # accepted first, so that the browser sees the code and reason
    if _refused(websocket, hub):
        await websocket.close(code=REFUSED_CODE, reason=REFUSED_REASON)
        return
    hello = await _hello(websocket)
    if hello is None:
        return
    client = await hub.join(hello)
    tasks = [asyncio.create_task(_pump(websocket, client)), asyncio.create_task(_drain(websocket))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hub.leave(client)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await task
