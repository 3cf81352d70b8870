"""Kiosk app benchmark: cold start to ready, and code read -> verdict on screen (Pilot).

Builds a temp kiosk (demo-sized event: 760 registrations, preview printer, no camera) and
runs the real app from Runtime.build_app headless.

    .venv/bin/python bench/bench_app.py [--runs 5] [--scans 100]

Cold start: a fresh Python process, from the top of this script (before importing
Textual, the store and the app) to the attendee screen showing its instruction. Code to verdict: from the reader's on_code callback (what the
camera thread calls) to the verdict text being in the screen's widgets, i.e. checked,
committed to SQLite (synchronous=FULL) and laid out. Targets: 1.5 s and 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

PROCESS_START = (
    time.perf_counter()
)  # as early as this script can know; the interpreter's own start is extra
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.config import load_config  # noqa: E402
from kiosk.core.model import Registration  # noqa: E402
from main import Runtime  # noqa: E402
from tests.ui.conftest import EVENT, SESSIONS, write_config  # noqa: E402


def make_runtime(root: Path) -> Runtime:
    runtime = Runtime(load_config(write_config(root)))
    runtime.store.save_event(EVENT, SESSIONS)
    runtime.store.upsert_registrations(
        Registration(f"B{i:04}", f"First{i}", f"Last{i}", (f"BENCH-{i:04}",)) for i in range(760)
    )
    return runtime


def cold_start_process(root: Path) -> float:
    """A fresh Python process: imports, config, store, app, first screen drawn."""
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--cold-child", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


async def cold_start(root: Path, started: float) -> float:
    runtime = Runtime(load_config(root / "config.toml"))
    app = runtime.build_app(language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        while not (app.screen.query("#title") and app.screen.query_one("#title").text):
            await pilot.pause(0)
        ready = time.perf_counter() - started
    runtime.close()
    return ready


async def code_to_verdict(root: Path, scans: int, interval: float) -> list[float]:
    runtime = Runtime(load_config(root / "config.toml"))
    app = runtime.build_app(language="en")
    times: list[float] = []
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.3)
        for i in range(scans):
            code = f"BENCH-{i:04}"
            before = len(app.sounds)
            started = time.perf_counter()
            # The reader calls on_code from its own thread: do the same.
            threading.Thread(target=app._reader_code, args=(code, "camera", False)).start()
            while len(app.sounds) == before:
                await pilot.pause(0)
            await pilot.pause(0)  # one more refresh: the verdict is drawn
            times.append(time.perf_counter() - started)
            assert f"First{i} Last{i}" in app.screen.query_one("#result-text").text
            await pilot.pause(interval)  # the next attendee steps up
    runtime.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scans", type=int, default=60)
    parser.add_argument(
        "--interval", type=float, default=0.5, help="seconds between attendees (0: back to back)"
    )
    parser.add_argument("--cold-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        print(asyncio.run(cold_start(Path(args.cold_child), PROCESS_START)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_runtime(root).close()
        starts = [cold_start_process(root) for _ in range(args.runs)]
        verdicts = asyncio.run(code_to_verdict(root, args.scans, args.interval))
    machine = f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    print(
        f"cold start to ready: median {statistics.median(starts):.3f} s, max {max(starts):.3f} s "
        f"over {args.runs} runs (target <= 1.5 s)"
    )
    q = statistics.quantiles(verdicts, n=20)
    print(
        f"code read -> verdict on screen: median {statistics.median(verdicts) * 1000:.1f} ms, "
        f"p95 {q[18] * 1000:.1f} ms, max {max(verdicts) * 1000:.1f} ms over {len(verdicts)} scans, "
        f"{args.interval} s apart, badges printing meanwhile (target <= 100 ms)"
    )


if __name__ == "__main__":
    main()
