"""The store's print-queue rule: at most one waiting badge per registration, whatever happens.

Random sequences of what the kiosk, the shell and staff do to print jobs, on a real SQLite
file; after every step no registration has two badges that may still come out, and a
request for a badge always leaves one that will (or did) come out.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.ports import (
    WAITING_STATUSES,
    PrintJobConflict,
    PrintReason,
    PrintRequest,
)
from sync.store import LocalStore
from tests.conftest import EVENT, SESSIONS, people

REGS = ("R1", "R2", "R12")
PRINTERS = ("", "main", "desk")
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)

step = st.one_of(
    st.tuples(st.just("checkin"), st.sampled_from(REGS)),
    st.tuples(st.just("reprint"), st.sampled_from(REGS), st.sampled_from(PRINTERS), st.booleans()),
    st.tuples(st.just("claim"), st.sampled_from(PRINTERS[1:]), st.booleans()),
    st.tuples(st.just("done"), st.integers(0, 20)),
    st.tuples(st.just("fail"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("staff"), st.integers(0, 20), st.sampled_from(["cancelled", "pending"])),
    st.tuples(st.just("move"), st.integers(0, 20), st.sampled_from(PRINTERS[1:])),
    st.tuples(st.just("route"), st.integers(0, 20), st.sampled_from(["desk", "held", "pending"])),
    st.tuples(st.just("settle")),
)


def waiting_per_registration(store: LocalStore) -> dict[str, int]:
    counts: dict[str, int] = {}
    for job in store.print_jobs(None, 10_000):
        if job.status in WAITING_STATUSES:
            counts[job.registration_id] = counts.get(job.registration_id, 0) + 1
    return counts


def apply(store: LocalStore, op: tuple, clock: list[datetime]) -> None:
    jobs = store.print_jobs(None, 10_000)
    kind = op[0]
    clock[0] += timedelta(seconds=1)
    now = clock[0]
    if kind in ("checkin", "reprint"):
        reason = PrintReason.CHECKIN if kind == "checkin" else PrintReason.REPRINT
        printer, replace = (op[2], op[3]) if kind == "reprint" else ("", False)
        asked = store.request_badge(
            PrintRequest(op[1], reason, "steward" if kind == "reprint" else ""),
            printer,
            replace=replace,
        )
        job = store.print_job(asked.job_id)
        assert job is not None and job.status in WAITING_STATUSES, (op, job)
        return
    if kind == "claim":
        store.claim_print_job(now, now + timedelta(seconds=120), op[1], assigned_only=op[2])
        return
    if kind == "settle":
        clock[0] += timedelta(seconds=121)
        store.settle_interrupted_prints(clock[0])
        return
    if not jobs:
        return
    job = jobs[op[1] % len(jobs)]
    if kind == "done":
        store.print_done(job.id, now)
    elif kind == "fail":
        store.print_failed(job.id, "paper out", now if op[2] else None)
    elif kind in ("staff", "move"):
        change = {"status": op[2]} if kind == "staff" else {"status": "pending", "printer": op[2]}
        with contextlib.suppress(PrintJobConflict):  # refused, with a message for staff
            store.set_print_job(job.id, "steward", **change)
    elif kind == "route":
        store.route_print_job(job.id, status=op[2])


@settings(max_examples=80, deadline=None)
@given(st.lists(step, min_size=1, max_size=40))
def test_never_two_waiting_badges_for_one_person(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp, LocalStore(Path(tmp) / "kiosk.db") as store:
        store.save_event(EVENT, SESSIONS)
        store.upsert_registrations(people())
        clock = [NOW]
        for op in steps:
            before = {j.id: j.status for j in store.print_jobs(None, 10_000)}
            apply(store, op, clock)
            counts = waiting_per_registration(store)
            assert all(n <= 1 for n in counts.values()), (op, counts)
            after = {j.id: j.status for j in store.print_jobs(None, 10_000)}
            # a printed badge never becomes waiting again (no silent second copy)
            assert not any(before.get(i) == "done" and s != "done" for i, s in after.items()), op


def test_a_store_with_duplicates_from_before_the_rule_keeps_the_oldest(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    with LocalStore(path) as store:
        store.save_event(EVENT, SESSIONS)
        store.upsert_registrations(people())
    con = sqlite3.connect(path)
    # back to a version-1 store: no one-waiting index, none of the later tables
    con.execute("DROP INDEX print_jobs_one_waiting")
    for table in ("checkin_lists", "ticket_facts", "pull_seen"):
        con.execute(f"DROP TABLE {table}")
    for n in range(3):
        con.execute(
            "INSERT INTO print_jobs(registration_id, reason, created_at) VALUES ('R1', ?, ?)",
            ("reprint" if n else "checkin", f"2026-12-08T09:0{n}:00+00:00"),
        )
    con.execute(
        "INSERT INTO print_jobs(registration_id, reason, created_at) VALUES ('R2', 'checkin', '2026-12-08T09:00:00+00:00')"
    )
    con.execute("PRAGMA user_version=1")
    con.commit()
    con.close()
    with LocalStore(path) as store:
        jobs = {j.id: (j.registration_id, j.status) for j in store.print_jobs(None)}
        assert jobs == {
            1: ("R1", "pending"),
            2: ("R1", "cancelled"),
            3: ("R1", "cancelled"),
            4: ("R2", "pending"),
        }
        assert "second badge" in store.print_job(2).last_error
        with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
            db.execute("UPDATE print_jobs SET status = 'pending' WHERE id = 2")


# -- the wall clock jumps (NTP at boot, a kiosk without a real-time clock) ------------------


def a_store(tmp_path: Path) -> LocalStore:
    store = LocalStore(tmp_path / "kiosk.db")
    store.save_event(EVENT, SESSIONS)
    store.upsert_registrations(people())
    return store


def test_a_badge_printed_across_a_forward_clock_jump_counts_as_printed(tmp_path: Path) -> None:
    """The clock jumped 10 minutes ahead while a worker was sending: another worker saw
    the lease over and called the job 'uncertain'. The sending worker's word wins: it
    printed, so staff are not asked to check a tray the attendee already emptied (their
    reprint would make a second badge)."""
    with a_store(tmp_path) as store:
        job = store.queue_print(PrintRequest("R1", PrintReason.CHECKIN))
        assert store.claim_print_job(NOW, NOW + timedelta(seconds=120), "main") is not None
        jumped = NOW + timedelta(minutes=10)
        assert store.settle_interrupted_prints(jumped) == 1  # the desk's worker, meanwhile
        store.print_done(job, jumped)
        assert store.print_job(job).status == "done"
        assert store.get("R1").print_count == 1 and store.print_jobs("uncertain") == []


def test_a_backward_clock_jump_does_not_hold_a_badge_for_an_hour(tmp_path: Path) -> None:
    """A kiosk booted an hour fast, then NTP set it right: a retry time written by the
    fast clock is not an hour-long wait, and a lease written by it ends with the dead
    worker's next lease at most, not an hour later."""
    with a_store(tmp_path) as store:
        fast = NOW + timedelta(hours=1)
        job = store.queue_print(PrintRequest("R1", PrintReason.CHECKIN))
        store.claim_print_job(fast, fast + timedelta(seconds=120), "main")
        store.print_failed(job, "paper out", fast + timedelta(seconds=30))
        claimed = store.claim_print_job(NOW, NOW + timedelta(seconds=120), "main")
        assert claimed is not None and claimed.id == job  # not at NOW + 1 h
        other = store.queue_print(PrintRequest("R2", PrintReason.CHECKIN))
        store.claim_print_job(fast, fast + timedelta(seconds=120), "main", job_id=other)
        # that worker died; the clock is set right
        assert store.settle_interrupted_prints(NOW, NOW + timedelta(seconds=120)) == 1
        assert store.print_job(other).status == "uncertain"
        assert store.print_job(job).status == "printing"  # its own lease is a real one


@pytest.mark.parametrize("late", ["uncertain", "printing"])
def test_migrating_duplicates_keeps_the_badge_that_may_be_in_the_tray(
    tmp_path: Path, late: str
) -> None:
    """An older kiosk queued a check-in badge (printer down), then a reprint that it was
    sending when it stopped ('uncertain'; or still sending: 'printing'). Keeping the
    older pending one would print it by itself next to the one that may be in the tray."""
    path = tmp_path / "kiosk.db"
    with LocalStore(path) as store:
        store.save_event(EVENT, SESSIONS)
        store.upsert_registrations(people())
    con = sqlite3.connect(path)
    con.execute("DROP INDEX print_jobs_one_waiting")
    for table in ("checkin_lists", "ticket_facts", "pull_seen"):  # back to version 1
        con.execute(f"DROP TABLE {table}")
    con.execute(
        "INSERT INTO print_jobs(registration_id, reason, created_at, status) "
        "VALUES ('R1', 'checkin', '2026-12-08T09:00:00+00:00', 'pending')"
    )
    con.execute(
        "INSERT INTO print_jobs(registration_id, reason, created_at, status, next_attempt_at) "
        "VALUES ('R1', 'reprint', '2026-12-08T09:01:00+00:00', ?, '2026-12-08T09:03:00+00:00')",
        (late,),
    )
    con.execute("PRAGMA user_version=1")
    con.commit()
    con.close()
    with LocalStore(path) as store:
        assert {j.id: j.status for j in store.print_jobs(None)} == {1: "cancelled", 2: late}
        assert "second badge" in store.print_job(1).last_error
