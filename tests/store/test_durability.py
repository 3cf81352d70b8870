"""A kiosk killed with SIGKILL mid-burst keeps every scan it acknowledged, exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sync.store import LocalStore
from tests.conftest import ROOT

CHILD = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from kiosk.core.model import Scan, ScanKind
    from kiosk.core.ports import PrintRequest
    from sync.store import LocalStore

    store = LocalStore(sys.argv[1])
    start = int(sys.argv[2])
    for i in range(start, start + 100000):
        scan = Scan(nonce=f"n{i}", kiosk_id="k1", at=datetime.now(timezone.utc), code=f"C{i}",
                    registration_id=f"R{i}", kind=ScanKind.ENTRY, accepted=True, reason="ok")
        store.record(scan, PrintRequest(f"R{i}"))
        print(scan.nonce, flush=True)  # the attendee would see "welcome" now
    """
)


def run_and_kill(db: Path, start: int, rng: random.Random) -> list[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(start)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    acknowledged: list[str] = []
    deadline = time.monotonic() + 20
    target = rng.randint(1, 60)
    assert child.stdout is not None
    while len(acknowledged) < target and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    # kill somewhere inside the next transaction, not only between two of them
    time.sleep(rng.random() * 0.004)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    acknowledged += [line.strip() for line in child.stdout.read().splitlines() if line.strip()]
    return acknowledged


def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path):
    rng = random.Random(20261208)
    db = tmp_path / "kiosk.db"
    LocalStore(db).close()
    acknowledged: list[str] = []
    for round_ in range(25):
        acknowledged += run_and_kill(db, round_ * 1000, rng)
    with LocalStore(db) as store:
        logged = [s.nonce for s in store.scans()]
        outbox = [item.key for item in store.pending(limit=100000)]
        jobs = store.print_jobs("pending", limit=100000)
    assert len(acknowledged) >= 25
    assert len(logged) == len(set(logged)), "a scan was logged twice"
    missing = set(acknowledged) - set(logged)
    assert not missing, f"acknowledged scans lost: {sorted(missing)[:5]}"
    # the scan, its upload and its badge commit together or not at all
    assert sorted(outbox) == sorted(logged)
    assert sorted(j.registration_id for j in jobs) == sorted("R" + n[1:] for n in logged)
