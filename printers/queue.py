"""The badge print queue: jobs live in the local store, a worker thread per printer prints them.

Nothing is lost: a job leaves the queue only when its bytes reached the printer (done) or
staff cancelled it. A printer fault (offline, paper out) keeps the job pending and pauses
that printer with a growing delay; after recovery each job prints once. A job whose
registration has not been synced yet waits for it. At most one badge waits per person
(the store enforces it). The UI reads state() and calls reprint(), cancel(), retry() and
move(), which return at once, and place() before telling an attendee where the badge comes
out; commands call print_now(). Both probe a printer whose state is stale.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from kiosk.core.i18n import N_, NP_, Message, Words
from kiosk.core.model import Registration
from kiosk.core.ports import (
    Clock,
    PrinterState,
    PrintJob,
    PrintJobConflict,
    PrintQueueStore,
    PrintReason,
    PrintRequest,
)
from kiosk.core.texts import job_status
from printers.badges import BadgeMaker
from printers.devices import PaperOut, Printer, PrinterError, SentUnconfirmed, Status

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
WAIT_FOR_REGISTRATION_SECONDS = (2.0, 5.0, 10.0, 30.0)
LEASE_SECONDS = 120.0  # a job still 'printing' after this lost its worker: staff check it
RENDER_ATTEMPTS = 3  # a badge that cannot be drawn fails after this many tries
STALE_SECONDS = 5.0  # a printer state older than this is probed before promising a badge
DOWN = (PrinterState.PAPER_OUT, PrinterState.OFFLINE)
PLACE_WAIT_SECONDS = 15.0  # longest wait for a worker's attempt before a verdict
DOWN_TRUST_SECONDS = 30.0  # a printer seen down this recently is not probed before a verdict


class JobError(PrintJobConflict):
    """A staff action that cannot apply to this job (unknown, already printed, …)."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a badge will come out, decided from the printer's fresh state.

    ``where``: "here" (the kiosk's printer prints it now), "desk_printer" (moved to the
    ``[printer] desk`` printer), "desk" (set aside as 'to print at desk' for staff), or
    "none" (no such job waiting). ``state`` is the kiosk printer's state that decided it.
    """

    where: str
    printer: str
    state: QueueState

    @property
    def at_desk(self) -> bool:
        return self.where in ("desk", "desk_printer")


@dataclass(frozen=True, slots=True)
class QueueState:
    """What the UI shows about one printer and its queue."""

    printer: str
    kind: str
    state: PrinterState
    jobs_waiting: int
    last_error: str
    message: str
    printing: bool = False
    printer_message: str = ""  # message without the queue's alerts: the printer's own state

    @property
    def ok(self) -> bool:
        return self.state in (PrinterState.OK, PrinterState.UNKNOWN) and not self.last_error


@dataclass
class _PrinterRun:
    printer: Printer
    main: bool
    state: PrinterState = PrinterState.UNKNOWN
    detail: str = ""
    last_error: str = ""
    failures: int = 0
    paused_until: float = 0.0
    last_probe: float = 0.0
    observed: float = 0.0  # monotonic time the printer last answered or failed (0: never)
    printing: int | None = None
    probing: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None
    wake: threading.Event = field(default_factory=threading.Event)


class PrintQueue:
    """Prints queued badges in the background; safe to call from any thread."""

    def __init__(
        self,
        store: PrintQueueStore,
        printers: Sequence[Printer],
        maker: BadgeMaker,
        clock: Clock,
        *,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        wait_for_registration: Sequence[float] = WAIT_FOR_REGISTRATION_SECONDS,
        poll_seconds: float = 1.0,
        probe_seconds: float = 15.0,
        on_change: Callable[[], None] | None = None,
        desk: str = "",
        stale_seconds: float = STALE_SECONDS,
    ) -> None:
        if not printers:
            raise ValueError("a print queue needs at least one printer")
        self.store = store
        self.maker = maker
        self.clock = clock
        self.backoff = tuple(backoff)
        self.wait_for_registration = tuple(wait_for_registration)
        self.poll_seconds = poll_seconds
        self.probe_seconds = probe_seconds
        self.on_change = on_change
        self._runs = {p.name: _PrinterRun(p, main=i == 0) for i, p in enumerate(printers)}
        self.main = printers[0].name
        if desk and desk not in self._runs:
            raise ValueError(f"desk printer {desk!r} is not one of {', '.join(self._runs)}")
        self.desk = desk
        self.stale_seconds = stale_seconds
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._message = ""
        # Badges given up on because they cannot be drawn: job id -> (printer, registration).
        # The attendee was told to take a badge that never came, so staff must see it until
        # they act on it or a later badge for that person prints.
        self._undrawable: dict[int, tuple[str, str]] = {}

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start one worker thread per printer (idempotent)."""
        self._stop.clear()
        for run in self._runs.values():
            if run.thread is None or not run.thread.is_alive():
                run.thread = threading.Thread(
                    target=self._work, args=(run,), name=f"print-{run.printer.name}", daemon=True
                )
                run.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the workers; a badge being sent finishes first (bounded by timeout)."""
        self._stop.set()
        for run in self._runs.values():
            run.wake.set()
        end = time.monotonic() + timeout
        for run in self._runs.values():
            if run.thread is not None:
                run.thread.join(max(0.0, end - time.monotonic()))
                run.thread = None

    def wake(self) -> None:
        """A job was queued (or the printer was fixed): look now instead of at the next poll."""
        with self._lock:
            for run in self._runs.values():
                run.paused_until = 0.0
                run.wake.set()

    @property
    def printers(self) -> list[str]:
        return list(self._runs)

    def printer(self, name: str | None = None) -> Printer:
        """A configured printer by name (default: the main one)."""
        return self._run_of(name or self.main).printer

    # -- state for the UI -------------------------------------------------------------

    def state(self, printer: str | None = None, *, max_age: float | None = None) -> QueueState:
        """The state of one printer (default: the main one) and the jobs waiting for it.

        Without ``max_age`` it is what the worker last saw (cheap). With it, a state older
        than ``max_age`` seconds, or never observed, is probed now (DLE EOT, bounded by the
        printer's timeout) in the calling thread: use it before promising a badge.
        """
        run = self._run_of(printer or self.main)
        if max_age is not None:
            self._refresh(run, max_age)
        waiting = self._waiting_for(run)
        with self._lock:
            state, error, busy = run.state, run.last_error, run.printing is not None
            detail = run.detail
            alert = _undrawable_alert(
                reg
                for name, reg in self._undrawable.values()
                if run.main or name == run.printer.name
            )
        if run.main:
            alerts = (alert, _uncertain_alert(self.store), _set_aside_alert(self.store))
            alert = "; ".join(a for a in alerts if a)
        message = _message(state, waiting, error, detail, self._message if run.main else "")
        return QueueState(
            printer=run.printer.name,
            kind=run.printer.kind,
            state=state,
            jobs_waiting=waiting,
            last_error="; ".join(e for e in (error, alert) if e),
            message=f"{alert}. {message}" if alert else message,
            printing=busy,
            printer_message=message,
        )

    def states(self, *, max_age: float | None = None) -> list[QueueState]:
        return [self.state(name, max_age=max_age) for name in self._runs]

    def jobs(self, status: str | None = None, limit: int = 200) -> list[PrintJob]:
        return self.store.print_jobs(status, limit)

    def _waiting_for(self, run: _PrinterRun) -> int:
        pending = self.store.print_jobs("pending", 10_000)
        names = {run.printer.name, ""} if run.main else {run.printer.name}
        return sum(1 for j in pending if j.printer in names)

    def _refresh(self, run: _PrinterRun, max_age: float) -> None:
        """Probe the printer unless it was heard from within max_age seconds.

        A printer seen down within DOWN_TRUST_SECONDS is not probed again for a caller that
        tolerates any age (max_age > 0): nothing is promised on a down printer, and a
        switched-off one would hold the caller for the whole connect timeout. The worker's
        retries notice when it is back.
        """
        with self._lock:
            age = time.monotonic() - run.observed
            fresh = run.observed and (
                age <= max_age or (max_age > 0 and run.state in DOWN and age <= DOWN_TRUST_SECONDS)
            )
            if fresh or run.printing is not None:  # a badge being sent answers for it
                return
        # One probe at a time per printer (a network printer serves one connection):
        # a caller arriving during another's probe waits for its answer.
        if not run.probing.acquire(timeout=10.0):
            return
        try:
            with self._lock:
                if run.observed and time.monotonic() - run.observed <= max_age:
                    return
            self._probe(run)
        finally:
            run.probing.release()

    # -- where a badge comes out ------------------------------------------------------

    def place(self, job_id: int, max_age: float | None = None) -> Placement:
        """Decide, from the printer's fresh state, where a just-queued badge comes out.

        A printer that is out of paper or unreachable will not print it while the attendee
        waits, so the job goes to the desk: to the ``[printer] desk`` printer when one is
        configured, else it is set aside as 'desk' (to print at the help desk), never to
        come out unattended here later unless staff release it. The job moves in one
        store update and only while still pending; a job a worker is printing is waited for
        (at most PLACE_WAIT_SECONDS): printed, it came out here ("here").
        """
        job = self.store.print_job(job_id)
        # A worker may have taken the job already: its attempt decides (printed here, or
        # back to pending after a fault, and then sent to the desk like any other).
        end = time.monotonic() + PLACE_WAIT_SECONDS
        while job is not None and job.status == "printing" and time.monotonic() < end:
            time.sleep(0.05)
            job = self.store.print_job(job_id)
        if job is None:
            return Placement("none", "", self.state())
        printer = job.printer or self.main
        state = self.state(printer, max_age=self.stale_seconds if max_age is None else max_age)
        if job.status in ("desk", "held", "uncertain"):  # joined a badge staff must see to
            return Placement("desk", "", state)
        if printer == self.desk and job.status == "pending":
            return Placement("desk_printer", printer, state)
        if state.state not in DOWN or job.status != "pending":
            return Placement("here", printer, state)
        why = _words(state.state)
        if self.desk:
            if self.store.route_print_job(
                job_id, printer=self.desk, note=f"sent to the desk: {why}"
            ):
                self.wake()
                return Placement("desk_printer", self.desk, state)
        elif self.store.route_print_job(
            job_id, status="desk", note=f"to print at the help desk: kiosk printer {why}"
        ):
            self._changed()
            return Placement("desk", "", state)
        return Placement("here", printer, state)

    def print_now(
        self, job_id: int, printer: str | None = None, seconds: float = 20.0
    ) -> tuple[bool, QueueState]:
        """Print one job now, from a command (no worker running); (printed, printer state).

        The printer is probed first. When it cannot print (paper out, offline, a fault
        during the attempt) the job is 'held': it never comes out later by itself (the
        person who asked has gone) until staff release it (retry, or reprint that person).
        Another process (the kiosk app) may print the job meanwhile: that counts.
        """
        name = printer or self.main
        state = self.state(name, max_age=0)
        end = time.monotonic() + seconds
        while state.state not in DOWN and time.monotonic() < end:
            self.process_one(name, job_id=job_id)
            job = self.store.print_job(job_id)
            if job is None or job.status == "done":
                return job is not None, self.state(name)
            if job.status != "printing" and (job.status != "pending" or job.last_error):
                break
            time.sleep(0.2)  # another process holds the job: wait for it
        state = self.state(name)
        run = self._run_of(name)
        with self._lock:  # the printer's own words, not the queue's alerts (this job's own)
            said = run.last_error or run.detail
        why = f"printer {_words(state.state)}" if state.state in DOWN else "it did not print"
        why += f" ({said})" if said else ""
        self.store.route_print_job(
            job_id, status="held", note=f"queued from the shell; not printed: {why}"
        )
        job = self.store.print_job(job_id)
        return job is not None and job.status == "done", state

    # -- staff actions ----------------------------------------------------------------

    def reprint(
        self,
        registration_id: str,
        staff: str,
        printer: str = "",
        *,
        replace: bool = False,
        hold: bool = False,
        seen: int | None = None,
    ) -> tuple[int, Words | None]:
        """Ask for this person's badge; returns (job id, warning for staff, or None).

        The warning is :class:`~kiosk.core.i18n.Words`: English as a ``str`` (the CLI
        prints it), in the staff's language through ``in_language``.

        At most one badge waits per person (the store enforces it in the same
        transaction): if one is already waiting, that job is the badge and prints now on
        ``printer`` (it may have been set aside for the desk or held), or with ``replace``
        it is cancelled and a new one queued. A job the kiosk stopped printing midway
        ('uncertain') is cancelled: staff checked the tray. Warns when printed before.
        ``hold``: for a command that prints it at once with print_now (see PrintRequest).
        ``seen``: the waiting job staff were shown; JobError, and nothing queued, if it
        printed (or was cancelled) since, so a stale screen cannot make a second badge.
        """
        reg = self.store.get(registration_id)
        if reg is None:
            raise JobError(f"no registration {registration_id!r} in this kiosk's list")
        if printer:
            self._run_of(printer)
        warnings: list[tuple[str | Message, dict[str, object]]] = []
        name = reg.name_on_badge
        if reg.print_count:
            warnings.append((
                NP_("Badge of {name} already printed {count} time: this is print {next}.",
                    "Badge of {name} already printed {count} times: this is print {next}."),
                {"name": name, "count": reg.print_count, "next": reg.print_count + 1},
            ))  # fmt: skip
        try:
            asked = self.store.request_badge(
                PrintRequest(reg.id, PrintReason.REPRINT, staff, hold=hold),
                printer,
                replace=replace,
                seen=seen,
            )
        except PrintJobConflict as exc:
            raise JobError(str(exc)) from None
        previous = asked.previous
        if asked.outcome == "joined" and previous is not None:
            if previous.status == "printing":
                warnings.append((
                    N_("The badge of {name} is printing right now (job {job}): no second copy."),
                    {"name": name, "job": previous.id},
                ))  # fmt: skip
            else:
                warnings.append((
                    N_("A badge for {name} was already waiting (job {job}, {status}): that job "
                       "prints now, no second copy."),
                    {"name": name, "job": previous.id, "status": job_status(previous.status)},
                ))  # fmt: skip
        elif asked.outcome == "replaced" and previous and previous.status != "uncertain":
            warnings.append((
                N_("Job {job} was cancelled: job {new} replaces it."),
                {"job": previous.id, "new": asked.job_id},
            ))  # fmt: skip
        self._settle(registration_id=reg.id)
        self.wake()
        return asked.job_id, Words(*warnings) if warnings else None

    def cancel(self, job_id: int, staff: str) -> None:
        job = self._job(job_id)
        if job.status in ("done", "cancelled"):
            raise JobError(f"job {job_id} is already {job.status}")
        self._refuse_if_printing(job_id)
        self._store_action(job_id, staff, status="cancelled")
        self._settle(job_id=job_id)
        self._changed()

    def retry(self, job_id: int, staff: str) -> None:
        """Try a job now: a waiting, failed, held or to-print-at-desk one (releases it here).

        Also clears the printer's back-off.
        """
        job = self._job(job_id)
        if job.status in ("done", "cancelled"):
            raise JobError(f"job {job_id} is {job.status}: use reprint for a new badge")
        if job.status == "uncertain":  # a retry would print it again, unasked
            raise JobError(
                f"job {job_id} stopped mid-badge and may already be in the tray: check the "
                "tray, then reprint that person if it is missing, or cancel the job"
            )
        self._refuse_if_printing(job_id)
        self._store_action(job_id, staff, status="pending")
        self._settle(job_id=job_id)
        self.wake()

    def release(self, job_id: int, staff: str) -> None:
        """Staff release a held or to-print-at-desk job to print here (same as retry)."""
        self.retry(job_id, staff)

    def move(self, job_id: int, printer: str, staff: str) -> None:
        """Send a job to another configured printer (it is tried there at once).

        One store update changes the job's printer: the first printer cannot print it
        once this returns, in this process or another.
        """
        self._run_of(printer)
        job = self._job(job_id)
        if job.status in ("done", "cancelled"):
            raise JobError(f"job {job_id} is {job.status}: use reprint for a new badge")
        self._refuse_if_printing(job_id)
        self._store_action(job_id, staff, status="pending", printer=printer)
        self._settle(job_id=job_id)
        self.wake()

    def _store_action(self, job_id: int, staff: str, **change: str) -> None:
        try:
            self.store.set_print_job(job_id, staff, **change)
        except PrintJobConflict as exc:
            raise JobError(str(exc)) from None

    def _job(self, job_id: int) -> PrintJob:
        job = self.store.print_job(job_id)
        if job is None:
            raise JobError(f"no print job {job_id}")
        return job

    def _settle(self, *, job_id: int | None = None, registration_id: str | None = None) -> None:
        """Staff acted on a badge that could not be drawn (or it printed): drop its alert."""
        with self._lock:
            for job, (_, reg) in list(self._undrawable.items()):
                if job == job_id or reg == registration_id:
                    del self._undrawable[job]

    def _refuse_if_printing(self, job_id: int) -> None:
        with self._lock:
            if any(r.printing == job_id for r in self._runs.values()):
                raise JobError(f"job {job_id} is printing right now")

    def _run_of(self, name: str) -> _PrinterRun:
        try:
            return self._runs[name]
        except KeyError:
            raise JobError(
                f"no printer {name!r}; configured printers: {', '.join(self._runs)}"
            ) from None

    # -- the worker -------------------------------------------------------------------

    def _work(self, run: _PrinterRun) -> None:
        while not self._stop.is_set():
            try:
                worked = self.process_one(run.printer.name)
            except Exception:  # the worker must survive anything; the job stays queued
                log.exception("print worker %s", run.printer.name)
                worked = False
            if worked:
                continue
            with self._lock:
                wait = max(0.0, run.paused_until - time.monotonic()) or self.poll_seconds
            run.wake.wait(min(wait, self.poll_seconds))
            run.wake.clear()

    def process_one(self, printer: str | None = None, job_id: int | None = None) -> bool:
        """Claim and print one due job now (the worker's step; also used by the CLI).

        Returns True when a job was handled (printed, or put back to wait).
        """
        run = self._run_of(printer or self.main)
        if time.monotonic() < run.paused_until and job_id is None:
            return False
        asked = self.store.print_job(job_id) if job_id is not None else None
        held = asked is not None and asked.status == "held"  # a command printing its own
        now = self.clock.now()
        lease = now + timedelta(seconds=LEASE_SECONDS)
        self.store.settle_interrupted_prints(now, lease)
        job = self.store.claim_print_job(
            now,
            lease,
            run.printer.name,
            job_id=job_id,
            assigned_only=not run.main,
        )
        if job is None:
            self._maybe_probe(run)
            return False
        with self._lock:
            run.printing = job.id
        try:
            self._print(run, job, hold=held)
        finally:
            with self._lock:
                run.printing = None
            self._changed()
        return True

    def _print(self, run: _PrinterRun, job: PrintJob, *, hold: bool = False) -> None:
        # hold: a command's job (claimed by id) goes back to 'held', never 'pending', when
        # it does not print, so a command killed right after cannot leave it to print later

        reg = self.store.get(job.registration_id)
        if reg is None:
            delay = _step(self.wait_for_registration, job.attempts)
            self.store.print_failed(
                job.id,
                f"waiting for registration {job.registration_id} to sync",
                self.clock.now() + timedelta(seconds=delay),
                hold=hold,
            )
            self._message = f"Badge for {job.registration_id} waits for its registration to sync."
            return
        try:
            encoded = self.maker.encode(reg, run.printer.profile)
        except Exception as exc:  # a drawing bug must not block the queue behind it
            log.exception("badge %s cannot be drawn", reg.id)
            give_up = job.attempts + 1 >= RENDER_ATTEMPTS
            retry = None if give_up else self.clock.now() + timedelta(seconds=5)
            self.store.print_failed(job.id, f"badge cannot be drawn: {exc}", retry, hold=hold)
            if give_up:
                with self._lock:
                    self._undrawable[job.id] = (run.printer.name, reg.id)
            return
        try:
            status = run.printer.send(encoded.data, _label(job, reg))
        except SentUnconfirmed as exc:
            # The whole badge left; whether it came out is unknown. Resending could put a
            # second copy in the tray, so staff check it (as after a crash mid-badge).
            self._fault(run, job, exc, uncertain=True)
            return
        except PrinterError as exc:
            self._fault(run, job, exc, hold=hold)
            return
        self.store.print_done(job.id, self.clock.now())
        self._message = ""
        self._settle(registration_id=reg.id)
        with self._lock:
            run.failures = 0
            run.last_error = ""
            run.state, run.detail = status.state, status.detail
            run.observed = time.monotonic()
        log.info(
            "badge printed: job %s, %s, %s, %d bytes",
            job.id,
            reg.id,
            encoded.method,
            len(encoded.data),
        )

    def _fault(
        self,
        run: _PrinterRun,
        job: PrintJob,
        exc: PrinterError,
        *,
        uncertain: bool = False,
        hold: bool = False,
    ) -> None:
        with self._lock:
            delay = _step(self.backoff, run.failures)
            run.failures += 1
            run.state = exc.state
            run.detail = ""
            run.last_error = str(exc)
            run.observed = time.monotonic()
            run.paused_until = time.monotonic() + delay
        if uncertain:
            self.store.print_uncertain(job.id, f"{exc}: check whether the badge came out")
            log.warning("badge job %s sent but not confirmed: %s", job.id, exc)
            return
        retry_at = self.clock.now() + timedelta(seconds=delay)
        self.store.print_failed(job.id, str(exc), retry_at, hold=hold)
        level = logging.INFO if isinstance(exc, PaperOut) else logging.WARNING
        log.log(level, "badge job %s waits %.0f s: %s", job.id, delay, exc)

    def _maybe_probe(self, run: _PrinterRun) -> None:
        if self.probe_seconds <= 0 or time.monotonic() - run.last_probe < self.probe_seconds:
            return
        if run.probing.acquire(blocking=False):  # else a command is probing it right now
            try:
                self._probe(run)
            finally:
                run.probing.release()

    def _probe(self, run: _PrinterRun) -> None:
        run.last_probe = time.monotonic()
        try:
            status = run.printer.probe()
        except PrinterError as exc:
            status = Status(exc.state, str(exc))
        with self._lock:
            changed = status.state != run.state
            run.state, run.detail = status.state, status.detail
            run.observed = time.monotonic()
            if status.state in (PrinterState.OK, PrinterState.PAPER_LOW):
                run.last_error = ""
        if changed:
            self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                log.exception("print queue change callback")


def _step(steps: Sequence[float], n: int) -> float:
    return steps[min(n, len(steps) - 1)]


def _label(job: PrintJob, reg: Registration) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in reg.id)
    return f"{job.id:06d}-{safe}"


def _uncertain_alert(store: PrintQueueStore) -> str:
    regs = sorted({j.registration_id for j in store.print_jobs("uncertain", 100)})
    if not regs:
        return ""
    return (
        f"The kiosk or the printer stopped while printing the badge of {', '.join(regs)}: "
        "check the tray; "
        "reprint from the desk if it is missing, or cancel the job if it came out"
    )


def _set_aside_alert(store: PrintQueueStore) -> str:
    parts = []
    desk = sorted({j.registration_id for j in store.print_jobs("desk", 1000)})
    if desk:
        parts.append(
            f"To print at the help desk: {', '.join(desk)} (print them here with retry or "
            "reprint, or cancel once printed elsewhere)"
        )
    held = sorted({j.registration_id for j in store.print_jobs("held", 1000)})
    if held:
        parts.append(
            f"Held (queued from the shell, not printed): {', '.join(held)}; release them with "
            "retry or reprint, or cancel them"
        )
    return "; ".join(parts)


def _words(state: PrinterState) -> str:
    return {
        PrinterState.PAPER_OUT: "out of paper",
        PrinterState.OFFLINE: "not reachable",
    }.get(state, state.value.replace("_", " "))


def _undrawable_alert(registration_ids: Iterable[str]) -> str:
    regs = sorted(set(registration_ids))
    if not regs:
        return ""
    if len(regs) == 1:
        return f"Badge for {regs[0]} cannot be printed: reprint from the desk"
    return f"Badges for {', '.join(regs)} cannot be printed: reprint them from the desk"


def _message(state: PrinterState, waiting: int, error: str, detail: str, note: str) -> str:
    badges = f"{waiting} badge{'s' if waiting != 1 else ''} waiting"
    if state is PrinterState.PAPER_OUT:
        return f"Out of paper: load a new roll; {badges} will print after."
    if state is PrinterState.OFFLINE:
        return f"Printer not reachable ({error or detail}); {badges}; retrying."
    if state is PrinterState.PAPER_LOW:
        text = f"Paper low: change the roll soon. {badges.capitalize()}."
    elif error:
        text = f"Last attempt failed ({error}); {badges}; retrying."
    elif waiting:
        text = f"Printing: {badges}."
    else:
        text = "Printer ready."
    return f"{text} {note}".strip()
