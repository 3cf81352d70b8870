"""Badge speed and size: render + encode time per badge, bytes per method, transfer times.

    .venv/bin/python bench/bench_badge.py [--badges 200] [--profile TM-T20II]

Each badge gets its own ticket code (so no QR code is reused from a cache) and a name
drawn from a pool, as at the door. Targets: <= 30 ms render + encode per badge; a Latin
badge <= 20 KB in printer text + native QR where a full raster is ~36 KB.

Transfer times are what the byte counts imply on each link: USB full speed at its
~1 MB/s practical bulk rate, 115,200 baud serial (8N1: 10 bits per byte) and 100 Mbit/s
Ethernet; the printer's own printing speed (mm/s) comes on top.
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

from kiosk.core.model import Lang, Registration, Role  # noqa: E402
from printers.encode import encode_badge, load_profile  # noqa: E402
from printers.escpos_env import import_escpos  # noqa: E402
from printers.layout import BadgeOptions, badge_content  # noqa: E402
from sync.importers import load_event  # noqa: E402

LINKS = {  # bytes per second
    "USB full speed": 1_000_000,
    "serial 115200": 11_520,
    "100 Mbit/s": 12_500_000,
}
KINDS = {
    "latin": (["Hélène", "Loïc", "Emily", "Chloé", "Karim"], ["Dupont", "Bonnet", "Smith", "Lefèvre", "Tazi"], "CDG Invest"),
    "arabic": (["محمد", "فاطمة", "خالد", "سناء"], ["بنعلي", "العلوي", "الشرايبي", "بناني"], "المكتب الوطني للكهرباء"),
    "long": (["Anne-Sophie Maximilienne"], ["de La Rochefoucauld-Montmorency Ali"], "Université Hassan II de Casablanca"),
}  # fmt: skip
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def ticket(rng: random.Random) -> str:
    return "A1:" + "".join(rng.choice(ALPHABET) for _ in range(110))


def people(kind: str, count: int, rng: random.Random) -> list[Registration]:
    first, last, org = KINDS[kind]
    roles = [Role.PARTICIPANT, Role.SPEAKER, Role.PRESS]
    return [
        Registration(f"B{i:05d}", rng.choice(first), rng.choice(last), (ticket(rng),), "", org, rng.choice(roles))
        for i in range(count)
    ]  # fmt: skip


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=200, help="badges per kind and method")
    parser.add_argument("--profile", default="TM-T20II", help="python-escpos profile (576 dots)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", cache)
        import_escpos(Path(cache))
        profile = load_profile(args.profile)
        event, _ = load_event(ROOT / "demo" / "event.json")
        options = BadgeOptions(language=Lang.FR)
        rng = random.Random(4)
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(
            f"printer profile {profile.name}: {profile.width} dots, {args.badges} badges per row\n"
        )
        # The first badge loads fonts and escpos: timed apart, then 30 badges warm the caches
        # as the first minutes at the door do.
        started = time.perf_counter()
        encode_badge(badge_content(people("latin", 1, rng)[0], event, options), profile, "raster")
        print(f"first badge of the day (cold): {(time.perf_counter() - started) * 1000:.0f} ms")
        for kind in KINDS:
            for reg in people(kind, 10, rng):
                encode_badge(badge_content(reg, event, options), profile, "raster")
        print("")
        print(f"{'badge':<8}{'method':<8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'bytes':>8}  "
              + "  ".join(f"{name:>15}" for name in LINKS))  # fmt: skip
        for kind in KINDS:
            regs = people(kind, args.badges, rng)
            for method in ("auto", "raster"):
                times, sizes, chosen = [], [], set()
                for reg in regs:
                    started = time.perf_counter()
                    job = encode_badge(badge_content(reg, event, options), profile, method)
                    times.append((time.perf_counter() - started) * 1000)
                    sizes.append(len(job.data))
                    chosen.add(job.method)
                size = statistics.mean(sizes)
                transfer = "  ".join(f"{size / rate * 1000:>12.1f} ms" for rate in LINKS.values())
                print(
                    f"{kind:<8}{'/'.join(sorted(chosen)):<8}{pct(times, 0.5):>8.1f}{pct(times, 0.95):>8.1f}"
                    f"{max(times):>8.1f}{size:>8.0f}  {transfer}"
                )
    print("\ntargets: p95 <= 30 ms render + encode; Latin text badge <= 20,000 bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
