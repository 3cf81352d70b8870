"""Check-in speed with 100,000 registrations: per-scan latency, name search, import.

    .venv/bin/python bench/bench_checkin.py [--registrations 100000] [--scans 2000]

Per scan: code lookup + signature check + decision + durable log (WAL, synchronous=FULL,
one committed transaction with its outbox row and badge job). Targets: p50 <= 2 ms,
p99 <= 10 ms per scan; search p95 <= 20 ms. ``--pretix-list``: every registration also has
pretix position facts and the entrance has a pulled pretix check-in list with a custom
rule (entries today, a time window), so each scan also runs the local pretix list check.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import signing  # noqa: E402
from kiosk.core import tickets  # noqa: E402
from kiosk.core.model import Role  # noqa: E402
from kiosk.core.service import CheckinService, KioskIdentity  # noqa: E402
from sync import csvfile  # noqa: E402
from sync.importers import load_event, load_registrations  # noqa: E402
from sync.store import LocalStore  # noqa: E402

FIRST = ["Hélène", "Youssef", "محمد", "Emily", "Karim", "Léa", "فاطمة", "Omar", "Chloé", "James"]
LAST = ["Dupont", "El Amrani", "العلوي", "Smith", "Bennani", "Faure", "بنعلي", "Tazi", "Roussel"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--pretix-list", action="store_true", help="add the pretix list check")
    args = parser.parse_args()
    rng = random.Random(7)
    event, sessions = load_event(ROOT / "demo" / "event.json")
    sign = signing.load_signer(ROOT / "demo" / "demo-organiser.key")
    verify = signing.load_verifier(ROOT / "demo" / "organiser.pub")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "big.csv"
        codes = []
        with csv_path.open("w", newline="", encoding="utf-8") as f:
            w = csvfile.writer(f)
            w.writerow(["id", "first_name", "last_name", "email", "organisation", "role", "codes"])
            for n in range(args.registrations):
                reg_id = f"B{n:06d}"
                code = tickets.encode(reg_id, Role.PARTICIPANT, frozenset(), event.slug, sign)
                codes.append(code)
                w.writerow([reg_id, rng.choice(FIRST), f"{rng.choice(LAST)}{n % 997}",
                            f"p{n}@example.org", "Org", "participant", code])  # fmt: skip
        store = LocalStore(Path(tmp) / "k.db")
        store.save_event(event, sessions)
        t0 = time.perf_counter()
        regs = load_registrations(csv_path)
        t_parse = time.perf_counter() - t0
        counts = store.import_registrations(regs)  # as `accueil import`: code rule included
        t_import = time.perf_counter() - t0
        assert counts.added == args.registrations

        class Clock:
            def now(self):
                from datetime import datetime
                from zoneinfo import ZoneInfo

                return datetime.now(ZoneInfo(event.timezone))

        lists = None
        if args.pretix_list:
            from kiosk.core.checkin_list import CheckinList, TicketFacts

            rule = {"and": [
                {"<": [{"var": "entries_today"}, 3]},
                {"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "00:00"]}]},
            ]}  # fmt: skip
            clist = CheckinList(1, allow_multiple_entries=True, rules=rule)
            facts = {r.id: TicketFacts(item=1) for r in regs}
            store.apply_pull("pretix", [], [], None, lists={"": clist}, facts=facts)
            lists = store
        service = CheckinService(
            store, store, Clock(), event, KioskIdentity("bench", "Bench"), verify, day=1,
            lists=lists,
        )  # fmt: skip
        sample = rng.sample(codes, args.scans)
        sample += sample[: args.scans // 10]  # some repeats (already checked in)
        sample += ["unknown-code"] * (args.scans // 20)
        rng.shuffle(sample)
        per_scan = []
        for code in sample:
            s = time.perf_counter()
            service.check(code)
            per_scan.append((time.perf_counter() - s) * 1000)
        queries = [rng.choice(["hel", "helene", "youssef el", "محم", "العلوي", "smith 12", "fau", "bennani 5"])
                   for _ in range(args.searches)]  # fmt: skip
        per_search = []
        for q in queries:
            s = time.perf_counter()
            store.search(q)
            per_search.append((time.perf_counter() - s) * 1000)
        store.close()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"SQLite {__import__('sqlite3').sqlite_version}")  # fmt: skip
    print(
        f"registrations: {args.registrations:,}; scans: {len(sample):,}; searches: {args.searches}"
    )
    print(f"import: parse {t_parse:.2f} s, parse + store {t_import:.2f} s "
          f"({args.registrations / t_import:,.0f} registrations/s)")  # fmt: skip
    what = " + pretix list" if args.pretix_list else ""
    print(f"scan (lookup + verify + decide{what} + durable log): p50 {statistics.median(per_scan):.2f} ms, "
          f"p99 {pct(per_scan, 0.99):.2f} ms, max {max(per_scan):.2f} ms  [targets 2 / 10 ms]")  # fmt: skip
    print(f"name search: p50 {statistics.median(per_search):.2f} ms, p95 {pct(per_search, 0.95):.2f} ms "
          "[target p95 20 ms]")  # fmt: skip


if __name__ == "__main__":
    main()
