"""The printer, sync and camera status the screens show, read from the typed adapter states.

``printer_view`` asks the print queue (probing a state older than PRINTER_STALE_SECONDS,
in the caller's IO thread); ``sync_view`` reads the sync engine's SyncStatus; both run
in a worker, never on the UI thread. ``None`` for an adapter means "not configured here".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.services.ports import PrintQueue, QueueState, ReaderStatus, SyncEngine

PRINTER_STALE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class PrinterView:
    level: str  # ok, warn, down, none
    state: str  # ok, paper_low, paper_out, offline, unknown, none
    waiting: int = 0
    message: str = ""
    last_error: str = ""

    @property
    def badges_at_desk(self) -> bool:
        """The attendee should collect the badge at the help desk."""
        return self.level in ("down", "none")


def printer_view(queue: PrintQueue | None, printer: str | None = None) -> PrinterView:
    """The view of one printer (default the kiosk's own); a stale state is probed first."""
    if queue is None:
        return PrinterView("none", "none", message="no printer configured")
    return printer_view_of(queue.state(printer, max_age=PRINTER_STALE_SECONDS))


def printer_view_of(raw: QueueState) -> PrinterView:
    """A PrinterView from one printer's QueueState.

    ``level``: "ok" when the printer prints (a badge the queue could not draw makes it
    "warn": that is for staff, not attendees), "warn" on paper low, "down" otherwise.
    """
    state = str(raw.state or "unknown").lower()
    if state in ("ok", "unknown"):
        level = "ok" if raw.ok else "warn"
    else:
        level = "warn" if state == "paper_low" else "down"
    message = str(raw.message or "") or state.replace("_", " ")
    return PrinterView(level, state, int(raw.jobs_waiting or 0), message, str(raw.last_error or ""))


@dataclass(frozen=True, slots=True)
class SyncView:
    configured: bool
    online: bool = False
    last_sync: datetime | None = None
    waiting: int = 0
    last_error: str = ""


def sync_view(engine: SyncEngine | None, waiting: int) -> SyncView:
    """The sync view; ``waiting`` (the outbox count) is used when no engine is configured."""
    if engine is None:
        return SyncView(False, waiting=waiting)
    raw = engine.status()
    return SyncView(
        True,
        online=bool(raw.online),
        last_sync=raw.last_success,
        waiting=int(raw.pending),
        last_error=str(raw.last_error or ""),
    )


@dataclass(frozen=True, slots=True)
class CameraView:
    available: bool
    text: str = ""


CAMERA_WORKING = ("ok", "starting", "reconnecting")


def camera_view(state: ReaderStatus | None) -> CameraView:
    """Whether the camera reads codes (or soon will), and its own sentence."""
    if state is None:
        return CameraView(False, "no camera")
    kind = str(state.status).lower()
    return CameraView(kind in CAMERA_WORKING, str(state.message or kind))
