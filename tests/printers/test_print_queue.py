"""The print queue: real store, real worker threads, a real TCP printer that misbehaves."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from kiosk.core.model import Registration
from kiosk.core.ports import PrinterState, PrintReason, PrintRequest
from kiosk.core.service import CheckinService, KioskIdentity
from printers.badges import BadgeMaker
from printers.devices import ASK_PAPER, ASK_PRINTER, NetworkPrinter, PreviewPrinter
from printers.emulator import read_pages
from printers.encode import load_profile
from printers.layout import BadgeOptions
from printers.queue import JobError, PrintQueue
from sync.store import LocalStore
from tests.conftest import EVENT
from tests.printers import fakeprinter
from tests.printers.conftest import SystemClock, decode_qr
from tests.printers.fakeprinter import FakePrinter

QUERY = ASK_PRINTER + ASK_PAPER
PROFILE = "TM-T88V"


def wait_until(condition: Callable[[], object], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def make_queue(store: LocalStore, *printers) -> PrintQueue:
    return PrintQueue(
        store,
        list(printers),
        BadgeMaker(EVENT, BadgeOptions()),
        SystemClock(),
        backoff=(0.05, 0.1, 0.2),
        wait_for_registration=(0.05, 0.1),
        poll_seconds=0.05,
        probe_seconds=0,
    )


def network(fake: FakePrinter, name: str = "main") -> NetworkPrinter:
    return NetworkPrinter(name, load_profile(PROFILE), "127.0.0.1", fake.port, 2.0)


@pytest.fixture
def queue_on(store: LocalStore) -> Iterator[Callable[..., PrintQueue]]:
    made: list[PrintQueue] = []

    def build(*printers) -> PrintQueue:
        q = make_queue(store, *printers)
        made.append(q)
        return q

    yield build
    for q in made:
        q.stop()


def queue(store: LocalStore, reg_id: str) -> int:
    return store.queue_print(PrintRequest(reg_id, PrintReason.CHECKIN))


def badge_codes(jobs: list[bytes]) -> list[str]:
    """The QR code printed on each whole badge the printer received."""
    out = []
    for data in jobs:
        body = data[len(QUERY) : -len(QUERY)] if data.endswith(QUERY) else data[len(QUERY) :]
        out += read_pages(body, 512)[0].qr_codes or decode_qr(read_pages(body, 512)[0].image)
    return out


def test_check_in_prints_its_badge_once(
    store: LocalStore, fake_printer: FakePrinter, queue_on
) -> None:
    service = CheckinService(
        store, store, SystemClock(), EVENT, KioskIdentity("k1", "Kiosk 1"), day=1
    )
    result = service.check("CODE-1")
    assert result.verdict.ok and result.print_job is not None
    q = queue_on(network(fake_printer))
    q.start()
    assert wait_until(lambda: store.print_job(result.print_job).status == "done")
    assert badge_codes(fake_printer.jobs()) == ["CODE-1"]
    assert store.get("R1").print_count == 1
    assert q.state().jobs_waiting == 0 and q.state().state is PrinterState.OK


def test_paper_out_jobs_wait_then_print_once_each_in_order(store, fake_printer, queue_on) -> None:
    fake_printer.paper = fakeprinter.PAPER_OUT
    ids = [queue(store, r) for r in ("R1", "R2", "R6")]
    q = queue_on(network(fake_printer))
    q.start()
    assert wait_until(lambda: q.state().state is PrinterState.PAPER_OUT)
    state = q.state()
    assert (
        state.jobs_waiting == 3 and "Out of paper" in state.message and "3 badges" in state.message
    )
    time.sleep(0.3)  # several retries while out of paper
    assert fake_printer.jobs() == []
    assert all(store.print_job(i).status == "pending" for i in ids)
    fake_printer.paper = fakeprinter.OK
    assert wait_until(lambda: all(store.print_job(i).status == "done" for i in ids))
    time.sleep(0.2)  # nothing more arrives afterwards
    assert badge_codes(fake_printer.jobs()) == ["CODE-1", "CODE-2", "CODE-6"]
    assert [store.get(r).print_count for r in ("R1", "R2", "R6")] == [1, 1, 1]
    assert q.state().state is PrinterState.OK and q.state().last_error == ""


def test_paper_out_during_a_badge_marks_it_printed_and_tells_staff_to_reload(
    store, fake_printer, queue_on
) -> None:
    # The roll ends part-way through the first badge: the printer holds the rest and prints
    # it once paper is loaded, so the job is done; the state says paper out at once.
    fake_printer.paper_out_after = len(QUERY) + 100  # a badge is about 500 bytes
    first, second = queue(store, "R1"), queue(store, "R2")
    q = queue_on(network(fake_printer))
    assert q.process_one(job_id=first)
    assert store.print_job(first).status == "done" and store.get("R1").print_count == 1
    state = q.state()
    assert state.state is PrinterState.PAPER_OUT and not state.ok
    assert state.message == "Out of paper: load a new roll; 1 badge waiting will print after."
    assert q.process_one(job_id=second)  # not sent: the printer says paper out first
    assert store.print_job(second).status == "pending"
    assert "paper out" in store.print_job(second).last_error
    assert badge_codes(fake_printer.jobs()) == ["CODE-1"]
    fake_printer.paper = fakeprinter.OK  # staff load a roll
    q.retry(second, "steward")
    assert q.process_one(job_id=second) and store.print_job(second).status == "done"
    assert q.state().state is PrinterState.OK
    assert badge_codes(fake_printer.jobs()) == ["CODE-1", "CODE-2"]
    assert store.get("R1").print_count == 1


def test_printer_gone_then_back_prints_each_badge_once(store, fake_printer, queue_on) -> None:
    fake_printer.close()
    ids = [queue(store, r) for r in ("R1", "R2")]
    q = queue_on(network(fake_printer))
    q.start()
    assert wait_until(lambda: q.state().state is PrinterState.OFFLINE)
    assert q.state().jobs_waiting == 2
    assert "not reachable" in q.state().message and str(fake_printer.port) in q.state().last_error
    assert wait_until(lambda: store.print_job(ids[0]).attempts >= 2)
    fake_printer.open()  # same port
    assert wait_until(lambda: all(store.print_job(i).status == "done" for i in ids))
    time.sleep(0.2)
    assert badge_codes(fake_printer.jobs()) == ["CODE-1", "CODE-2"]


def test_printer_that_stops_taking_a_badge_midway_gets_it_again_whole_once(store, queue_on) -> None:
    # A printer with a small receive buffer hangs part-way: the end of the badge (its cut)
    # never reached it, so the badge is sent again whole, once, when it is back.
    fake_printer = FakePrinter(small_window=True)
    try:
        fake_printer.stall_after = 3000
        job = queue(store, "R2")  # Arabic name: a raster badge of ~30 KB
        q = queue_on(network(fake_printer))
        q.start()
        assert wait_until(lambda: store.print_job(job).attempts >= 1, 20)
        assert store.print_job(job).status == "pending"
        assert "lost mid-badge" in store.print_job(job).last_error
        fake_printer.stall_after = None
        assert wait_until(lambda: store.print_job(job).status == "done", 20)
        time.sleep(0.2)
        assert badge_codes(fake_printer.jobs()) == ["CODE-2"]
        assert store.get("R2").print_count == 1
    finally:
        fake_printer.stall_after = None
        fake_printer.close()


def test_connection_reset_once_the_badge_left_is_for_staff_to_check(
    store, fake_printer, queue_on
) -> None:
    # The printer's network stack took the whole badge, then reset: it may have printed
    # it all (or lost it with its buffer). Never resent by itself; staff check the tray.
    fake_printer.reset_after = 3000
    job = queue(store, "R2")
    q = queue_on(network(fake_printer))
    q.start()
    assert wait_until(lambda: store.print_job(job).status == "uncertain")
    fake_printer.reset_after = None
    time.sleep(0.5)
    assert fake_printer.jobs() == [] and "check the tray" in q.state().message
    again, _ = q.reprint("R2", "steward")  # the tray held half a badge
    assert again != job and store.print_job(job).status == "cancelled"
    assert wait_until(lambda: store.print_job(again).status == "done")
    time.sleep(0.2)
    assert badge_codes(fake_printer.jobs()) == ["CODE-2"]
    assert store.get("R2").print_count == 1


def test_job_waits_for_a_registration_not_synced_yet(store, fake_printer, queue_on) -> None:
    job = queue(store, "NEW-1")  # accepted from a signed ticket before the list synced
    q = queue_on(network(fake_printer))
    q.start()
    assert wait_until(lambda: store.print_job(job).attempts >= 2)
    assert "waiting for registration NEW-1" in store.print_job(job).last_error
    assert store.print_job(job).status == "pending" and fake_printer.jobs() == []
    store.upsert_registrations([Registration("NEW-1", "Nadia", "Berrada", ("CODE-NEW",))])
    q.wake()
    assert wait_until(lambda: store.print_job(job).status == "done")
    assert badge_codes(fake_printer.jobs()) == ["CODE-NEW"]


def test_reprint_is_counted_and_the_second_print_warns(store, tmp_path, queue_on) -> None:
    q = queue_on(PreviewPrinter("main", load_profile(PROFILE), tmp_path / "badges"))
    first, warning = q.reprint("R1", "steward")
    assert warning is None
    assert q.process_one() and store.print_job(first).status == "done"
    second, warning = q.reprint("R1", "steward")
    assert warning and "already printed 1 time" in warning and "print 2" in warning
    third, warning = q.reprint("R1", "steward")  # one waits already: that one is the badge
    assert third == second
    assert warning and f"already waiting (job {second}, pending)" in warning
    assert q.process_one() and not q.process_one()
    assert store.get("R1").print_count == 2
    assert (
        store.print_job(second).reason == "reprint" and store.print_job(second).staff == "steward"
    )
    assert len(list((tmp_path / "badges").glob("*.png"))) == 2
    with pytest.raises(JobError, match="no registration 'NOPE'"):
        q.reprint("NOPE", "steward")


def test_cancel_retry_and_refusals(store, fake_printer, queue_on) -> None:
    fake_printer.close()
    q = queue_on(network(fake_printer))
    keep, drop = queue(store, "R1"), queue(store, "R2")
    q.cancel(drop, "steward")
    assert store.print_job(drop).status == "cancelled"
    with pytest.raises(JobError, match="already cancelled"):
        q.cancel(drop, "steward")
    assert q.process_one()  # printer down: the job waits with a retry time
    assert store.print_job(keep).next_attempt_at is not None
    assert not q.process_one()  # not due yet, and the printer is paused
    fake_printer.open()
    q.retry(keep, "steward")  # staff fixed the printer: try now
    assert q.process_one() and store.print_job(keep).status == "done"
    assert not q.process_one()  # the cancelled job never prints
    assert badge_codes(fake_printer.jobs()) == ["CODE-1"]
    with pytest.raises(JobError, match="reprint"):
        q.retry(keep, "steward")
    with pytest.raises(JobError, match="no print job 999"):
        q.cancel(999, "steward")
    actions = [a["action"] for a in store.staff_actions()]
    assert actions.count("print_job") == 2  # cancel and retry are in the staff log


def test_move_sends_a_waiting_job_to_another_printer(store, queue_on) -> None:
    main, desk = FakePrinter(), FakePrinter()
    try:
        main.paper = fakeprinter.PAPER_OUT
        job = queue(store, "R6")
        q = queue_on(network(main), network(desk, "desk"))
        q.start()
        assert wait_until(lambda: q.state("main").state is PrinterState.PAPER_OUT)
        assert q.state("desk").jobs_waiting == 0
        q.move(job, "desk", "steward")
        assert wait_until(lambda: store.print_job(job).status == "done")
        assert badge_codes(desk.jobs()) == ["CODE-6"] and main.jobs() == []
        assert store.print_job(job).printer == "desk"
        with pytest.raises(JobError, match="no printer 'attic'; configured printers: main, desk"):
            q.move(job, "attic", "steward")
    finally:
        main.close()
        desk.close()


def test_two_kiosk_processes_never_print_a_job_twice(store, fake_printer, tmp_path) -> None:
    # Two queues on the same store file (the app and `accueil badge --print`).
    other = LocalStore(store.path)
    ids = [queue(store, r) for r in ("R1", "R2", "R6", "R7", "R12", "R13")]
    queues = [make_queue(store, network(fake_printer)), make_queue(other, network(fake_printer))]
    try:
        for q in queues:
            q.start()
        assert wait_until(lambda: all(store.print_job(i).status == "done" for i in ids), 20)
        time.sleep(0.2)
    finally:
        for q in queues:
            q.stop()
        other.close()
    codes = badge_codes(fake_printer.jobs())
    assert sorted(codes) == sorted(["CODE-1", "CODE-2", "CODE-6", "CODE-7", "CODE-12", "CODE-13"])


def test_a_claimed_job_is_hidden_while_printing_and_counted_once(store) -> None:
    job = queue(store, "R1")
    now = SystemClock().now()
    claimed = store.claim_print_job(now, now + timedelta(seconds=120), "main")
    assert claimed is not None and claimed.id == job and claimed.status == "printing"
    assert store.claim_print_job(now, now + timedelta(seconds=120), "main") is None
    store.print_done(job, now)
    store.print_done(job, now)  # a second "done" changes nothing
    assert store.get("R1").print_count == 1
    assert store.claim_print_job(now + timedelta(hours=1), now, "main") is None


def test_a_job_whose_worker_died_mid_print_is_never_printed_again_by_itself(
    store, queue_on
) -> None:
    """The badge may already be in the tray: a second copy could go to the next attendee."""
    job = queue(store, "R1")
    now = SystemClock().now()
    store.claim_print_job(now, now + timedelta(seconds=120), "main")  # then the kiosk died
    assert store.settle_interrupted_prints(now) == 0, "still within the lease"
    later = now + timedelta(seconds=121)
    assert store.settle_interrupted_prints(later) == 1
    assert store.print_job(job).status == "uncertain"
    assert store.claim_print_job(later, later + timedelta(seconds=120), "main") is None
    q = queue_on(PreviewPrinter("main", load_profile("TM-T88V"), store.path.parent / "badges"))
    state = q.state()
    assert not state.ok and "check the tray" in state.message and "R1" in state.message
    new_job, _ = q.reprint("R1", staff="amina")  # staff found no badge: print it again
    assert store.print_job(job).status == "cancelled"
    assert store.print_job(new_job).status == "pending"
    assert "check the tray" not in q.state().message


def test_extra_printer_takes_only_jobs_moved_to_it(store) -> None:
    queue(store, "R1")
    now = SystemClock().now()
    lease = now + timedelta(seconds=60)
    assert store.claim_print_job(now, lease, "desk", assigned_only=True) is None
    assert store.claim_print_job(now, lease, "main") is not None


class BrokenFor(BadgeMaker):
    """The real badge maker, except that the badges of ``broken`` cannot be drawn."""

    def __init__(self, *broken: str) -> None:
        super().__init__(EVENT, BadgeOptions())
        self.broken = set(broken)

    def encode(self, reg, profile):
        if reg.id in self.broken:
            raise RuntimeError("font file damaged")
        return super().encode(reg, profile)


def fail_to_draw(store: LocalStore, q: PrintQueue, job: int) -> None:
    for _ in range(3):  # a retried job has used its tries already: it fails at once
        if store.print_job(job).status == "failed":
            break
        assert q.process_one(job_id=job)
        with store.transaction() as db:  # make it due again without waiting 5 s
            db.execute(
                "UPDATE print_jobs SET next_attempt_at = NULL WHERE id = ? AND status = 'pending'",
                (job,),
            )
    assert store.print_job(job).status == "failed"


def test_badge_that_cannot_be_drawn_fails_after_three_tries(store, tmp_path, queue_on) -> None:
    q = queue_on(PreviewPrinter("main", load_profile(PROFILE), tmp_path))
    q.maker = BrokenFor("R1")
    job = queue(store, "R1")
    fail_to_draw(store, q, job)
    assert "font file damaged" in store.print_job(job).last_error


def test_badge_that_cannot_be_drawn_alerts_staff_until_they_act(store, tmp_path, queue_on) -> None:
    # The attendee was told to take the badge below: staff must see that none is coming.
    q = queue_on(PreviewPrinter("main", load_profile(PROFILE), tmp_path / "badges"))
    q.maker = BrokenFor("R1", "R2")
    assert q.state().ok
    job = queue(store, "R1")
    fail_to_draw(store, q, job)
    state = q.state()
    assert not state.ok and state.state in (PrinterState.OK, PrinterState.UNKNOWN)
    assert "Badge for R1 cannot be printed: reprint from the desk" in state.last_error
    assert state.message.startswith("Badge for R1 cannot be printed: reprint from the desk.")
    # Someone else's badge printing does not hide it.
    other = queue(store, "R6")
    assert q.process_one() and store.print_job(other).status == "done"
    assert "Badge for R1" in q.state().last_error
    fail_to_draw(store, q, second := queue(store, "R2"))
    assert "Badges for R1, R2 cannot be printed" in q.state().last_error
    # Staff act: cancel one, retry the other (it fails again, so it shows again).
    q.cancel(job, "steward")
    assert "R1" not in q.state().last_error and "Badge for R2" in q.state().last_error
    q.retry(second, "steward")
    assert q.state().ok
    fail_to_draw(store, q, second)
    assert not q.state().ok
    # The font is fixed and staff reprint: the alert goes at once and the badge prints.
    q.maker = BrokenFor()
    reprint, _ = q.reprint("R2", "steward")
    assert q.state().ok and q.state().last_error == ""
    assert q.process_one() and store.print_job(reprint).status == "done"
    assert len(list((tmp_path / "badges").glob("*.png"))) == 2


def test_a_later_badge_for_the_same_person_clears_the_alert(store, tmp_path, queue_on) -> None:
    q = queue_on(PreviewPrinter("main", load_profile(PROFILE), tmp_path))
    q.maker = BrokenFor("R1")
    fail_to_draw(store, q, queue(store, "R1"))
    assert not q.state().ok
    q.maker = BrokenFor()
    later = queue(store, "R1")  # e.g. queued by `accueil badge --print` in another process
    assert q.process_one() and store.print_job(later).status == "done"
    assert q.state().ok and q.state().message == "Printer ready."


def test_stop_is_bounded_and_start_is_idempotent(store, tmp_path) -> None:
    q = make_queue(store, PreviewPrinter("main", load_profile(PROFILE), tmp_path))
    q.start()
    q.start()
    started = time.monotonic()
    q.stop(timeout=2)
    assert time.monotonic() - started < 2
    assert all(t.name != "print-main" for t in threading.enumerate())
