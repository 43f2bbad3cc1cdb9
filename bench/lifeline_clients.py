"""The WebSocket clients of the LIFELINE fan-out bench, spread over worker processes.

One Python process holding 1,000 WebSockets on this 2-core machine spent longer reading the
1,000 deltas than the server spent sending them, so the bench measured its own client. The
clients are therefore split over ``processes`` spawned workers (each on uvloop); every client
still receives its delta and parses it as JSON. Arrival times are ``time.monotonic()``, which
is one system-wide clock on Linux, so the parent subtracts its own time of sending the POST.

Protocol over one pipe per worker: the worker connects its clients and answers ``ready``;
for each round the parent sends the figure to wait for, the worker arms one waiter per client
and answers ``armed``; after the POST the worker answers with its clients' arrival times.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import uvloop
import websockets

TIMEOUT = 30.0


async def _arrival(ws: websockets.ClientConnection, iid: str, want: int) -> float:
    """When this client has the delta that shows ``want`` dead for the incident."""
    while True:
        msg = json.loads(await ws.recv())
        for inc in msg.get("incidents", []):
            if inc["id"] == iid and inc["figures"]["totals"]["dead"]["value"] == want:
                return time.monotonic()


async def _clients(ws_url: str, iid: str, count: int, conn: Connection) -> None:
    sockets = []
    for _ in range(count):
        ws = await websockets.connect(ws_url, max_size=None, open_timeout=TIMEOUT)
        await ws.send(json.dumps({"type": "hello", "since": None}))
        sockets.append(ws)
    await asyncio.gather(*(ws.recv() for ws in sockets))  # the snapshots
    conn.send("ready")
    loop = asyncio.get_running_loop()
    while (want := await loop.run_in_executor(None, conn.recv)) is not None:
        waiters = [asyncio.create_task(_arrival(ws, iid, want)) for ws in sockets]
        await asyncio.sleep(0)  # every waiter is now inside recv()
        conn.send("armed")
        conn.send(await asyncio.wait_for(asyncio.gather(*waiters), TIMEOUT))
    await asyncio.gather(*(ws.close() for ws in sockets))


def _worker(ws_url: str, iid: str, count: int, conn: Connection) -> None:
    uvloop.run(_clients(ws_url, iid, count, conn))


def _expect(conn: Connection, what: str) -> Any:
    if not conn.poll(TIMEOUT * 4):
        msg = f"a WebSocket client process sent no {what} within {TIMEOUT * 4:.0f} s"
        raise TimeoutError(msg)
    return conn.recv()


class ClientProcesses:
    """``clients`` WebSocket clients of ``ws_url`` in ``processes`` worker processes."""

    def __init__(self, ws_url: str, iid: str, clients: int, processes: int) -> None:
        ctx = multiprocessing.get_context("spawn")  # no inherited threads or event loops
        shares = [clients // processes + (i < clients % processes) for i in range(processes)]
        self.pipes: list[Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []
        for share in filter(None, shares):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(ws_url, iid, share, theirs), daemon=True)
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)
        for pipe in self.pipes:
            assert _expect(pipe, "ready") == "ready"

    def round(self, want: int, send: Callable[[], float]) -> list[float]:
        """Arm every client for ``want``, call ``send`` (returns its start time), return the
        latencies of all clients from that time."""
        for pipe in self.pipes:
            pipe.send(want)
        for pipe in self.pipes:
            assert _expect(pipe, "armed") == "armed"
        sent = send()
        arrived: list[float] = []
        for pipe in self.pipes:
            arrived.extend(_expect(pipe, "arrival times"))
        return [a - sent for a in arrived]

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):  # a worker that failed has closed its end
                pipe.send(None)
        for proc in self.procs:
            proc.join(TIMEOUT)
            if proc.is_alive():
                proc.terminate()
