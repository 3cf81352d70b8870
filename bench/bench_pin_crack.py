"""What a stolen PIN hash costs to crack offline, with the kiosk's scrypt parameters.

    .venv/bin/python bench/bench_pin_crack.py [--tries 40] [--processes 1]

Times the attacker's inner loop (one scrypt per candidate PIN, N=2^14, r=8, p=1, 16 MiB)
on this machine, then checks the figure by really searching a stretch of the PIN space for
a known PIN. The whole-space cost is the per-try time times the space: 10^4 for a 4-digit
steward PIN, 10^6 for a 6-digit supervisor PIN, 10^12 for the 12-digit recovery code;
on average an attacker finds the PIN in half of it. ``--processes`` spreads the search
over cores, as an attacker would (the cost in core-seconds does not change).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.staff_auth import hash_pin, parse_pin_hash  # noqa: E402


def _search(args: tuple[str, int, int, int]) -> str | None:
    line, start, stop, width = args
    target = parse_pin_hash(line)
    for n in range(start, stop):
        candidate = f"{n:0{width}d}"
        if target.matches(candidate):
            return candidate
    return None


def _human(seconds: float) -> str:
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:,.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=40)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()

    line = hash_pin("0037")
    target = parse_pin_hash(line)
    times = []
    for n in range(args.tries):
        t0 = time.perf_counter()
        target.matches(f"{9000 + n:04d}")
        times.append(time.perf_counter() - t0)
    per_try = statistics.median(times)

    # Check it: really search 0000-0039 for the PIN, as a cracker does.
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.processes) as pool:
        chunks = [(line, s, min(s + 10, 40), 4) for s in range(0, 40, 10)]
        found = [r for r in pool.map(_search, chunks) if r]
    search_rate = 40 / (time.perf_counter() - t0)
    assert found == ["0037"], found

    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"{args.processes} process(es)")  # fmt: skip
    print(f"scrypt N={target.n} r={target.r} p={target.p}: {per_try * 1000:.1f} ms per try "
          f"(median of {args.tries}; p90 {sorted(times)[int(len(times) * 0.9)] * 1000:.1f} ms); "
          f"real search of 40 PINs: {search_rate:.1f} tries/s, PIN found")  # fmt: skip
    for name, space in (("4-digit steward PIN", 10**4), ("6-digit supervisor PIN", 10**6),
                        ("12-digit recovery code", 10**12)):  # fmt: skip
        whole = space * per_try
        print(f"  {name:24} {space:>17,} PINs: all {_human(whole)} of one core, "
              f"half on average {_human(whole / 2)}")  # fmt: skip


if __name__ == "__main__":
    main()
