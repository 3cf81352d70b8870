"""An open-loop load generator for the hub: simulated kiosks in separate processes.

Each simulated kiosk uploads one scan every ``1/rate`` seconds and pulls ``/v1/changes``
every ``pull_every`` seconds, at fixed times decided before the run (open loop): a slow
answer never delays the next request, so the hub's slowness shows in the latencies instead
of hiding as fewer requests (coordinated omission). A latency is measured from the time the
request was *due*, so a generator that falls behind its own schedule shows as lateness too,
which is reported apart (``late``) to tell a slow hub from a slow generator.

The client is made to cost little per request, so that on a machine the generator shares
with the hub the figure measures the hub: HTTP/1.1 written by hand on keep-alive
connections (``asyncio.Protocol`` on uvloop when installed), answers parsed by httptools
(llhttp, the parser uvicorn uses), request heads built once per kiosk, and a pull's body
never parsed as a whole: its cursor is read from the head the hub writes first. A kiosk
keeps one connection, as the real sync engine's client does; a scan due while the previous
upload is still waiting goes on a second one (a real kiosk would batch it: the open loop
keeps the request count fixed instead). A pull due while the previous pull of the same
kiosk is still running is skipped and counted (a real kiosk never overlaps its pulls).

Run by bench/bench_hub_scale.py through :func:`run_in_processes`; every loop is bounded by
the run's duration and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import multiprocessing as mp
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httptools

from kiosk.core.model import Scan, ScanKind
from sync.store import scan_to_dict, utc_text

_CURSOR = re.compile(rb'"cursor":\s*"([^"]*)"')
_HEAD_BYTES = 512  # a pull's cursor is in its first bytes (sync.hub.db.HubDB.changes)


@dataclass(frozen=True)
class Plan:
    """What one generator process does. Times are ``time.time()`` seconds (wall clock, so
    that every process shares one schedule)."""

    url: str
    kiosks: list[tuple[str, str]]  # (kiosk id, token)
    registration_ids: list[str]
    cursor0: str
    seconds: float
    scan_rate: float = 1.0
    pull_every: float = 3.0
    timeout: float = 10.0
    seed: int = 0


@dataclass
class Result:
    """Latencies and lateness in seconds, counts, and the process's own CPU seconds."""

    acks: list[float] = field(default_factory=list)
    pulls: list[float] = field(default_factory=list)
    late: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    skipped_pulls: int = 0
    pull_bytes: int = 0
    cpu_seconds: float = 0.0

    def merge(self, other: Result) -> None:
        self.acks += other.acks
        self.pulls += other.pulls
        self.late += other.late
        for key, n in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + n
        self.rejected += other.rejected
        self.skipped_pulls += other.skipped_pulls
        self.pull_bytes += other.pull_bytes
        self.cpu_seconds += other.cpu_seconds


Done = Callable[[int, bytes, int], None]  # (status, body or its head, body length)


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time.

    ``send`` writes a request; ``done(status, body, length)`` is called when its answer is
    complete (``body`` is only the first ``_HEAD_BYTES`` when ``head_only``), or
    ``failed(reason)`` when the connection breaks, the answer is not HTTP, or ``timeout``
    seconds pass (the connection is then dropped).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self._loop = loop
        self._timeout = timeout
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._chunks: list[bytes] = []
        self._length = 0
        self._head_only = False
        self._done: Done | None = None
        self._failed: Callable[[str], None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.usable = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        self.usable = True

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(f"bad HTTP answer: {exc}")

    def connection_lost(self, exc: Exception | None) -> None:
        self.usable = False
        self._fail("connection closed")

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self._length += len(body)
        if not self._head_only or sum(map(len, self._chunks)) < _HEAD_BYTES:
            self._chunks.append(body)

    def on_message_complete(self) -> None:
        done, self._done, self._failed = self._done, None, None
        if self._timer is not None:
            self._timer.cancel()
        if not self._parser.should_keep_alive():
            self.close()
        if done is not None:
            done(self._parser.get_status_code(), b"".join(self._chunks), self._length)

    def send(
        self, request: bytes, head_only: bool, done: Done, failed: Callable[[str], None]
    ) -> None:
        assert self._transport is not None and self._done is None
        self._chunks, self._length, self._head_only = [], 0, head_only
        self._done, self._failed = done, failed
        self._timer = self._loop.call_later(self._timeout, self._fail, "timeout")
        self._transport.write(request)

    def busy(self) -> bool:
        return self._done is not None

    def close(self) -> None:
        self.usable = False
        if self._transport is not None:
            self._transport.abort()

    def _fail(self, reason: str) -> None:
        failed, self._done, self._failed = self._failed, None, None
        if self._timer is not None:
            self._timer.cancel()
        if failed is not None:
            self.close()
            failed(reason)


class _Kiosk:
    """One simulated kiosk: its token, pull cursor and connections."""

    def __init__(self, index: int, kiosk_id: str, token: str, host: str, cursor: str) -> None:
        self.index = index
        self.kiosk_id = kiosk_id
        self.cursor = cursor
        self.pulling = False
        self.connections: list[_Connection] = []
        self.auth = f"Host: {host}\r\nAuthorization: Bearer {token}\r\n".encode()
        self.template = scan_to_dict(
            Scan(
                nonce="0" * 32,
                kiosk_id=kiosk_id,
                at=datetime.now(UTC),
                code="C0",
                registration_id="P0",
                kind=ScanKind.ENTRY,
                accepted=True,
                reason="ok",
                day=1,
            )
        )

    def upload_request(self, registration_id: str, rng: random.Random) -> bytes:
        """An upload batch of one entry scan, in the wire form the kiosks send."""
        data = dict(self.template)
        data["nonce"] = uuid.UUID(int=rng.getrandbits(128)).hex
        data["at"] = utc_text(datetime.now(UTC))
        data["code"] = f"C{rng.randrange(10**6)}"
        data["registration_id"] = registration_id
        body = json.dumps({"items": [{"kind": "scan", "key": data["nonce"], "data": data}]})
        raw = body.encode()
        return b"".join(
            (
                b"POST /v1/upload HTTP/1.1\r\n",
                self.auth,
                b"Content-Type: application/json\r\nContent-Length: ",
                str(len(raw)).encode(),
                b"\r\n\r\n",
                raw,
            )
        )

    def pull_request(self) -> bytes:
        query = f"?cursor={quote(self.cursor, safe='')}" if self.cursor else ""
        return b"".join((b"GET /v1/changes", query.encode(), b" HTTP/1.1\r\n", self.auth, b"\r\n"))


async def _run(plan: Plan, conn: Any) -> Result:
    result = Result()
    rng = random.Random(plan.seed)
    loop = asyncio.get_running_loop()
    parts = urlsplit(plan.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    kiosks = [
        _Kiosk(i, kiosk_id, token, f"{host}:{port}", plan.cursor0)
        for i, (kiosk_id, token) in enumerate(plan.kiosks)
    ]
    outstanding = 0
    opening: set[asyncio.Task[None]] = set()

    def failed_as(kind: str) -> Callable[[str], None]:
        def failed(reason: str) -> None:
            nonlocal outstanding
            outstanding -= 1
            key = f"{kind}: {reason}"
            result.errors[key] = result.errors.get(key, 0) + 1

        return failed

    async def connect() -> _Connection:
        _, protocol = await loop.create_connection(
            lambda: _Connection(loop, plan.timeout), host, port
        )
        return protocol

    def send(
        kiosk: _Kiosk, request: bytes, head_only: bool, done: Done, failed: Callable[[str], None]
    ) -> None:
        """On an idle connection of the kiosk, or a new one when all are busy."""
        nonlocal outstanding
        outstanding += 1
        kiosk.connections = [c for c in kiosk.connections if c.usable]
        for connection in kiosk.connections:
            if not connection.busy():
                connection.send(request, head_only, done, failed)
                return

        async def open_and_send() -> None:
            try:
                connection = await connect()
            except OSError as exc:
                failed(type(exc).__name__)
                return
            kiosk.connections.append(connection)
            connection.send(request, head_only, done, failed)

        task = loop.create_task(open_and_send())
        opening.add(task)
        task.add_done_callback(opening.discard)

    def upload(kiosk: _Kiosk, when: float) -> None:
        def done(status: int, body: bytes, _length: int) -> None:
            nonlocal outstanding
            outstanding -= 1
            if status != 200:
                result.errors[f"upload {status}"] = result.errors.get(f"upload {status}", 0) + 1
                return
            result.acks.append(time.time() - when)
            result.rejected += len(json.loads(body).get("rejected", ()))

        request = kiosk.upload_request(rng.choice(plan.registration_ids), rng)
        send(kiosk, request, False, done, failed_as("upload"))

    def pull(kiosk: _Kiosk, when: float) -> None:
        kiosk.pulling = True

        def done(status: int, head: bytes, length: int) -> None:
            nonlocal outstanding
            outstanding -= 1
            kiosk.pulling = False
            found = _CURSOR.search(head) if status == 200 else None
            if found is None:
                result.errors[f"pull {status}"] = result.errors.get(f"pull {status}", 0) + 1
                return
            kiosk.cursor = found.group(1).decode() or kiosk.cursor
            result.pulls.append(time.time() - when)
            result.pull_bytes += length

        count_failure = failed_as("pull")

        def failed(reason: str) -> None:
            kiosk.pulling = False
            count_failure(reason)

        send(kiosk, kiosk.pull_request(), True, done, failed)

    for kiosk in kiosks:  # one connection each, open before the start
        kiosk.connections.append(await connect())
    # Every process is up, its modules imported and its connections open, before the common
    # start time is set: start-up never shows as lateness.
    conn.send("ready")
    start_at = conn.recv()
    stop_at = start_at + plan.seconds
    # (due time, sequence, kiosk index, "scan" | "pull"): one heap for the whole process
    due: list[tuple[float, int, int, str]] = []
    seq = 0
    for kiosk in kiosks:
        heapq.heappush(due, (start_at + rng.random() / plan.scan_rate, seq, kiosk.index, "scan"))
        heapq.heappush(due, (start_at + rng.random() * plan.pull_every, seq + 1, kiosk.index,
                             "pull"))  # fmt: skip
        seq += 2
    cpu0 = time.process_time()
    try:
        while due and due[0][0] < stop_at:
            when, _, index, what = heapq.heappop(due)
            delay = when - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            result.late.append(max(0.0, time.time() - when))
            kiosk = kiosks[index]
            seq += 1
            if what == "scan":
                heapq.heappush(due, (when + 1 / plan.scan_rate, seq, index, "scan"))
                upload(kiosk, when)
            else:
                heapq.heappush(due, (when + plan.pull_every, seq, index, "pull"))
                if kiosk.pulling:
                    result.skipped_pulls += 1
                else:
                    pull(kiosk, when)
        # the last answers, bounded by the request timeout (each request has its own timer)
        give_up = time.time() + plan.timeout + 1
        while (outstanding > 0 or opening) and time.time() < give_up:
            await asyncio.sleep(0.05)
        if outstanding > 0:
            result.errors["unanswered at the end"] = outstanding
    finally:
        for kiosk in kiosks:
            for connection in kiosk.connections:
                connection.close()
    result.cpu_seconds = time.process_time() - cpu0
    return result


def _process_main(plan: Plan, conn: Any) -> None:
    try:
        import uvloop
    except ImportError:  # the generator works without it, only costs more
        conn.send(asyncio.run(_run(plan, conn)))
    else:
        conn.send(uvloop.run(_run(plan, conn)))
    conn.close()


def run_in_processes(plans: list[Plan], lead_seconds: float = 1.0) -> Result:
    """Run each plan in its own process (spawned, so no state is shared) and merge results.

    The common start is ``lead_seconds`` after the last process says it is ready. Raises
    RuntimeError when a generator process dies or does not answer in time.
    """
    context = mp.get_context("spawn")
    started = []
    for plan in plans:
        parent, child = context.Pipe(duplex=True)
        process = context.Process(target=_process_main, args=(plan, child), daemon=True)
        process.start()
        started.append((process, parent))
    try:
        for _, parent in started:
            if not parent.poll(120) or parent.recv() != "ready":
                raise RuntimeError("a load generator process did not start")
        start_at = time.time() + lead_seconds
        for _, parent in started:
            parent.send(start_at)
        merged = Result()
        deadline = start_at + max(p.seconds + p.timeout for p in plans) + 30
        for process, parent in started:
            if not parent.poll(max(1.0, deadline - time.time())):
                raise RuntimeError("a load generator process did not answer in time")
            merged.merge(parent.recv())
            process.join(10)
        return merged
    finally:
        for process, _ in started:
            if process.is_alive():
                process.kill()
