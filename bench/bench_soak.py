"""Soak: one kiosk scanning at a steady rate for a long stretch; memory and descriptors stay flat.

    .venv/bin/python bench/bench_soak.py [--minutes 10] [--rate 1.0]

A real hub and a headless kiosk process (the rehearsal's worker: check-in service, sync
engine, print queue to a loopback printer) take one scan per second — first entries with a
badge each, then repeats — while the kiosk process's resident memory and open file
descriptors are sampled from /proc. Bounded by --minutes; loopback only.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.rehearsal.conductor import Rehearsal  # noqa: E402


def sample(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
    return rss_kb, len(list(Path(f"/proc/{pid}/fd").iterdir()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=1.0, help="scans per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = Rehearsal(Path(tmp) / "ws", kiosks=1, faults=[], speed=1.0)
        r.setup()
        kiosk = r.kiosks[0]
        assert kiosk.proc is not None and kiosk.proc.stdin is not None
        codes = [reg.codes[0] for reg in r.registrations if reg.codes]
        samples: list[tuple[float, int, int]] = []
        start = time.monotonic()
        n = 0
        try:
            while time.monotonic() - start < args.minutes * 60:
                due = start + n / args.rate
                time.sleep(max(0.0, due - time.monotonic()))
                n += 1
                kiosk.proc.stdin.write(
                    json.dumps({"id": n, "op": "scan", "code": codes[n % len(codes)]}) + "\n"
                )
                kiosk.proc.stdin.flush()
                if r._await(kiosk, n) is None:
                    raise RuntimeError("the kiosk died during the soak")
                if n % max(1, int(10 * args.rate)) == 0:
                    samples.append((time.monotonic() - start, *sample(kiosk.proc.pid)))
            r.finish()
        finally:
            r.close()
    first, last = samples[len(samples) // 10], samples[-1]  # skip warm-up (imports, caches)
    peak_rss = max(s[1] for s in samples)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; "
          f"{n} scans in {args.minutes:g} min at {args.rate:g}/s")  # fmt: skip
    print(f"kiosk RSS after warm-up {first[1] / 1024:.1f} MiB -> end {last[1] / 1024:.1f} MiB "
          f"(peak {peak_rss / 1024:.1f} MiB); growth {(last[1] - first[1]) / 1024:+.1f} MiB "
          f"over {(last[0] - first[0]) / 60:.1f} min")  # fmt: skip
    print(f"open file descriptors: {first[2]} -> {last[2]} (max {max(s[2] for s in samples)})")
    marks = [samples[min(len(samples) - 1, len(samples) * i // 10)] for i in range(1, 11)]
    print("RSS at each tenth of the run (MiB): "
          + " ".join(f"{s[1] / 1024:.1f}" for s in marks))  # fmt: skip


if __name__ == "__main__":
    main()
