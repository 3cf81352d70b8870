"""The printer panel's use cases: the queue's jobs, every printer's state, retry and cancel.

Without a print queue (``[printer] kind = "none"``) jobs stay in the store: retry makes a
job pending again for a printer to come, cancel cancels it. Methods do IO: call them
from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.core.model import Registration
from kiosk.core.ports import PrintJob
from kiosk.services.ports import DeskStore, PrintQueue, PrintsNow
from kiosk.services.status import PRINTER_STALE_SECONDS, PrinterView, printer_view, printer_view_of


class JobVerb(StrEnum):
    RETRY = "retry"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class QueuedJob:
    job: PrintJob
    registration: Registration | None  # None: no longer in this kiosk's list


class Printing:
    """The print queue as staff see and steer it."""

    def __init__(self, store: DeskStore, queue: PrintQueue | None = None) -> None:
        self.store = store
        self.queue = queue

    def jobs(self, limit: int = 50) -> list[QueuedJob]:
        """The newest ``limit`` jobs, any status, with whose badge each one is."""
        return [
            QueuedJob(job, self.store.get(job.registration_id))
            for job in self.store.print_jobs(limit=limit)
        ]

    def state(self) -> PrinterView:
        """The kiosk's own printer (probed when its state is older than the stale limit)."""
        return printer_view(self.queue)

    def other_printers(self) -> list[tuple[str, PrinterView]]:
        """(name, view) of every configured printer but the kiosk's own (e.g. the desk's)."""
        if self.queue is None:
            return []
        return [
            (name, printer_view_of(self.queue.state(name, max_age=PRINTER_STALE_SECONDS)))
            for name in self.queue.printers[1:]
        ]

    def act(self, verb: JobVerb, job_id: int, staff: str) -> None:
        """Retry or cancel one job; PrintJobConflict when its status does not allow it."""
        queue = self.queue
        if queue is None:
            status = "pending" if verb is JobVerb.RETRY else "cancelled"
            self.store.set_print_job(job_id, staff, status=status)
            return
        if verb is JobVerb.RETRY:
            queue.retry(job_id, staff)
        else:
            queue.cancel(job_id, staff)
        queue.wake()


@dataclass(frozen=True, slots=True)
class PrintedNow:
    """One job a command printed at once (PrintsNow.print_now), as it ended.

    ``printed``: it came out here; ``elsewhere``: not here, but the job is pending or
    printing, so another process (the kiosk app) prints it; otherwise it is left for staff
    (``job.status``, usually 'held'). ``printer``, ``state`` (a PrinterState value) and
    ``message`` (the printer's own words, else the queue's) are the probed printer's.
    """

    job_id: int
    printed: bool
    elsewhere: bool
    printer: str
    state: str
    message: str
    job: PrintJob | None

    @property
    def coming(self) -> bool:
        """The badge comes out without staff (here or by the kiosk app)."""
        return self.printed or self.elsewhere


def print_now(
    queue: PrintsNow,
    store: DeskStore,
    job_id: int,
    printer: str | None = None,
    seconds: float = 20.0,
) -> PrintedNow:
    """Print ``job_id`` now on ``printer`` (None: the main one), waiting at most ``seconds``
    for another process that holds it; never promises a badge the probed printer cannot
    print (see PrintedNow)."""
    printed, state = queue.print_now(job_id, printer, seconds)
    job = store.print_job(job_id)
    elsewhere = not printed and job is not None and job.status in ("pending", "printing")
    return PrintedNow(
        job_id,
        printed,
        elsewhere,
        state.printer,
        str(state.state),
        state.printer_message or state.message,
        job,
    )
