"""What the desk's use cases and the app need from the adapters, as typed Protocols.

The adapters implement them structurally (nobody inherits): sync.store.LocalStore is a
``DeskStore``, printers.queue.PrintQueue a ``PrintQueue`` whose ``state()`` is a
``QueueState``, sync.engine.SyncEngine a ``SyncEngine`` whose ``status()`` is a
``SyncStatus``, kiosk.reading.CodeReader a ``Reader``, kiosk.reading.wedge.WedgeDetector a
``KeyLine`` and kiosk.staff_auth.StaffAuth a ``StaffAuthPort``. main.py composes them;
the services and the UI import none of those modules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from kiosk.core.model import Event, Registration, Scan, Session
from kiosk.core.ports import Clock, OutboxItem, PrintJob, PrintRequest, QueuedBadge
from kiosk.staff_auth import PinResult, Source

__all__ = [
    "Clock",
    "DeskStore",
    "HeldConfirmer",
    "IdentityChecking",
    "KeyEntry",
    "KeyLine",
    "OnCode",
    "OnState",
    "Placement",
    "PreviewFrame",
    "PrintQueue",
    "PrinterReport",
    "PrintsNow",
    "ProbeStep",
    "Probing",
    "PurgeStore",
    "QueueState",
    "Reader",
    "ReaderFactory",
    "ReaderStatus",
    "StaffAuthPort",
    "SyncEngine",
    "SyncLedger",
    "SyncStatus",
]


class DeskStore(Protocol):
    """The local store as the desk, the panels and the dashboard read and change it."""

    def get(self, registration_id: str) -> Registration | None: ...

    def find_by_code(self, code: str) -> list[Registration]: ...

    def search(self, text: str, limit: int = 20) -> list[Registration]: ...

    def all_registrations(self) -> list[Registration]: ...

    def set_badge_name(self, registration_id: str, name: str, staff: str) -> None: ...

    def session(self, session_id: str) -> Session | None: ...

    def sessions(self) -> list[Session]: ...

    def session_inside(self, session_id: str) -> int: ...

    def scans_of(self, registration_id: str) -> list[Scan]:
        """This registration's scans (any verdict), oldest first."""
        ...

    def scans(
        self, since_seq: int = 0, limit: int | None = None, origin: str | None = None
    ) -> list[Scan]: ...

    def count_pending(self) -> int:
        """Outbox items (scans, walk-ins) still to upload."""
        ...

    def print_jobs(self, status: str | None = None, limit: int = 200) -> list[PrintJob]:
        """Newest first; ``status`` None: any status."""
        ...

    def print_job(self, job_id: int) -> PrintJob | None: ...

    def request_badge(
        self,
        request: PrintRequest,
        printer: str = "",
        *,
        replace: bool = False,
        seen: int | None = None,
    ) -> QueuedBadge: ...

    def set_print_job(
        self, job_id: int, staff: str, *, status: str | None = None, printer: str | None = None
    ) -> None: ...

    def sync_conflicts(self) -> list[dict[str, object]]:
        """Scans the source refused or flagged, as its JSON objects (sync.engine)."""
        ...


# -- printing --------------------------------------------------------------------------


class QueueState(Protocol):
    """One printer and its queue (printers.queue.QueueState)."""

    @property
    def printer(self) -> str: ...

    @property
    def state(self) -> str:
        """A kiosk.core.ports.PrinterState value: ok, paper_low, paper_out, offline, unknown."""
        ...

    @property
    def jobs_waiting(self) -> int: ...

    @property
    def last_error(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def ok(self) -> bool: ...


class Placement(Protocol):
    """Where a just-queued badge comes out (printers.queue.Placement)."""

    @property
    def at_desk(self) -> bool: ...


class PrintQueue(Protocol):
    """The persistent badge queue and its printers (issue 4).

    ``on_change``: called from the queue's worker thread after any job changes state
    (the app sets it to refresh what staff see); None when nobody listens.
    """

    on_change: Callable[[], None] | None

    @property
    def printers(self) -> list[str]:
        """Configured printer names, the kiosk's own (main) first."""
        ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wake(self) -> None: ...

    def state(self, printer: str | None = None, *, max_age: float | None = None) -> QueueState:
        """One printer's state (default the main one); probed now when older than max_age s."""
        ...

    def reprint(
        self,
        registration_id: str,
        staff: str,
        printer: str = "",
        *,
        replace: bool = False,
        hold: bool = False,
        seen: int | None = None,
    ) -> tuple[int, str | None]:
        """(job id, warning for staff or None); PrintJobConflict when staff saw a stale job."""
        ...

    def place(self, job_id: int, max_age: float | None = None) -> Placement: ...

    def cancel(self, job_id: int, staff: str) -> None: ...

    def retry(self, job_id: int, staff: str) -> None: ...


class PrinterReport(QueueState, Protocol):
    """A printer's state as a command reports it (printers.queue.QueueState)."""

    @property
    def printer_message(self) -> str:
        """The printer's own words, without the queue's alerts ("" none)."""
        ...


class PrintsNow(Protocol):
    """A queue that prints one job at once for a command, no worker running
    (printers.queue.PrintQueue.print_now)."""

    def print_now(
        self, job_id: int, printer: str | None = None, seconds: float = 20.0
    ) -> tuple[bool, PrinterReport]:
        """(printed, the printer's state); a job that cannot print now is left 'held'."""
        ...


# -- sync ------------------------------------------------------------------------------


class SyncStatus(Protocol):
    """What the sync engine says about itself (sync.engine.SyncStatus)."""

    @property
    def online(self) -> bool | None:
        """None: not tried yet."""
        ...

    @property
    def last_success(self) -> datetime | None: ...

    @property
    def pending(self) -> int: ...

    @property
    def last_error(self) -> str: ...


class SyncEngine(Protocol):
    """Upload of scans and download of the registration list (issue 6)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wake(self) -> None: ...

    def status(self) -> SyncStatus: ...


# -- reading ---------------------------------------------------------------------------


class ReaderStatus(Protocol):
    """The camera's state (kiosk.reading.state.ReaderState): a CameraStatus and a sentence."""

    @property
    def status(self) -> str: ...

    @property
    def message(self) -> str: ...


class PreviewFrame(Protocol):
    """A small grayscale frame to draw (kiosk.reading.preview.Preview)."""

    @property
    def image(self) -> np.ndarray:
        """``uint8``, shape (height, width)."""
        ...

    @property
    def polygon(self) -> tuple[tuple[float, float], ...] | None:
        """The code's corners in preview pixels (x right, y down), when one was just seen."""
        ...


class Reader(Protocol):
    """The code reader (kiosk.reading.CodeReader): callbacks arrive from its own thread."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def submit(self, code: str, source: str = "typed") -> None: ...

    def preview(self) -> PreviewFrame | None:
        """A Preview (small grayscale ``image``, code ``polygon`` or None), or None."""
        ...


OnCode = Callable[[str, str, bool], None]  # code, source, repeat
OnState = Callable[[ReaderStatus], None]
ReaderFactory = Callable[[OnCode, OnState], Reader]


class KeyEntry(Protocol):
    """A code that came in by keys (kiosk.reading.wedge.Entry)."""

    @property
    def code(self) -> str: ...

    @property
    def source(self) -> str:
        """ "scanner" (a burst) or "typed"."""
        ...


class KeyLine(Protocol):
    """The line of keys since the last code (kiosk.reading.wedge.WedgeDetector)."""

    @property
    def quiet_gap(self) -> float: ...

    @property
    def line(self) -> str: ...

    def clear(self) -> None: ...

    def key(self, char: str, now: float, *, quiet: bool = True) -> KeyEntry | None: ...

    def backspace(self) -> None: ...

    def end(self, char: str, now: float, *, quiet: bool = True) -> KeyEntry | None: ...

    def idle(self, now: float) -> KeyEntry | None: ...


# -- staff -----------------------------------------------------------------------------


class StaffAuthPort(Protocol):
    """Staff PINs and their lockout (kiosk.staff_auth.StaffAuth)."""

    @property
    def enabled(self) -> bool: ...

    def disabled_reason(self) -> str: ...

    def locked_for(self, source: Source = ...) -> float:
        """Seconds until ``source`` may try again (0: now)."""
        ...

    def attempt(self, pin: str, source: Source = ...) -> PinResult: ...


# -- purge -----------------------------------------------------------------------------


class HeldConfirmer(Protocol):
    """A source that can say which of this kiosk's scans and walk-ins it holds
    (sync.hub_client.HubClient, the ``confirm`` ability of the source registry)."""

    def confirm_held(self, nonces: Sequence[str], walkins: Sequence[str]) -> dict[str, Any]:
        """The hub's answer: ``missing_scans``, ``missing_registrations`` (lists of nonces
        and ids), ``scans_held`` (int), ``kiosk_id``, ``hub_id``, ``last_nonce``,
        ``confirmed_at``. Raises SourceAuthError on a refused token, SourceError (reason
        ``not_a_hub``, or ``status`` None when unreachable) otherwise."""
        ...


class PurgeStore(Protocol):
    """The local store as the purge reads and empties it (sync.store.LocalStore)."""

    def count_pending(self) -> int: ...

    def pending(self, limit: int = 500) -> list[OutboxItem]: ...

    def outbox_failures(self) -> list[dict[str, object]]: ...

    def own_scan_nonces(self) -> list[str]:
        """Nonces of the scans made here, in log order."""
        ...

    def own_walkin_ids(self) -> list[str]: ...

    def count_registrations(self) -> int: ...

    def event(self) -> Event | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def purge_attendee_data(
        self, confirmed_scans: int, confirmed_last_nonce: str | None
    ) -> dict[str, int]:
        """Rows deleted per table, in one transaction; StorageError (nothing deleted) when
        anything waits for upload or the kiosk's scans differ from the confirmed ones."""
        ...


# -- sync status -----------------------------------------------------------------------


class SyncLedger(Protocol):
    """What the store keeps about syncing (sync.store.LocalStore), as `sync status` reads it."""

    def count_pending(self) -> int: ...

    def get_meta(self, key: str, default: str | None = None) -> str | None: ...

    def sync_cursor(self, source: str) -> str | None:
        """Where the next incremental pull starts (None: a full pull)."""
        ...

    def count_registrations(self) -> int: ...

    def sync_conflicts(self) -> list[dict[str, Any]]: ...

    def event(self) -> Event | None: ...

    def outbox_failures(self) -> list[dict[str, object]]:
        """Outbox items that failed at least once: seq, kind, key, attempts, last_error."""
        ...

    def last_full_pull(self, source: str) -> dict[str, Any]:
        """``at``, ``removed``, ``lists_changed`` (door -> what) of the last full pull."""
        ...


class ProbeStep(Protocol):
    """One step of a source's self-check (sync.pretix.Probe)."""

    @property
    def what(self) -> str: ...

    @property
    def ok(self) -> bool: ...

    @property
    def detail(self) -> str: ...

    @property
    def key(self) -> str:
        """The [sync] key to fix ("" none)."""
        ...

    @property
    def temporary(self) -> bool:
        """Trouble that may pass (unreachable, 5xx) rather than configuration."""
        ...


class Probing(Protocol):
    """A source with the ``probe`` ability (pretix): checks itself step by step."""

    def probe(self) -> Sequence[ProbeStep]: ...


class IdentityChecking(Protocol):
    """A source with the ``identity`` ability (the hub): is the token this kiosk's?

    ``check_identity`` raises SourceRejected (a token to fix) or SourceUnavailable."""

    def check_identity(self) -> None: ...
