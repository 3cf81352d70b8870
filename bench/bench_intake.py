"""What reading raw input costs per scan, on the demo event (760 registrations, signed tickets).

    .venv/bin/python bench/bench_intake.py [--rounds 300]

``CheckinService.interpret`` (kiosk.core.intake) for: a clean signed ticket (one lookup), the
same ticket typed by a US scanner on an AZERTY PC (every extraction, then the layout
repairs: the repaired one verifies), a ticket wrapped in a URL, and an unknown code (every
extraction and every repair tried, none matches). Median and p90 in milliseconds.
"""

from __future__ import annotations

import argparse
import csv
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import signing  # noqa: E402
from kiosk.core.intake import typed_as  # noqa: E402
from kiosk.core.service import CheckinService, KioskIdentity  # noqa: E402
from sync.importers import load_event, load_registrations  # noqa: E402
from sync.store import LocalStore  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Clock:
    def __init__(self, event) -> None:  # type: ignore[no-untyped-def]
        from datetime import datetime
        from datetime import time as clock_time
        from zoneinfo import ZoneInfo

        self.at = datetime.combine(event.days[0].date, clock_time(9), ZoneInfo(event.timezone))

    def now(self):  # type: ignore[no-untyped-def]
        return self.at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    event, sessions = load_event(ROOT / "demo" / "event.json")
    regs = load_registrations(ROOT / "demo" / "registrations.csv", timezone=event.timezone)
    verify = signing.load_verifier(ROOT / "demo" / "organiser.pub")
    with (ROOT / "demo" / "registrations.csv").open(encoding="utf-8") as f:
        codes = [row["codes"] for row in csv.DictReader(f)]
    with tempfile.TemporaryDirectory() as tmp, LocalStore(Path(tmp) / "k.db") as store:
        store.save_event(event, sessions)
        store.upsert_registrations(regs)
        service = CheckinService(
            store, store, Clock(event), event, KioskIdentity("b", "Bench"), verify
        )
        cases = {
            "clean signed ticket": lambda i: codes[i % len(codes)],
            "US scanner on AZERTY": lambda i: typed_as(codes[i % len(codes)], "us", "azerty"),
            "ticket in a URL": lambda i: "https://t.example/c?code=" + codes[i % len(codes)],
            "unknown code": lambda i: f"NOBODY-{i:06d}-XYZ",
        }
        print(
            f"Python {platform.python_version()}, {len(regs)} registrations, {args.rounds} rounds"
        )
        for name, make in cases.items():
            times = []
            for i in range(args.rounds):
                raw = make(i)
                started = time.perf_counter()
                read = service.interpret(raw)
                times.append((time.perf_counter() - started) * 1000)
                if name != "unknown code" and not read.matched:
                    raise SystemExit(f"{name}: {raw!r} was not read")
            print(
                f"{name:22s} median {statistics.median(times):6.3f} ms"
                f"   p90 {pct(times, 0.9):6.3f} ms"
            )


if __name__ == "__main__":
    main()
