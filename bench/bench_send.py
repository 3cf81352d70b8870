"""What sending one badge to a network printer takes, confirmation included.

    .venv/bin/python bench/bench_send.py [--rounds 40]

NetworkPrinter.send: connect, ask status (DLE EOT 1 and 4), send the badge, wait until the
printer's TCP stack acknowledged every byte (so a connection lost afterwards is known to
have happened once the whole badge left), ask status again. Against the test suite's
loopback printer, which answers like an Epson printer; printer text and raster badges.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from printers.badges import BadgeMaker  # noqa: E402
from printers.devices import NetworkPrinter  # noqa: E402
from printers.encode import load_profile  # noqa: E402
from printers.layout import BadgeOptions  # noqa: E402
from tests.conftest import EVENT, people  # noqa: E402
from tests.printers.fakeprinter import FakePrinter  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    fake = FakePrinter()
    try:
        profile = load_profile("TM-T88V")
        printer = NetworkPrinter("main", profile, "127.0.0.1", fake.port, 5.0)
        maker = BadgeMaker(EVENT, BadgeOptions())
        print(f"{platform.python_implementation()} {platform.python_version()}, TM-T88V")
        for method in ("text", "raster"):
            maker.method = method
            data = maker.encode(people()[0], profile).data
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                printer.send(data, "bench")
                times.append(time.perf_counter() - start)
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            print(
                f"{method:<6} {len(data):>6} bytes: p50 {1000 * statistics.median(times):.1f} ms"
                f", p95 {1000 * p95:.1f} ms"
            )
    finally:
        fake.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
