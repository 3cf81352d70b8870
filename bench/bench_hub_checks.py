"""What checking every uploaded field costs the hub (issue 14), in this process, on SQLite.

    .venv/bin/python bench/bench_hub_checks.py

1. ``HubDB.upload`` of 10,000 scans in batches of 500 (the sync engine's batch size): each
   item validated strictly and against the published event, nonces looked up before the
   insert. Median of 3 runs.
2. The strict check of 100,000 registrations as ``POST /v1/admin/registrations`` reads them
   (``sync.hub.models.read_registration``), without the database.

Prints one JSON object. Every loop is bounded; nothing leaves this machine.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.core.model import Registration, Scan, ScanKind  # noqa: E402
from sync.hub.db import HubDB  # noqa: E402
from sync.hub.models import EventWindow, read_registration  # noqa: E402
from sync.store import registration_to_dict, scan_to_dict  # noqa: E402

EVENT = {
    "slug": "bench",
    "name": "Bench",
    "timezone": "Africa/Casablanca",
    "days": [{"number": 1, "date": datetime.now(UTC).date().isoformat()}],
    "sessions": [],
}


def upload_10k() -> float:
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as folder:
            db = HubDB(f"sqlite:///{Path(folder) / 'hub.db'}")
            db.set_event_definition(EVENT)
            now = datetime.now(UTC)
            items = []
            for i in range(10_000):
                nonce = uuid.uuid4().hex
                scan = Scan(nonce, "k1", now + timedelta(milliseconds=i), f"CODE-{i}",
                            f"P{i:06d}", ScanKind.ENTRY, True, "ok", day=1)  # fmt: skip
                items.append({"kind": "scan", "key": nonce, "data": scan_to_dict(scan)})
            started = time.perf_counter()
            for start in range(0, len(items), 500):
                outcome = db.upload("k1", items[start : start + 500])
                assert not outcome.rejected, outcome.rejected[:1]
            runs.append(time.perf_counter() - started)
            db.close()
    return statistics.median(runs)


def check_100k_registrations() -> float:
    rows = [
        registration_to_dict(
            Registration(f"P{i:06d}", "Prénom", "Nom", (f"CODE-{i}",), "a@example.org", "Org")
        )
        for i in range(100_000)
    ]
    window = EventWindow.of(EVENT)
    started = time.perf_counter()
    for row in rows:
        read_registration(row, window)
    return time.perf_counter() - started


def main() -> int:
    results = {
        "upload_10k_scans_s": round(upload_10k(), 3),
        "strict_check_100k_registrations_s": round(check_100k_registrations(), 3),
    }
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
