"""An open-loop load generator for the hub: simulated kiosks in separate processes.

Each simulated kiosk uploads one scan every ``1/rate`` seconds and pulls ``/v1/changes``
every ``pull_every`` seconds, at fixed times decided before the run (open loop): a slow
answer never delays the next request, so the hub's slowness shows in the latencies instead
of hiding as fewer requests (coordinated omission). A latency is measured from the time the
request was *due*, so a generator that falls behind its own schedule shows as lateness too,
which is reported apart (``late_p99_ms``) to tell a slow hub from a slow generator.

A kiosk keeps one connection, as the real sync engine's httpx client does; a scan due while
the previous upload is still waiting opens a second one (a real kiosk would batch it: the
open loop keeps the request count fixed instead). A pull due while the previous pull of the
same kiosk is still running is skipped and counted (a real kiosk never overlaps its pulls).

Run by bench/bench_hub_scale.py through :func:`run_in_processes`; every loop is bounded by
the run's duration and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import heapq
import multiprocessing as mp
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from kiosk.core.model import Scan, ScanKind
from sync.store import scan_to_dict


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
    """Latencies in seconds, counts, and the process's own CPU seconds."""

    acks: list[float] = field(default_factory=list)
    pulls: list[float] = field(default_factory=list)
    late: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    skipped_pulls: int = 0
    cpu_seconds: float = 0.0

    def merge(self, other: Result) -> None:
        self.acks += other.acks
        self.pulls += other.pulls
        self.late += other.late
        for key, n in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + n
        self.rejected += other.rejected
        self.skipped_pulls += other.skipped_pulls
        self.cpu_seconds += other.cpu_seconds


def _scan(kiosk_id: str, registration_id: str, rng: random.Random) -> dict[str, Any]:
    """An upload batch of one entry scan, in the wire form the kiosks send."""
    scan = Scan(
        nonce=uuid.UUID(int=rng.getrandbits(128)).hex,
        kiosk_id=kiosk_id,
        at=datetime.now(UTC),
        code=f"C{rng.randrange(10**6)}",
        registration_id=registration_id,
        kind=ScanKind.ENTRY,
        accepted=True,
        reason="ok",
        day=1,
    )
    return {"items": [{"kind": "scan", "key": scan.nonce, "data": scan_to_dict(scan)}]}


async def _run(plan: Plan, conn: Any) -> Result:
    result = Result()
    rng = random.Random(plan.seed)
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=2)
    clients = [
        httpx.AsyncClient(
            base_url=plan.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=plan.timeout,
            limits=limits,
        )
        for _, token in plan.kiosks
    ]
    cursors = [plan.cursor0] * len(plan.kiosks)
    pulling = [False] * len(plan.kiosks)
    tasks: set[asyncio.Task[None]] = set()

    def failed(kind: str) -> None:
        result.errors[kind] = result.errors.get(kind, 0) + 1

    async def upload(index: int, when: float) -> None:
        kiosk_id = plan.kiosks[index][0]
        body = _scan(kiosk_id, rng.choice(plan.registration_ids), rng)
        try:
            answer = await clients[index].post("/v1/upload", json=body)
        except httpx.HTTPError as exc:
            failed(type(exc).__name__)
            return
        if answer.status_code != 200:
            failed(f"upload {answer.status_code}")
            return
        result.acks.append(time.time() - when)
        result.rejected += len(answer.json().get("rejected", []))

    async def pull(index: int, when: float) -> None:
        pulling[index] = True
        try:
            params = {"cursor": cursors[index]} if cursors[index] else {}
            answer = await clients[index].get("/v1/changes", params=params)
            if answer.status_code != 200:
                failed(f"pull {answer.status_code}")
                return
            cursors[index] = answer.json()["cursor"] or cursors[index]
            result.pulls.append(time.time() - when)
        except httpx.HTTPError as exc:
            failed(type(exc).__name__)
        finally:
            pulling[index] = False

    # Every process is up, its modules imported and its clients built, before the common
    # start time is set: start-up never shows as lateness.
    conn.send("ready")
    start_at = conn.recv()
    stop_at = start_at + plan.seconds
    # (due time, sequence, kiosk index, "scan" | "pull"): one heap for the whole process
    due: list[tuple[float, int, int, str]] = []
    seq = 0
    for index in range(len(plan.kiosks)):
        heapq.heappush(due, (start_at + rng.random() / plan.scan_rate, seq, index, "scan"))
        seq += 1
        heapq.heappush(due, (start_at + rng.random() * plan.pull_every, seq, index, "pull"))
        seq += 1
    cpu0 = time.process_time()
    try:
        while due and due[0][0] < stop_at:
            when, _, index, what = heapq.heappop(due)
            delay = when - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            result.late.append(max(0.0, time.time() - when))
            if what == "scan":
                heapq.heappush(due, (when + 1 / plan.scan_rate, seq, index, "scan"))
                task = asyncio.create_task(upload(index, when))
            else:
                heapq.heappush(due, (when + plan.pull_every, seq, index, "pull"))
                if pulling[index]:
                    result.skipped_pulls += 1
                    seq += 1
                    continue
                task = asyncio.create_task(pull(index, when))
            seq += 1
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:  # the last answers, bounded by the request timeout
            await asyncio.wait(tasks, timeout=plan.timeout + 1)
    finally:
        for client in clients:
            await client.aclose()
    result.cpu_seconds = time.process_time() - cpu0
    return result


def _process_main(plan: Plan, conn: Any) -> None:
    conn.send(asyncio.run(_run(plan, conn)))
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
