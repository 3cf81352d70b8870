"""Label badges: render + encode time and bytes per badge, per printer kind and label size.

    .venv/bin/python bench/bench_label.py [--badges 40]

One run measures ESC/POS (80 mm receipt, TM-T20II) beside the label printers: Brother QL
(QL raster through brother_ql) on 62 x 100 mm die-cut and 62 mm continuous labels, and
Zebra ZPL on 2.25 x 4 in and 4 x 3 in labels at 203 and 300 dpi, for Latin, Arabic and
long names. Each badge has its own ticket code (no QR cache hit). Wall time and CPU time
(this process only: steadier when the machine is shared) per badge. Target: <= 250 ms,
well inside the second or more a label printer takes to print one label.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_badge import people  # noqa: E402

from kiosk.core.model import Lang  # noqa: E402
from printers.badges import BadgeMaker  # noqa: E402
from printers.encode import load_profile  # noqa: E402
from printers.escpos_env import import_escpos  # noqa: E402
from printers.labels import label_profile  # noqa: E402
from printers.layout import BadgeOptions  # noqa: E402
from sync.importers import load_event  # noqa: E402

LABELS = [
    ("brother_ql", "62x100", 0),
    ("brother_ql", "62", 0),
    ("zpl", "2.25x4in", 203),
    ("zpl", "2.25x4in", 300),
    ("zpl", "4x3in", 203),
    ("zpl", "4x3in", 300),
]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.system()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=40, help="badges per kind, label, name")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", cache)
        import_escpos(Path(cache))
        event, _ = load_event(ROOT / "demo" / "event.json")
        maker = BadgeMaker(event, BadgeOptions(language=Lang.FR))
        printers = [("escpos", "80 mm receipt", load_profile("TM-T20II"))]
        printers += [(k, f"{size} {dpi or 300} dpi", label_profile(k, "", size, dpi))
                     for k, size, dpi in LABELS]  # fmt: skip
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {cpu_name()}"
        )
        print(f"{args.badges} badges per row, each with its own ticket code\n")
        print(f"{'kind':11} {'label':18} {'names':7} {'method':7} "
              f"{'median ms':>9} {'p95 ms':>7} {'cpu ms':>7} {'bytes (median)':>15}")  # fmt: skip
        for kind, label, profile in printers:
            for names in ("latin", "arabic", "long"):
                regs = people(names, args.badges, random.Random(7))
                maker.encode(regs[0], profile)  # fonts loaded, caches warm
                times, cpu, sizes, methods = [], [], [], set()
                for reg in regs:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    encoded = maker.encode(reg, profile)
                    times.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                    sizes.append(len(encoded.data))
                    methods.add(encoded.method)
                print(
                    f"{kind:11} {label:18} {names:7} {'/'.join(sorted(methods)):7} "
                    f"{statistics.median(times):9.1f} {pct(times, 0.95):7.1f} "
                    f"{statistics.median(cpu):7.1f} "
                    f"{int(statistics.median(sizes)):15,}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
