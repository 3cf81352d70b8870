"""Every badge exactly once, at the printer where the attendee was sent.

Real printer bytes to TCP printers on loopback that are stopped and started, the real
store file shared with `accueil` processes, and the kiosk's own print queue. Each case
counts the whole badges (cut off) every printer received, per attendee, by reading the
QR code back from the bytes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.config import load_config
from kiosk.core.model import Registration
from kiosk.core.ports import PrinterState, PrintReason, PrintRequest
from main import Runtime
from printers.emulator import read_pages
from printers.queue import PrintQueue
from sync.store import LocalStore
from tests.conftest import EVENT, ROOT, SESSIONS, people
from tests.printers import fakeprinter
from tests.printers.conftest import decode_qr
from tests.printers.fakeprinter import FakePrinter
from tests.printers.test_name_line import text_heights

WIDTH = 512  # TM-T88V


def wait_until(condition: Callable[[], object], seconds: float = 15.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def badges(printer: FakePrinter) -> list[str]:
    """The attendee code on each whole badge this printer received, in order."""
    out = []
    for data in printer.jobs():
        for page in read_pages(data, WIDTH):
            if page.qr_codes or page.raster_widths or page.lines:
                out += page.qr_codes or decode_qr(page.image)
    return out


class Site:
    """A kiosk folder: config.toml, a store with the test event, two network printers."""

    def __init__(self, root: Path, main: FakePrinter, desk: FakePrinter, target: bool) -> None:
        self.root, self.main, self.desk = root, main, desk
        self.config = root / "config.toml"
        self.config.write_text(
            textwrap.dedent(
                f"""
                [kiosk]
                language = "en"
                data_dir = "{root / "data"}"
                [event]
                day = 1
                public_key = ""
                [printer]
                kind = "network"
                host = "127.0.0.1"
                port = {main.port}
                profile = "TM-T88V"
                timeout_seconds = 2.0
                method = "text"
                {'desk = "desk"' if target else ""}
                [printer.extra.desk]
                kind = "network"
                host = "127.0.0.1"
                port = {desk.port}
                profile = "TM-T88V"
                timeout_seconds = 2.0
                """
            )
        )
        self.runtimes: list[Runtime] = []
        with LocalStore(load_config(self.config).store_path) as store:
            store.save_event(EVENT, SESSIONS)
            store.upsert_registrations(people())

    def runtime(self) -> Runtime:
        runtime = Runtime(load_config(self.config))
        self.runtimes.append(runtime)
        return runtime

    def app_queue(self, runtime: Runtime | None = None) -> PrintQueue:
        """The print queue as `accueil run` builds it, with test-sized waits."""
        q: PrintQueue = (runtime or self.runtime()).print_queue
        q.backoff, q.poll_seconds, q.probe_seconds = (0.05, 0.1, 0.2), 0.05, 0.2
        return q

    def cli(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """`accueil …` in its own process, on the same store file."""
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--config", str(self.config), *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=self.root,
        )

    @property
    def store(self) -> LocalStore:
        return self.runtimes[0].store if self.runtimes else self.runtime().store

    def close(self) -> None:
        for runtime in self.runtimes:
            runtime.close()


@pytest.fixture
def printers() -> Iterator[tuple[FakePrinter, FakePrinter]]:
    main, desk = FakePrinter(small_window=True), FakePrinter()
    yield main, desk
    main.stall_after = None
    main.close()
    desk.close()


@pytest.fixture
def make_site(tmp_path: Path, printers) -> Iterator[Callable[..., Site]]:
    made: list[Site] = []

    def make(target: bool = False) -> Site:
        site = Site(tmp_path, *printers, target=target)
        made.append(site)
        return site

    yield make
    for site in made:
        site.close()


def settle(seconds: float = 1.0) -> None:
    """Give running workers time to print anything they (wrongly) would."""
    time.sleep(seconds)


# -- 1. a reprint while a badge waits --------------------------------------------------------


def test_reprint_while_a_badge_waits_is_that_badge(make_site) -> None:
    site = make_site()
    site.main.close()  # printer down
    runtime = site.runtime()
    q = site.app_queue(runtime)
    q.start()
    job = runtime.checkin.check("CODE-1").print_job
    assert job is not None
    again, warning = q.reprint("R1", "steward")  # the steward presses reprint
    assert again == job and warning and f"already waiting (job {job}" in warning
    site.main.open()  # the printer is back
    assert wait_until(lambda: site.store.print_job(job).status == "done")
    settle()
    assert badges(site.main) == ["CODE-1"] and badges(site.desk) == []
    assert site.store.get("R1").print_count == 1


def test_reprint_from_another_process_while_a_badge_waits(make_site) -> None:
    site = make_site()
    site.main.close()
    runtime = site.runtime()
    q = site.app_queue(runtime)
    q.start()  # the kiosk app runs
    job = runtime.checkin.check("CODE-1").print_job
    done = site.cli(
        "badge", "R1", "--print", "--lang", "en"
    )  # a steward at the shell, printer still down
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"already waiting (job {job}" in done.stdout and "not printed" in done.stdout
    assert [j.id for j in site.store.print_jobs(None) if j.registration_id == "R1"] == [job]
    assert site.store.print_job(job).status == "held"  # they were told: it waits for staff
    site.main.open()
    settle(1.5)
    assert badges(site.main) == []  # not behind their back
    done = site.cli("badge", "R1", "--print", "--lang", "en")  # the same steward, printer fixed
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"printed (job {job}) on main" in done.stdout
    settle()
    assert badges(site.main) == ["CODE-1"]
    assert site.store.get("R1").print_count == 1


def test_a_second_waiting_badge_cannot_be_written_at_all(make_site) -> None:
    """The rule is the store's: even a direct insert of a second waiting job fails."""
    import sqlite3

    site = make_site()
    store = site.store
    store.queue_print(PrintRequest("R1", PrintReason.CHECKIN))
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        db.execute(
            "INSERT INTO print_jobs(registration_id, reason, created_at, status) "
            "VALUES ('R1', 'reprint', '2026-12-08T09:00:00+00:00', 'desk')"
        )
    assert len(store.print_jobs(None)) == 1


# -- 2. sent to the desk ---------------------------------------------------------------------


def test_sent_to_the_desk_printer_prints_there_once_and_never_at_the_kiosk(make_site) -> None:
    site = make_site(target=True)
    site.main.close()  # the kiosk printer is unplugged
    runtime = site.runtime()
    q = site.app_queue(runtime)
    q.start()
    job = runtime.checkin.check("CODE-1").print_job
    placed = q.place(job)  # what the attendee screen asks before its verdict
    assert placed.at_desk and placed.where == "desk_printer"
    assert placed.state.state is PrinterState.OFFLINE
    assert wait_until(lambda: site.store.print_job(job).status == "done")
    site.main.open()
    settle(1.5)
    assert badges(site.desk) == ["CODE-1"] and badges(site.main) == []


def test_a_reprint_of_a_badge_sent_to_the_desk_printer_stays_there(make_site) -> None:
    site = make_site(target=True)
    site.main.close()
    site.desk.close()  # the desk printer is off too, for now
    runtime = site.runtime()
    q = site.app_queue(runtime)
    q.start()
    job = runtime.checkin.check("CODE-1").print_job
    assert q.place(job).where == "desk_printer"
    site.main.open()  # the kiosk printer is back first
    again, _ = q.reprint("R1", "steward")  # no printer named: the badge stays at the desk
    assert again == job and site.store.print_job(job).printer == "desk"
    settle(1.5)
    assert badges(site.main) == []
    done = site.cli(
        "badge", "R1", "--print", "--lang", "en"
    )  # from the shell: printed where it waits
    assert done.returncode == 1 and "not printed: printer desk is offline" in done.stdout
    site.desk.open()
    done = site.cli("badge", "R1", "--print", "--lang", "en")
    assert done.returncode == 0 and f"printed (job {job}) on desk" in done.stdout, done.stdout
    settle()
    assert badges(site.desk) == ["CODE-1"] and badges(site.main) == []


def test_set_aside_for_the_desk_prints_only_when_staff_print_it(make_site) -> None:
    site = make_site()  # no [printer] desk: the job waits as "to print at desk"
    site.main.close()
    runtime = site.runtime()
    q = site.app_queue(runtime)
    q.start()
    job = runtime.checkin.check("CODE-1").print_job
    placed = q.place(job)
    assert placed.where == "desk" and site.store.print_job(job).status == "desk"
    assert "To print at the help desk: R1" in q.state().message
    site.main.open()  # the kiosk printer comes back: nothing comes out unattended
    settle(1.5)
    assert badges(site.main) == []
    again, warning = q.reprint("R1", "steward", printer="desk")  # staff at the desk
    assert again == job and warning and "already waiting" in warning
    assert wait_until(lambda: site.store.print_job(job).status == "done")
    settle()
    assert badges(site.desk) == ["CODE-1"] and badges(site.main) == []


def test_moving_a_job_takes_it_from_the_first_printer_atomically(make_site) -> None:
    site = make_site()
    site.main.paper = fakeprinter.PAPER_OUT
    runtime = site.runtime()
    q = site.app_queue(runtime)
    job = site.store.queue_print(PrintRequest("R1", PrintReason.CHECKIN))
    q.start()
    assert wait_until(lambda: q.state().state is PrinterState.PAPER_OUT)
    other = site.app_queue()  # a second process on the same store file
    other.move(job, "desk", "steward")
    site.main.paper = fakeprinter.OK
    assert wait_until(lambda: site.store.print_job(job).status == "done")
    settle()
    assert badges(site.desk) == ["CODE-1"] and badges(site.main) == []


# -- 3 and 4. the shell ----------------------------------------------------------------------


def test_shell_checkin_with_paper_out_promises_no_badge_and_holds_it(make_site) -> None:
    site = make_site()
    site.main.paper = fakeprinter.PAPER_OUT
    done = site.cli("checkin", "CODE-1", "--lang", "en")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Take your badge below" not in done.stdout
    assert "printed at the help desk" in done.stdout
    assert "NOT printed: printer main is paper_out (Out of paper" in done.stdout
    jobs = site.cli("badge", "--jobs", "--lang", "en")
    assert "printer main (network): paper_out" in jobs.stdout, jobs.stdout
    assert "unknown" not in jobs.stdout.splitlines()[0]
    assert " held " in jobs.stdout
    note = site.store.print_jobs("held")[0].last_error  # what staff read next to the job
    assert note.startswith("queued from the shell; not printed: printer out of paper")
    assert "Held (" not in note, note
    # 4. the next `accueil run`: the held badge does not come out by itself; staff see it
    site.main.paper = fakeprinter.OK
    q = site.app_queue()
    q.start()
    settle(1.5)
    assert badges(site.main) == []
    assert "Held (queued from the shell, not printed): R1" in q.state().message
    held = site.store.print_jobs("held")[0]
    q.retry(held.id, "steward")  # staff release it
    assert wait_until(lambda: site.store.print_job(held.id).status == "done")
    settle()
    assert badges(site.main) == ["CODE-1"]


def test_shell_checkin_with_a_working_printer_prints_at_once(make_site) -> None:
    site = make_site()
    done = site.cli("checkin", "CODE-1", "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Take your badge below" in done.stdout and "printed (job 1) on main" in done.stdout
    q = site.app_queue()
    q.start()
    settle()
    assert badges(site.main) == ["CODE-1"]


def test_shell_checkin_while_the_printer_is_unreachable_holds_the_badge(make_site) -> None:
    site = make_site()
    site.main.close()
    done = site.cli("checkin", "CODE-1", "--lang", "en")
    assert done.returncode == 3 and "NOT printed: printer main is offline" in done.stdout
    site.main.open()
    q = site.app_queue()
    q.start()
    settle(1.5)
    assert badges(site.main) == []
    assert site.store.print_jobs("held")[0].registration_id == "R1"


# -- 5. the name line, on the printer --------------------------------------------------------


def test_long_name_arrives_at_double_height(make_site) -> None:
    site = make_site()
    name = "Anne-Sophie Maximilienne de La Rochefoucauld-Montmorency Ali"
    site.store.upsert_registrations(
        [Registration("L1", name, "", ("CODE-L1",), organisation="Université Hassan II")]
    )
    q = site.app_queue()
    job, _ = q.reprint("L1", "steward")
    assert q.process_one() and site.store.print_job(job).status == "done"
    (data,) = site.main.jobs()
    (page,) = read_pages(data, WIDTH)
    name_h, others = text_heights(page, name)
    assert min(name_h) >= 2 and min(name_h) > max(others)
    assert page.qr_codes == ["CODE-L1"]


# -- a kiosk killed mid-badge ----------------------------------------------------------------


class Later:
    """Real time plus an offset: the app restarted after the 120 s lease of a dead worker."""

    def __init__(self, seconds: float) -> None:
        self.offset = timedelta(seconds=seconds)

    def now(self) -> datetime:
        return datetime.now(ZoneInfo(EVENT.timezone)) + self.offset


def test_killed_while_sending_a_badge_never_prints_it_again_by_itself(make_site) -> None:
    site = make_site()
    site.main.stall_after = 600  # the printer takes part of the badge, then hangs
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--config", str(site.config)]
        + ["badge", "R1", "--print", "--method", "raster"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=site.root,
    )
    try:
        assert wait_until(lambda: any(len(c) >= 600 for c in site.main.connections), 60), (
            "the badge never started"
        )
        job = site.store.print_jobs("printing")[0]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    site.main.stall_after = None
    assert site.store.print_job(job.id).status == "printing"
    # The kiosk app starts again, after the lease: the badge may be in the tray.
    runtime = site.runtime()
    q = site.app_queue(runtime)
    q.clock = Later(LEASE_PLUS)
    q.start()
    assert wait_until(lambda: site.store.print_job(job.id).status == "uncertain")
    # a new check-in of the same person joins the uncertain badge: still nothing prints
    joined = site.store.request_badge(PrintRequest("R1", PrintReason.CHECKIN))
    assert joined.job_id == job.id and joined.outcome == "joined"
    settle(1.5)
    assert badges(site.main) == []
    assert "check the tray" in q.state().message
    new_job, _ = q.reprint("R1", "steward")  # staff found no badge in the tray
    assert new_job != job.id and site.store.print_job(job.id).status == "cancelled"
    assert wait_until(lambda: site.store.print_job(new_job).status == "done")
    settle()
    assert badges(site.main) == ["CODE-1"]


LEASE_PLUS = 200.0


# -- the printer goes away once the whole badge was sent ---------------------------------------


def test_connection_reset_after_the_whole_badge_is_never_printed_again_by_itself(
    make_site,
) -> None:
    """The badge (with its cut) reached the printer, which then reset the connection
    instead of confirming: it may be in the tray, so it is 'uncertain', not resent."""
    site = make_site()
    site.main.reset_after_cut = True
    runtime = site.runtime()
    q = site.app_queue(runtime)
    job = runtime.checkin.check("CODE-1").print_job
    q.start()
    assert wait_until(lambda: site.store.print_job(job).status not in ("pending", "printing"))
    settle(1.5)
    assert badges(site.main) == ["CODE-1"]
    assert site.store.print_job(job).status == "uncertain"
    assert "check the tray" in q.state().message


# -- a shell command stopped before its badge printed -------------------------------------------


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_shell_checkin_stopped_while_probing_leaves_nothing_to_print_by_itself(
    make_site, how
) -> None:
    """`accueil checkin` killed (or Ctrl+C) while it asks a slow printer's state: the
    attendee went nowhere near a printer, so the badge must not come out later at the
    next `accueil run`; staff see it held."""
    site = make_site()
    site.main.answer = False  # a printer that does not answer status: each probe waits
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--config", str(site.config), "checkin"]
        + ["CODE-1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=site.root,
    )
    try:
        assert wait_until(lambda: site.main.connections, 60), "the command never probed"
    finally:
        proc.send_signal(how)
        proc.wait(10)
    assert badges(site.main) == []
    (job,) = site.store.print_jobs(None)
    site.main.answer = True
    q = site.app_queue()
    q.start()  # the next `accueil run`
    settle(1.5)
    assert badges(site.main) == []
    assert site.store.print_job(job.id).status == "held"
    assert "Held (queued from the shell" in q.state().message


# -- a walk-in, then an immediate reprint from a screen that still shows it waiting ------------


@pytest.mark.parametrize("replace", [False, True])
def test_reprint_of_a_badge_that_printed_meanwhile_makes_no_second_one(make_site, replace) -> None:
    """The detail screen showed the walk-in's badge waiting (job N) and asked whether to
    print it or replace it; before the steward answered, the worker printed it. Either
    answer meant one badge: nothing new is queued, and the steward is told why."""
    from printers.queue import JobError

    site = make_site()
    runtime = site.runtime()
    q = site.app_queue(runtime)
    result = runtime.checkin.register_walkin("Yasmine", "El Idrissi", staff="steward")
    job = result.print_job
    reg = result.verdict.registration
    seen = [j.id for j in site.store.print_jobs("pending")]  # what the screen loaded
    assert seen == [job]
    q.start()  # the worker prints it while the confirmation is open
    assert wait_until(lambda: site.store.print_job(job).status == "done")
    with pytest.raises(JobError, match=f"job {job} was done meanwhile: the badge is in the tray"):
        q.reprint(reg.id, "steward", replace=replace, seen=job)
    settle()
    assert [j.id for j in site.store.print_jobs(None)] == [job]
    assert badges(site.main) == [reg.codes[0]]
    # asked again, knowingly: that is a reprint
    again, warning = q.reprint(reg.id, "steward")
    assert again != job and warning and "already printed 1 time" in warning


def test_a_commands_badge_that_fails_goes_back_to_held_not_pending(make_site) -> None:
    """Between a failed attempt and the command's 'held' note there is no moment where
    the badge is pending: a command killed right then leaves nothing to print later."""
    site = make_site()
    site.main.paper = fakeprinter.PAPER_OUT
    q = site.app_queue()
    asked = site.store.request_badge(PrintRequest("R1", PrintReason.REPRINT, "cli", hold=True))
    assert site.store.print_job(asked.job_id).status == "held"
    assert q.process_one("main", job_id=asked.job_id)  # the command's own attempt
    job = site.store.print_job(asked.job_id)
    assert job.status == "held" and "paper out" in job.last_error
    site.main.paper = fakeprinter.OK
    q.start()
    settle(1.5)
    assert badges(site.main) == []


def test_shell_reprint_of_a_badge_stopped_mid_way_asks_for_the_tray_first(make_site) -> None:
    """`accueil badge ID --print` for a person whose badge is 'uncertain' printed a new one
    at once, the steward never told to look in the tray. It now asks for --replace."""
    from printers.queue import JobError

    site = make_site()
    site.main.reset_after_cut = True  # the badge goes out whole, the printer resets
    q = site.app_queue()
    job = site.store.queue_print(PrintRequest("R1", PrintReason.CHECKIN))
    assert q.process_one() and site.store.print_job(job).status == "uncertain"
    with pytest.raises(JobError, match="may already be in the tray"):
        q.retry(job, "steward")  # the printer panel's t: no second copy unasked either
    done = site.cli("badge", "R1", "--print", "--lang", "en")
    assert done.returncode == 1 and "Check the tray" in done.stdout, done.stdout
    assert site.store.print_job(job).status == "uncertain" and badges(site.main) == ["CODE-1"]
    done = site.cli("badge", "R1", "--print", "--replace", "--lang", "en")  # not in the tray
    assert done.returncode == 0, done.stdout + done.stderr
    assert site.store.print_job(job).status == "cancelled"
    assert badges(site.main) == ["CODE-1", "CODE-1"]  # the second one, knowingly
