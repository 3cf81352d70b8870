"""What the app is given (AppServices) and the typed ports it reaches the adapters through.

main.py's Runtime.build_app fills AppServices with the real store, check-in service,
camera reader, print queue and sync engine. The UI never imports those adapters: it
calls the use cases of kiosk.services (``desk``, ``printing``, ``syncing``,
``statistics``, built here from the ports) and the Protocols of kiosk.services.ports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.model import Direction, Event, Lang, Mode
from kiosk.core.ports import Clock
from kiosk.core.service import CheckinService
from kiosk.services.desk import DeskActions
from kiosk.services.ports import (
    DeskStore,
    KeyLine,
    OnCode,
    OnState,
    PrintQueue,
    Reader,
    ReaderFactory,
    StaffAuthPort,
    SyncEngine,
)
from kiosk.services.printing import Printing
from kiosk.services.statistics import Statistics
from kiosk.services.status import (
    PRINTER_STALE_SECONDS,
    CameraView,
    PrinterView,
    SyncView,
    camera_view,
    printer_view,
    printer_view_of,
    sync_view,
)
from kiosk.services.syncing import Syncing

__all__ = [
    "PRINTER_STALE_SECONDS",
    "AppServices",
    "CameraView",
    "OnCode",
    "OnState",
    "PrintQueue",
    "PrinterView",
    "Reader",
    "ReaderFactory",
    "SyncEngine",
    "SyncView",
    "UiSettings",
    "camera_view",
    "printer_view",
    "printer_view_of",
    "sync_view",
]


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
    """Everything the app is given; tests build it through Runtime.build_app too.

    ``desk``, ``printing``, ``syncing`` and ``statistics`` are the use cases over the
    adapters given here (made on each use: small objects, always over the current ones).
    """

    store: DeskStore
    checkin: CheckinService
    event: Event
    clock: Clock
    settings: UiSettings = field(default_factory=UiSettings)
    staff_auth: StaffAuthPort | None = None
    reader_factory: ReaderFactory | None = None
    print_queue: PrintQueue | None = None
    sync_engine: SyncEngine | None = None
    print_badges: bool = True
    keys: KeyLine | None = None  # scanner bursts vs typing (kiosk.reading.wedge)

    @property
    def desk(self) -> DeskActions:
        return DeskActions(self.store, self.checkin, self.print_queue)

    @property
    def printing(self) -> Printing:
        return Printing(self.store, self.print_queue)

    @property
    def syncing(self) -> Syncing:
        return Syncing(self.store, self.sync_engine)

    @property
    def statistics(self) -> Statistics:
        return Statistics(self.store, self.clock)

    def today(self) -> int | None:
        """The event day scans count for: [event] day when forced, else the calendar's."""
        day = self.checkin.day
        return day if day is not None else self.event.day_of(self.clock.now())
