"""Sync benchmarks against the real hub on loopback (SQLite and PostgreSQL).

    .venv/bin/python bench/bench_sync.py            # everything (about 4 minutes)
    .venv/bin/python bench/bench_sync.py --quick    # smaller load steps

1. Full pull of 100,000 registrations into an empty kiosk store (target <= 5 s).
2. Incremental pull of 100 changed registrations (target <= 100 ms).
3. Upload of 10,000 scans from one kiosk's outbox (target <= 2 s).
4. The hub under 50 simulated kiosks at 1 scan/s each, each also pulling every 3 s:
   p99 upload acknowledgement (target <= 100 ms), on SQLite and PostgreSQL; then more
   kiosks on PostgreSQL until p99 passes 100 ms or the load generator cannot keep up.

The hub runs in its own process (uvicorn, one worker), the kiosks in this one. Every loop
is bounded in count and time and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from kiosk.core.model import Registration, Role, Scan, ScanKind  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.hub.db import HubDB  # noqa: E402
from sync.hub_client import HubSource  # noqa: E402
from sync.store import LocalStore, scan_to_dict  # noqa: E402
from tests.sync.servers import PostgresServer, free_port, postgres_bindir, wait_until  # noqa: E402

ORGANISER = "bench-organiser"
FIRST = ["Hélène", "Yasmine", "Omar", "محمد", "Léa", "Karim", "Sara", "Youssef", "Amal", "John"]
LAST = ["Dupont", "Berrada", "Tazi", "العلوي", "Bonnet", "Alaoui", "Smith", "Bennani", "Idrissi"]


def people(n: int, start: int = 0) -> list[Registration]:
    rng = random.Random(start)
    return [
        Registration(
            id=f"P{i:06d}",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            codes=(f"A1:{uuid.UUID(int=rng.getrandbits(128)).hex}",),
            email=f"person{i}@example.org",
            organisation=f"Organisation {i % 700}",
            role=Role.SPEAKER if i % 50 == 0 else Role.PARTICIPANT,
            ticket_type="Pass 2 jours",
            days=frozenset({1, 2}),
        )
        for i in range(start, start + n)
    ]


class Hub:
    """`sync.hub.app.serve` in a child process, stopped by its PID."""

    def __init__(self, url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        code = (
            "import sys; from sync.hub.app import serve; "
            f"serve(sys.argv[1], {ORGANISER!r}, '127.0.0.1', {self.port}, pool_size=20)"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, url],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._up, 30, 0.1)

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError("the hub exited")
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
        return False

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_pulls_and_upload(db_url: str, label: str, work: Path) -> dict[str, float]:
    db = HubDB(db_url)
    t0 = time.perf_counter()
    db.import_registrations(people(100_000))
    imported = time.perf_counter() - t0
    token = db.create_token("bench-kiosk")
    db.close()
    hub = Hub(db_url)
    results: dict[str, float] = {"import_100k_s": imported}
    try:
        # 1a. the wire alone: pages fetched and parsed into Registration objects
        source = HubSource(hub.url, token, "bench-kiosk", timeout=60)
        t0 = time.perf_counter()
        cursor, total = None, 0
        for _ in range(1000):
            page = source.pull(cursor)
            total += len(page.registrations)
            cursor = page.cursor
            if not page.more:
                break
        results["full_pull_wire_s"] = time.perf_counter() - t0
        assert total == 100_000, total

        # 1b. end to end into an empty kiosk store (SQLite, FTS index, codes)
        store = LocalStore(work / f"{label}-kiosk.db")
        engine = SyncEngine(store, source)
        t0 = time.perf_counter()
        engine.sync_once()
        results["full_pull_store_s"] = time.perf_counter() - t0
        assert store.count_registrations() == 100_000

        # 2. incremental pulls of 100 changes
        timings = []
        admin = httpx.Client(
            base_url=hub.url, headers={"Authorization": f"Bearer {ORGANISER}"}, timeout=60
        )
        for round_ in range(20):
            changed = [
                {**_as_dict(r), "status": "confirmed" if round_ % 2 else "cancelled"}
                for r in people(100, start=round_ * 1000)
            ]
            admin.post("/v1/admin/registrations", json=changed).raise_for_status()
            t0 = time.perf_counter()
            report = engine.sync_once()
            timings.append(time.perf_counter() - t0)
            assert report.registrations == 100, report
        results["incr_pull_100_median_s"] = statistics.median(timings)
        results["incr_pull_100_p95_s"] = pct(timings, 95)

        # 3. upload of 10,000 scans
        now = datetime.now(UTC)
        for i in range(10_000):
            store.record(
                Scan(
                    nonce=uuid.uuid4().hex,
                    kiosk_id="bench-kiosk",
                    at=now + timedelta(milliseconds=i),
                    code=f"CODE-{i}",
                    registration_id=f"P{i:06d}",
                    kind=ScanKind.ENTRY,
                    accepted=True,
                    reason="ok",
                    day=1,
                )
            )
        t0 = time.perf_counter()
        uploaded, _ = engine._upload()
        results["upload_10k_s"] = time.perf_counter() - t0
        assert uploaded == 10_000 and store.count_pending() == 0
        scans = admin.get("/v1/admin/stats").json()["scans"]
        assert scans == 10_000, scans
        admin.close()
        source.close()
        store.close()
    finally:
        hub.stop()
    return results


def _as_dict(reg: Registration) -> dict[str, object]:
    from sync.store import registration_to_dict

    return registration_to_dict(reg)


async def _kiosk_load(
    url: str, tokens: list[str], seconds: float, pull_every: float, cursor0: str
) -> dict[str, float]:
    """Each token is a kiosk: one upload of one scan per second, a pull every pull_every s.

    The kiosks hold the list already (cursor0): they pull other kiosks' scans and changes.
    """
    acks: list[float] = []
    pulls: list[float] = []
    errors = 0
    late = 0
    start = time.perf_counter() + 0.5
    stop_at = start + seconds

    async def one(index: int, token: str) -> None:
        nonlocal errors, late
        kiosk_id = f"load-{index}"
        rng = random.Random(index)
        headers = {"Authorization": f"Bearer {token}"}
        cursor = cursor0
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:
            next_scan = start + rng.random()
            next_pull = start + rng.random() * pull_every
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    return
                if now >= next_pull:
                    t0 = time.perf_counter()
                    params = {"cursor": cursor} if cursor else {}
                    try:
                        r = await client.get("/v1/changes", params=params)
                        r.raise_for_status()
                        cursor = r.json()["cursor"]
                        pulls.append(time.perf_counter() - t0)
                    except httpx.HTTPError:
                        errors += 1
                    next_pull += pull_every
                    continue
                if now >= next_scan:
                    if now - next_scan > 0.25:
                        late += 1  # this process could not keep the schedule
                    scan = Scan(
                        nonce=uuid.uuid4().hex,
                        kiosk_id=kiosk_id,
                        at=datetime.now(UTC),
                        code=f"C{rng.randrange(10**6)}",
                        registration_id=f"P{rng.randrange(100_000):06d}",
                        kind=ScanKind.ENTRY,
                        accepted=rng.random() < 0.9,
                        reason="ok",
                        day=1,
                    )
                    body = {
                        "items": [{"kind": "scan", "key": scan.nonce, "data": scan_to_dict(scan)}]
                    }
                    t0 = time.perf_counter()
                    try:
                        r = await client.post("/v1/upload", json=body)
                        r.raise_for_status()
                        acks.append(time.perf_counter() - t0)
                    except httpx.HTTPError:
                        errors += 1
                    next_scan += 1.0
                    continue
                await asyncio.sleep(max(0.0, min(next_scan, next_pull) - time.perf_counter()))

    await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))
    expected = len(tokens) * seconds
    return {
        "kiosks": len(tokens),
        "acks": len(acks),
        "ack_rate": len(acks) / seconds,
        "expected_rate": expected / seconds,
        "ack_p50_ms": pct(acks, 50) * 1000 if acks else float("nan"),
        "ack_p99_ms": pct(acks, 99) * 1000 if acks else float("nan"),
        "pull_p99_ms": pct(pulls, 99) * 1000 if pulls else float("nan"),
        "errors": errors,
        "late": late,
    }


def bench_load(db_url: str, steps: list[int], seconds: float) -> list[dict[str, float]]:
    db = HubDB(db_url)
    db.import_registrations(people(5_000))
    tokens = [db.create_token(f"load-{i}") for i in range(max(steps))]
    db.close()
    hub = Hub(db_url)
    results = []
    try:
        source = HubSource(hub.url, tokens[0], "load-0", timeout=60, page_size=20000)
        cursor0 = source.pull(None).cursor or ""
        source.close()
        for count in steps:
            result = asyncio.run(_kiosk_load(hub.url, tokens[:count], seconds, 3.0, cursor0))
            results.append(result)
            print(f"    {json.dumps(result)}", flush=True)
            keeps_up = result["ack_rate"] >= 0.9 * result["expected_rate"]
            if result["ack_p99_ms"] > 100 or not keeps_up or result["errors"]:
                break
    finally:
        hub.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter load steps")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    seconds = 8.0 if args.quick else 15.0
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    bindir = postgres_bindir()
    pg = None if args.skip_postgres or bindir is None else PostgresServer(bindir, fsync=True)
    try:
        with tempfile.TemporaryDirectory(prefix="accueil-bench-") as tmp:
            work = Path(tmp)
            backends = [("sqlite", lambda name: f"sqlite:///{work / name}.db")]
            if pg is not None:
                backends.append(("postgresql", lambda name: pg.url(pg.create_database())))
            for label, make_url in backends:
                print(f"\n== {label}: pulls and upload")
                for key, value in bench_pulls_and_upload(make_url("pull"), label, work).items():
                    print(f"  {key:26} {value * 1000:9.1f} ms")
            for label, make_url in backends:
                print(f"\n== {label}: 50 kiosks at 1 scan/s, pulling every 3 s ({seconds:.0f} s)")
                bench_load(make_url("load50"), [50], seconds)
            if pg is not None:
                print("\n== postgresql: how many kiosks at 1 scan/s keep p99 <= 100 ms")
                steps = [75, 100] if args.quick else [60, 75, 100, 150, 200, 300, 400]
                bench_load(make_url("ramp"), steps, seconds)
    finally:
        if pg is not None:
            pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
