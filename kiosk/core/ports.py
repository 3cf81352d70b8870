"""What the core needs from the world: small interfaces that adapters implement."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from kiosk.core.model import Registration, Scan, ScanHistory, Session


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in the event's time zone."""
        ...


class RegistrationStore(Protocol):
    """The locally synced registration list."""

    def find_by_code(self, code: str) -> list[Registration]: ...

    def get(self, registration_id: str) -> Registration | None: ...

    def session(self, session_id: str) -> Session | None: ...

    def sessions(self) -> list[Session]: ...

    def search(self, text: str, limit: int = 20) -> list[Registration]: ...

    def add_walkin(self, registration: Registration, staff: str) -> None:
        """Store a desk registration and queue it for upload, in one transaction.

        Raises ``kiosk.core.codes.CodeClashError``, storing nothing, when its code already
        belongs to another registration.
        """
        ...


class PrintReason(StrEnum):
    CHECKIN = "checkin"
    WALKIN = "walkin"
    REPRINT = "reprint"


@dataclass(frozen=True, slots=True)
class PrintRequest:
    """Ask for one badge, queued in the same transaction as the scan that earned it."""

    registration_id: str
    reason: PrintReason = PrintReason.CHECKIN
    staff: str = ""
    # For a command that prints the badge itself at once: the job is born 'held', so a
    # command stopped before it printed leaves nothing to come out later by itself.
    hold: bool = False


@dataclass(frozen=True, slots=True)
class PrintJob:
    """One badge in the persistent print queue.

    ``status``: pending (waits for its printer), printing (claimed by a worker), uncertain
    (its worker died mid-badge: staff check the tray), desk (to print at the help desk:
    the kiosk sent the attendee there), held (queued from the shell while the printer could
    not print it: staff release it), done, failed (cannot be drawn), cancelled. At most one
    job per registration is in one of the first five (``WAITING_STATUSES``).
    """

    id: int
    registration_id: str
    reason: str
    staff: str
    printer: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    printed_at: datetime | None


WAITING_STATUSES = ("pending", "printing", "uncertain", "desk", "held")


@dataclass(frozen=True, slots=True)
class QueuedBadge:
    """What asking for a badge did: the one job that will print it.

    ``outcome``: "queued" (a new job), "joined" (the job already waiting for this person
    is the badge; a staff reprint makes it due now, on the printer asked for), "replaced"
    (staff chose a new job; the waiting one, ``previous``, was cancelled).
    """

    job_id: int
    outcome: str
    previous: PrintJob | None = None


class PrintJobConflict(ValueError):
    """A print job action the queue's rules refuse; the message says what staff can do."""


class ScanLog(Protocol):
    """The append-only scan log; every record is durable when the call returns."""

    def history(self, registration_id: str) -> ScanHistory: ...

    def session_inside(self, session_id: str) -> int: ...

    def exclusive(self) -> AbstractContextManager[object]:
        """Hold the log from a decision's reads to its record's commit (one transaction)."""
        ...

    def record(self, scan: Scan, print_request: PrintRequest | None = None) -> int | None:
        """Commit the scan (and its outbox row and badge job) in one transaction.

        Returns the print job id when a badge was queued.
        """
        ...


@dataclass(frozen=True, slots=True)
class OutboxItem:
    seq: int
    kind: str  # "scan" or "registration"
    key: str  # scan nonce or registration id
    payload: str  # JSON
    attempts: int


class Outbox(Protocol):
    """What still has to be uploaded, in order."""

    def pending(self, limit: int = 500) -> list[OutboxItem]: ...

    def mark_sent(self, seqs: Sequence[int]) -> None: ...

    def count_pending(self) -> int: ...


class PrinterState(StrEnum):
    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


class CodeSource(Protocol):
    """Where codes come from: a camera, a video file, a USB scanner, a keyboard."""

    name: str

    def codes(self) -> Iterator[str]: ...

    def close(self) -> None: ...


IdFactory = Callable[[], str]


class PrintQueueStore(Protocol):
    """The persistent badge queue (implemented by the local store)."""

    def next_print_job(self, now: datetime, printer: str = "") -> PrintJob | None: ...

    def print_job(self, job_id: int) -> PrintJob | None: ...

    def print_jobs(self, status: str | None = None, limit: int = 200) -> list[PrintJob]: ...

    def print_done(self, job_id: int, now: datetime) -> None: ...

    def print_failed(
        self, job_id: int, error: str, retry_at: datetime | None, *, hold: bool = False
    ) -> None: ...

    def print_uncertain(self, job_id: int, error: str) -> None:
        """The whole badge was sent but not confirmed: 'uncertain', never resent by itself."""
        ...

    def queue_print(self, request: PrintRequest, printer: str = "") -> int: ...

    def request_badge(
        self,
        request: PrintRequest,
        printer: str = "",
        *,
        replace: bool = False,
        seen: int | None = None,
    ) -> QueuedBadge:
        """Ask for a badge under the one-waiting-badge rule, in one transaction.

        ``seen``: the waiting job staff saw when they chose; PrintJobConflict if it is no
        longer the one waiting (printed meanwhile: a new job would be a second badge).
        """
        ...

    def set_print_job(
        self, job_id: int, staff: str, *, status: str | None = None, printer: str | None = None
    ) -> None:
        """A staff action; raises PrintJobConflict when the job cannot take it."""
        ...

    def route_print_job(
        self, job_id: int, *, status: str = "pending", printer: str | None = None, note: str = ""
    ) -> bool:
        """Move a pending job (to a printer, or to 'desk'/'held'); False if not pending."""
        ...

    def count_print_jobs(self, status: str = "pending") -> int: ...

    def claim_print_job(
        self,
        now: datetime,
        lease_until: datetime,
        printer: str = "",
        *,
        job_id: int | None = None,
        assigned_only: bool = False,
    ) -> PrintJob | None:
        """Atomically take the oldest due job; other workers skip it until lease_until."""
        ...

    def settle_interrupted_prints(self, now: datetime, latest: datetime | None = None) -> int:
        """Jobs whose worker died mid-print (lease over) become 'uncertain' for staff."""
        ...

    def get(self, registration_id: str) -> Registration | None: ...
