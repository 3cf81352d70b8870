"""What the app needs from the rest of Accueil, as small interfaces; None means "not here".

main.py's Runtime.build_app fills AppServices with the real store, check-in service,
camera reader, print queue and sync engine. The UI never imports those adapters: it only
calls the methods below, and reads their status objects through the *_view functions,
which tolerate a missing field rather than crash the kiosk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from kiosk.core.model import Direction, Event, Lang, Mode


class Reader(Protocol):
    """The code reader (kiosk.reading.CodeReader): callbacks arrive from its own thread."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def submit(self, code: str, source: str = "typed") -> None: ...

    def key(self, char: str, now: float | None = None) -> None: ...

    def enter(self, now: float | None = None) -> bool: ...

    @property
    def state(self) -> Any: ...

    def preview(self) -> Any:
        """A Preview (small grayscale ``image``, code ``polygon`` or None), or None."""
        ...


OnCode = Callable[[str, str, bool], None]  # code, source, repeat
OnState = Callable[[Any], None]
ReaderFactory = Callable[[OnCode, OnState], Reader]


class PrintQueue(Protocol):
    """The persistent badge queue and its printer (issue 4)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wake(self) -> None: ...

    def state(self) -> Any: ...

    def reprint(self, registration_id: str, staff: str) -> tuple[int, str | None]: ...

    def place(self, job_id: int) -> Any:
        """Where a just-queued badge comes out (``.at_desk``), from a fresh printer state."""
        ...

    def cancel(self, job_id: int, staff: str) -> None: ...

    def retry(self, job_id: int, staff: str) -> None: ...


class SyncEngine(Protocol):
    """Upload of scans and download of the registration list (issue 6)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wake(self) -> None: ...

    def status(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class UiSettings:
    mode: Mode = Mode.KIOSK
    language: Lang = Lang.FR
    staff_language: Lang = Lang.FR
    result_seconds: float = 6.0
    idle_reset_seconds: float = 45.0
    door_session: str = ""
    door_direction: Direction = Direction.ENTRY
    amber_at_percent: int = 90
    enforce_capacity: bool = True
    kiosk_name: str = "Kiosk"
    status_seconds: float = 2.0
    bell: bool = True
    camera_preview: bool = True


@dataclass
class AppServices:
    """Everything the app is given; tests build it through Runtime.build_app too."""

    store: Any
    checkin: Any
    event: Event
    clock: Any
    settings: UiSettings = field(default_factory=UiSettings)
    staff_auth: Any = None
    reader_factory: ReaderFactory | None = None
    print_queue: PrintQueue | None = None
    sync_engine: SyncEngine | None = None
    print_badges: bool = True
    keys: Any = None  # a kiosk.reading.wedge.WedgeDetector: scanner bursts vs typing

    def today(self) -> int | None:
        day = getattr(self.checkin, "day", None)
        return day if day is not None else self.event.day_of(self.clock.now())


# -- status views: the fields the screens show, read defensively ---------------------------


def _field(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            value = getattr(obj, name)
            return value() if callable(value) and name != "value" else value
    return default


def _text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


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


PRINTER_STALE_SECONDS = 10.0


def printer_view(queue: PrintQueue | None) -> PrinterView:
    if queue is None:
        return PrinterView("none", "none", message="no printer configured")
    try:  # a state older than this is probed (in the caller's IO thread) before it is shown
        raw = queue.state(max_age=PRINTER_STALE_SECONDS)  # type: ignore[call-arg]
    except TypeError:  # a queue without probing
        raw = queue.state()
    return printer_view_of(raw)


def printer_view_of(raw: Any) -> PrinterView:
    """A PrinterView from one printer's QueueState (or a look-alike)."""
    state = _text(_field(raw, "state", "printer_state", default="unknown")).lower()
    waiting = int(_field(raw, "jobs_waiting", "waiting", "pending", default=0) or 0)
    message = _text(_field(raw, "message", default=""))
    error = _text(_field(raw, "last_error", "error", default=""))
    healthy = _field(raw, "ok", default=state in ("ok", "unknown"))
    if state in ("ok", "unknown"):
        # the printer prints; a badge the queue could not draw is for staff, not attendees
        level = "ok" if healthy else "warn"
    else:
        level = "warn" if state == "paper_low" else "down"
    return PrinterView(level, state, waiting, message or state.replace("_", " "), error)


@dataclass(frozen=True, slots=True)
class SyncView:
    configured: bool
    online: bool = False
    last_sync: datetime | None = None
    waiting: int = 0
    last_error: str = ""


def sync_view(engine: SyncEngine | None, waiting: int) -> SyncView:
    if engine is None:
        return SyncView(False, waiting=waiting)
    raw = engine.status()
    last = _field(raw, "last_sync", "last_sync_at", "last_success", default=None)
    return SyncView(
        True,
        online=bool(_field(raw, "online", default=False)),
        last_sync=last if isinstance(last, datetime) else None,
        waiting=int(_field(raw, "scans_waiting", "waiting", "pending", default=waiting) or 0),
        last_error=_text(_field(raw, "last_error", "error", default="")),
    )


@dataclass(frozen=True, slots=True)
class CameraView:
    available: bool
    text: str = ""


def camera_view(state: Any) -> CameraView:
    if state is None:
        return CameraView(False, "no camera")
    kind = _text(_field(state, "status", "kind", "state", default="ok")).lower()
    text = _text(_field(state, "message", default=kind))
    return CameraView(kind in ("ok", "starting", "reconnecting"), text)
