"""The badge print queue: jobs live in the local store, a worker thread per printer prints them.

Nothing is lost: a job leaves the queue only when its bytes reached the printer (done) or
staff cancelled it. A printer fault (offline, paper out) keeps the job pending and pauses
that printer with a growing delay; after recovery each job prints once. A job whose
registration has not been synced yet waits for it. The UI reads state() and calls
reprint(), cancel(), retry() and move(); all of them return at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from kiosk.core.model import Registration
from kiosk.core.ports import (
    Clock,
    PrinterState,
    PrintJob,
    PrintQueueStore,
    PrintReason,
    PrintRequest,
)
from printers.badges import BadgeMaker
from printers.devices import PaperOut, Printer, PrinterError, Status

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
WAIT_FOR_REGISTRATION_SECONDS = (2.0, 5.0, 10.0, 30.0)
LEASE_SECONDS = 120.0  # a job still 'printing' after this lost its worker: staff check it
RENDER_ATTEMPTS = 3  # a badge that cannot be drawn fails after this many tries


class JobError(ValueError):
    """A staff action that cannot apply to this job (unknown, already printed, …)."""


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
    printing: int | None = None
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

    def state(self, printer: str | None = None) -> QueueState:
        """The state of one printer (default: the main one) and the jobs waiting for it."""
        run = self._run_of(printer or self.main)
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
            alert = "; ".join(a for a in (alert, _uncertain_alert(self.store)) if a)
        message = _message(state, waiting, error, detail, self._message if run.main else "")
        return QueueState(
            printer=run.printer.name,
            kind=run.printer.kind,
            state=state,
            jobs_waiting=waiting,
            last_error="; ".join(e for e in (error, alert) if e),
            message=f"{alert}. {message}" if alert else message,
            printing=busy,
        )

    def states(self) -> list[QueueState]:
        return [self.state(name) for name in self._runs]

    def jobs(self, status: str | None = None, limit: int = 200) -> list[PrintJob]:
        return self.store.print_jobs(status, limit)

    def _waiting_for(self, run: _PrinterRun) -> int:
        pending = self.store.print_jobs("pending", 10_000)
        names = {run.printer.name, ""} if run.main else {run.printer.name}
        return sum(1 for j in pending if j.printer in names)

    # -- staff actions ----------------------------------------------------------------

    def reprint(
        self, registration_id: str, staff: str, printer: str = ""
    ) -> tuple[int, str | None]:
        """Queue another badge; returns (job id, warning) — warns when one was printed before."""
        reg = self.store.get(registration_id)
        if reg is None:
            raise JobError(f"no registration {registration_id!r} in this kiosk's list")
        if printer:
            self._run_of(printer)
        warnings = []
        if reg.print_count:
            warnings.append(
                f"Badge of {reg.name_on_badge} already printed {reg.print_count} time"
                f"{'s' if reg.print_count > 1 else ''}: this is print {reg.print_count + 1}."
            )
        waiting = [
            j.id for j in self.store.print_jobs("pending", 10_000) if j.registration_id == reg.id
        ]
        if waiting:
            warnings.append(
                f"A badge for {reg.name_on_badge} is already waiting (job {waiting[0]})."
            )
        job_id = self.store.queue_print(
            PrintRequest(reg.id, PrintReason.REPRINT, staff), printer=printer
        )
        for job in self.store.print_jobs("uncertain", 10_000):  # staff checked: a new one comes
            if job.registration_id == reg.id:
                self.store.set_print_job(job.id, staff, status="cancelled")
        self._settle(registration_id=reg.id)
        self.wake()
        return job_id, " ".join(warnings) or None

    def cancel(self, job_id: int, staff: str) -> None:
        job = self._job(job_id)
        if job.status in ("done", "cancelled"):
            raise JobError(f"job {job_id} is already {job.status}")
        self._refuse_if_printing(job_id)
        self.store.set_print_job(job_id, staff, status="cancelled")
        self._settle(job_id=job_id)
        self._changed()

    def retry(self, job_id: int, staff: str) -> None:
        """Try a waiting or failed job now (also clears the printer's back-off)."""
        job = self._job(job_id)
        if job.status in ("done", "cancelled"):
            raise JobError(f"job {job_id} is {job.status}: use reprint for a new badge")
        self._refuse_if_printing(job_id)
        self.store.set_print_job(job_id, staff, status="pending")
        self._settle(job_id=job_id)
        self.wake()

    def move(self, job_id: int, printer: str, staff: str) -> None:
        """Send a job to another configured printer (it is tried there at once)."""
        self._run_of(printer)
        job = self._job(job_id)
        if job.status in ("done", "cancelled"):
            raise JobError(f"job {job_id} is {job.status}: use reprint for a new badge")
        self._refuse_if_printing(job_id)
        self.store.set_print_job(job_id, staff, status="pending", printer=printer)
        self._settle(job_id=job_id)
        self.wake()

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
        now = self.clock.now()
        self.store.settle_interrupted_prints(now)
        job = self.store.claim_print_job(
            now,
            now + timedelta(seconds=LEASE_SECONDS),
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
            self._print(run, job)
        finally:
            with self._lock:
                run.printing = None
            self._changed()
        return True

    def _print(self, run: _PrinterRun, job: PrintJob) -> None:
        reg = self.store.get(job.registration_id)
        if reg is None:
            delay = _step(self.wait_for_registration, job.attempts)
            self.store.print_failed(
                job.id,
                f"waiting for registration {job.registration_id} to sync",
                self.clock.now() + timedelta(seconds=delay),
            )
            self._message = f"Badge for {job.registration_id} waits for its registration to sync."
            return
        try:
            encoded = self.maker.encode(reg, run.printer.profile)
        except Exception as exc:  # a drawing bug must not block the queue behind it
            log.exception("badge %s cannot be drawn", reg.id)
            give_up = job.attempts + 1 >= RENDER_ATTEMPTS
            retry = None if give_up else self.clock.now() + timedelta(seconds=5)
            self.store.print_failed(job.id, f"badge cannot be drawn: {exc}", retry)
            if give_up:
                with self._lock:
                    self._undrawable[job.id] = (run.printer.name, reg.id)
            return
        try:
            status = run.printer.send(encoded.data, _label(job, reg))
        except PrinterError as exc:
            self._fault(run, job, exc)
            return
        self.store.print_done(job.id, self.clock.now())
        self._message = ""
        self._settle(registration_id=reg.id)
        with self._lock:
            run.failures = 0
            run.last_error = ""
            run.state, run.detail = status.state, status.detail
        log.info(
            "badge printed: job %s, %s, %s, %d bytes",
            job.id,
            reg.id,
            encoded.method,
            len(encoded.data),
        )

    def _fault(self, run: _PrinterRun, job: PrintJob, exc: PrinterError) -> None:
        with self._lock:
            delay = _step(self.backoff, run.failures)
            run.failures += 1
            run.state = exc.state
            run.detail = ""
            run.last_error = str(exc)
            run.paused_until = time.monotonic() + delay
        self.store.print_failed(job.id, str(exc), self.clock.now() + timedelta(seconds=delay))
        level = logging.INFO if isinstance(exc, PaperOut) else logging.WARNING
        log.log(level, "badge job %s waits %.0f s: %s", job.id, delay, exc)

    def _maybe_probe(self, run: _PrinterRun) -> None:
        if self.probe_seconds <= 0 or time.monotonic() - run.last_probe < self.probe_seconds:
            return
        run.last_probe = time.monotonic()
        try:
            status = run.printer.probe()
        except PrinterError as exc:
            status = Status(exc.state, str(exc))
        with self._lock:
            changed = status.state != run.state
            run.state, run.detail = status.state, status.detail
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
        f"The kiosk stopped while printing the badge of {', '.join(regs)}: check the tray; "
        "reprint from the desk if it is missing, or cancel the job if it came out"
    )


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
