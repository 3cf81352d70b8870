"""The Accueil Textual app: one app, three starting modes, staff screens behind a PIN.

Attributes down, messages up: the app owns the services and the status of the printer,
sync and camera (reactive attributes the screens watch); screens post messages or call
``run_io`` for anything that touches a disk, a device or the network. Every such call
runs in a thread worker owned by the app, so one handler (``on_worker_state_changed``)
sees every failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from kiosk.core.model import Lang, Mode
from kiosk.core.verdict import Verdict
from kiosk.services.ports import KeyEntry, KeyLine, PreviewFrame, Reader, ReaderStatus
from kiosk.staff_auth import PinResult, Source, StaffRole
from kiosk.ui.i18n import next_lang, printer_words, ui_text, visual
from kiosk.ui.ports import (
    AppServices,
    CameraView,
    PrinterView,
    SyncView,
    camera_view,
)

log = logging.getLogger("accueil.ui")

T = TypeVar("T")

STAFF_QR_PREFIX = "ACCUEIL-STAFF:"

# What a terminal sends for each scanner suffix (LF arrives as ctrl+j).
TERMINATOR_KEYS = {"enter": "\r", "ctrl+j": "\n", "tab": "\t"}

# Terminal bell patterns (seconds after the first ring): one ring for welcome, three
# quick rings for a refusal, two slow ones for a staff alert.
SOUNDS = {"ok": (0.0,), "refused": (0.0, 0.15, 0.3), "alert": (0.0, 0.5)}


@dataclass(frozen=True, slots=True)
class StaffSession:
    role: StaffRole
    name: str = ""

    @property
    def supervisor(self) -> bool:
        return self.role is StaffRole.SUPERVISOR

    @property
    def who(self) -> str:
        """How the staff member appears in the logs."""
        return f"{self.name} ({self.role.value})" if self.name else self.role.value


class CodeRead(Message):
    """A code from the camera, a USB scanner or the keyboard."""

    def __init__(self, code: str, source: str, repeat: bool = False) -> None:
        super().__init__()
        self.code = code
        self.source = source
        self.repeat = repeat


class DataChanged(Message):
    """The print queue changed a job or a printer's state (from its thread)."""


class ReaderState(Message):
    def __init__(self, state: ReaderStatus) -> None:
        super().__init__()
        self.state = state


class AccueilApp(App[int]):
    """Attendee kiosk, staff desk, session door and dashboard."""

    CSS_PATH = Path(__file__).with_name("accueil.tcss")
    ENABLE_COMMAND_PALETTE = False
    TITLE = "Accueil"
    # Replace Textual's own ctrl+q / ctrl+c quit bindings: nothing quits from the keyboard.
    BINDINGS = [  # noqa: RUF012
        Binding("ctrl+q", "quit", show=False, priority=True),
        Binding("ctrl+c", "quit", show=False, priority=True),
    ]

    printer: reactive[PrinterView] = reactive(PrinterView("none", "none"), always_update=False)
    sync: reactive[SyncView] = reactive(SyncView(False), always_update=False)
    camera: reactive[CameraView] = reactive(CameraView(False, "no camera"))
    staff: reactive[StaffSession | None] = reactive(None)
    # Bumped whenever what staff screens show may have changed (a print job's state, a
    # check-in made here): screens that show such data watch it and read it again.
    data_version: reactive[int] = reactive(0)

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        self.services = services
        self.settings = services.settings
        self.language: Lang = self.settings.language
        self.staff_language: Lang = self.settings.staff_language
        self.reader: Reader | None = None
        self.sounds: list[str] = []  # what was played, for tests and the log
        self.errors: list[str] = []
        self.last_input = time.monotonic()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._done: dict[
            Worker[Any],
            tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None],
        ] = {}
        self._status_busy = False
        self.ready_at: float | None = None
        self.last_verdict: Verdict | None = None
        # The line of keys since the last code (kiosk.reading.wedge.WedgeDetector): the one
        # place that tells scanner bursts from typing and ends codes on CR, LF, Tab or silence.
        self.keys: KeyLine | None = services.keys
        self._keys_idle: Timer | None = None
        self._keys_screen: Screen[Any] | None = None  # the screen the line's keys were typed on

    # -- start and stop -------------------------------------------------------------------

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.push_screen(self._base_screen())
        if self.services.reader_factory is not None:
            self.reader = self.services.reader_factory(self._reader_code, self._reader_state)
            self.camera = CameraView(True, "starting camera")
        queue = self.services.print_queue
        if queue is not None and queue.on_change is None:
            queue.on_change = self._queue_changed
        self.run_io(self._start_adapters, name="start")
        self.refresh_status()
        self.set_interval(self.settings.status_seconds, self.refresh_status)
        self.set_interval(1.0, self._check_idle)
        self.ready_at = time.perf_counter()

    def _base_screen(self) -> Screen[None]:
        from kiosk.ui.screens.attendee import AttendeeScreen
        from kiosk.ui.screens.door import DoorScreen
        from kiosk.ui.screens.staff import StaffLockScreen

        mode = self.settings.mode
        if mode is Mode.DOOR:
            return DoorScreen(self.settings.door_session)
        if mode is Mode.STAFF:
            return StaffLockScreen()
        return AttendeeScreen()

    def _start_adapters(self) -> None:
        for part in (self.reader, self.services.print_queue, self.services.sync_engine):
            if part is not None:
                part.start()

    def _queue_changed(self) -> None:
        self._from_thread(DataChanged())

    def on_unmount(self) -> None:
        queue = self.services.print_queue
        if queue is not None and queue.on_change == self._queue_changed:
            queue.on_change = None
        if self._keys_idle is not None:
            self._keys_idle.stop()
        for part in (self.reader, self.services.print_queue, self.services.sync_engine):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # stopping must not hide the reason we are stopping
                    log.exception("stopping %r", part)

    # -- IO in threads, one place for their failures ---------------------------------------

    def run_io(
        self,
        fn: Callable[..., T],
        *args: object,
        done: Callable[[T], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        name: str = "io",
    ) -> Worker[T]:
        """Run fn(*args) in a thread; call done(result) back on the UI thread."""
        worker = self.run_worker(
            lambda: fn(*args), name=name, thread=True, exit_on_error=False, group=name
        )
        self._done[worker] = (done, failed)
        return worker

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.SUCCESS:
            done, _ = self._done.pop(worker, (None, None))
            if done is not None:
                done(worker.result)
        elif event.state is WorkerState.ERROR:
            _, failed = self._done.pop(worker, (None, None))
            error = worker.error or RuntimeError("unknown error")
            self.report_error(worker.name, error)
            if failed is not None:
                failed(error)
        elif event.state is WorkerState.CANCELLED:
            self._done.pop(worker, None)

    def report_error(self, what: str, error: BaseException) -> None:
        """The one place background failures end up: logged, shown to staff, kiosk goes on."""
        message = f"{what}: {error}"
        log.error("%s", message, exc_info=error)
        self.errors.append(message)
        if self.staff is not None or self.settings.mode is Mode.STAFF:
            self.notify(message, title=self.staff_text("note.error"), severity="error", timeout=8)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notification, always as plain text: messages carry errors, names and
        config keys in brackets, which markup would eat or choke on."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- codes from the reader thread ------------------------------------------------------

    def _reader_code(self, code: str, source: str, repeat: bool) -> None:
        self._from_thread(CodeRead(code, source, repeat))

    def _reader_state(self, state: ReaderStatus) -> None:
        self._from_thread(ReaderState(state))

    def _from_thread(self, message: Message) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the app is closing
            loop.call_soon_threadsafe(self.post_message, message)

    def on_code_read(self, message: CodeRead) -> None:
        """Codes go to the screen on top, if it takes codes (modals and forms do not)."""
        handler = getattr(self.screen, "handle_code", None)
        if handler is not None:
            handler(message.code, message.source, message.repeat)

    def on_data_changed(self, message: DataChanged) -> None:
        self.data_changed()
        self.refresh_status()

    def data_changed(self) -> None:
        """Something staff screens show changed: those watching ``data_version`` reload."""
        self.data_version += 1

    def on_reader_state(self, message: ReaderState) -> None:
        self.camera = camera_view(message.state)

    def preview_frame(self) -> PreviewFrame | None:
        if self.reader is None:
            return None
        try:
            return self.reader.preview()
        except Exception as exc:  # a bad frame must never take the kiosk down
            self.report_error("camera preview", exc)
            return None

    # -- status of printer and sync --------------------------------------------------------

    def refresh_status(self) -> None:
        if self._status_busy:
            return
        self._status_busy = True

        def collect() -> tuple[PrinterView, SyncView]:
            return self.services.printing.state(), self.services.syncing.status()

        def apply(result: tuple[PrinterView, SyncView]) -> None:
            self._status_busy = False
            printer, sync = result
            was_down = self.printer.level == "down"
            self.printer = printer
            self.sync = sync
            if printer.level == "down" and not was_down:
                self.sound("alert")
                if self.staff is not None:
                    self.notify(
                        self.staff_text(
                            "note.printer_alert",
                            message=printer_words(printer, self.staff_language),
                            waiting=printer.waiting,
                        ),
                        title=self.staff_text("note.printer_alert_title"),
                        severity="error",
                        timeout=10,
                    )

        def failed(_: BaseException) -> None:
            self._status_busy = False

        self.run_io(collect, done=apply, failed=failed, name="status")

    # -- staff language --------------------------------------------------------------------

    def staff_text(self, key: str, **fields: object) -> str:
        """A staff text in the staff language, drawn right for a terminal (Arabic shaped)."""
        return visual(ui_text(key, self.staff_language, **fields))

    def switch_staff_language(self) -> Lang:
        """Staff screens in the next language (fr -> en -> ar); screens opened next use it."""
        self.staff_language = next_lang(self.staff_language)
        return self.staff_language

    # -- sound ----------------------------------------------------------------------------

    def sound(self, pattern: str) -> None:
        self.sounds.append(pattern)
        if not self.settings.bell:
            return
        for delay in SOUNDS[pattern]:
            if delay:
                self.set_timer(delay, self.bell)
            else:
                self.bell()

    # -- staff access ---------------------------------------------------------------------

    def staff_unavailable(self) -> str | None:
        """Why nobody can sign in on this kiosk (no PIN configured), or None."""
        auth = self.services.staff_auth
        if auth is None:
            return self.staff_text("note.staff_disabled")
        return None if auth.enabled else str(auth.disabled_reason())

    def open_staff(self) -> None:
        """Ask for a PIN, then open the staff desk."""
        from kiosk.ui.screens.pin import PinScreen

        reason = self.staff_unavailable()
        if reason is not None:
            self.notify(
                reason, title=self.staff_text("note.staff_mode"), severity="warning", timeout=10
            )
            return

        def signed_in(session: StaffSession | None) -> None:
            if session is not None:
                self.staff = session
                self.open_desk()

        self.push_screen(PinScreen(), signed_in)

    def open_desk(self) -> None:
        from kiosk.ui.screens.staff import DeskScreen

        # Signing in is activity: a slow PIN check must not leave the desk already idle.
        self.last_input = time.monotonic()
        self.push_screen(DeskScreen())

    def staff_qr(self, pin: str) -> None:
        """A staff card QR (ACCUEIL-STAFF:<PIN>) signs in like the PIN.

        Anyone at the attendee screen can show or type one, so its tries count on the card
        counter alone (StaffAuth): they never lock the staff desk.
        """
        auth = self.services.staff_auth
        if auth is None or not auth.enabled:
            self.open_staff()
            return

        def checked(result: PinResult) -> None:
            if result.ok and result.role is not None:
                self.staff = StaffSession(result.role, "")
                self.open_desk()
            else:
                self.sound("refused")
                self.notify(self.staff_text("note.card_refused"), severity="error")

        def failed(_: BaseException) -> None:
            self.sound("refused")
            self.notify(self.staff_text("note.card_failed"), severity="error")

        self.run_io(auth.attempt, pin, Source.CARD, done=checked, failed=failed, name="pin")

    def open_door(self, session_id: str | None) -> None:
        """Turn this kiosk into a session door (staff choose the session)."""
        from kiosk.ui.screens.door import DoorScreen

        if not session_id:
            return
        self.staff = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(DoorScreen(session_id))

    @property
    def door_below(self) -> bool:
        """This kiosk is a session door now (its own screen is under the staff ones)."""
        from kiosk.ui.screens.door import DoorScreen

        return len(self.screen_stack) > 1 and isinstance(self.screen_stack[1], DoorScreen)

    def leave_door(self) -> None:
        """Back from a session door to this kiosk's own screen: attendee check-in (or the
        locked help desk on a staff kiosk). A staff action, as turning it into a door is;
        staff are signed out, as when the door opened."""
        from kiosk.ui.screens.attendee import AttendeeScreen
        from kiosk.ui.screens.staff import StaffLockScreen

        if not self.door_below:
            return
        self.staff = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(
            StaffLockScreen() if self.settings.mode is Mode.STAFF else AttendeeScreen()
        )

    def lock(self) -> None:
        """Sign staff out and go back to this kiosk's own screen."""
        self.staff = None
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def request_quit(self) -> None:
        """The only way out: a supervisor's "quit app" action."""
        if self.staff is not None and self.staff.supervisor:
            self.exit(0)
        else:
            self.notify(self.staff_text("note.quit_supervisor"), severity="warning")

    async def action_quit(self) -> None:
        # Ctrl+Q / Ctrl+C: kiosks are never left from the keyboard.
        if self.staff is not None:
            self.notify(self.staff_text("note.quit_how"), severity="information")

    # -- idle reset -----------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.Paste):
            self.last_input = time.monotonic()
        if (
            isinstance(event, events.Key)
            and self.keys is not None
            and self._take_key(event, self.keys)
        ):
            return
        await super().on_event(event)

    # -- keys: scanners and typing ---------------------------------------------------------

    def _take_key(self, event: events.Key, keys: KeyLine) -> bool:
        """Feed a key to the line; True when it was used here and must go no further.

        Screens with ``takes_keys`` (attendee, door) get their whole code line from here;
        elsewhere keys still reach the focused widget, and only a scanner's burst is taken
        (the screen's ``scanner_consumed`` clears what the burst typed into its field).
        A password field (the staff PIN) is never a scanner, whatever the typing speed.
        """
        if not self.screen_stack:
            return False
        if self.screen is not self._keys_screen:
            # Keys typed on another screen (a PIN prompt left with Escape) are not this
            # screen's code.
            keys.clear()
            self._keys_screen = self.screen
        focused = self.focused
        if isinstance(focused, Input) and focused.password:
            keys.clear()
            return False
        owns_line = bool(getattr(self.screen, "takes_keys", False))
        at = event.time  # when the terminal delivered the key, not when we got to it
        if event.key in TERMINATOR_KEYS:
            entry = keys.end(TERMINATOR_KEYS[event.key], at, quiet=owns_line)
            if entry is not None and (entry.source == "scanner" or owns_line):
                self._deliver(entry)
                return True
            return owns_line
        if event.key == "backspace":
            keys.backspace()
            self._show_line()
            return owns_line
        if event.is_printable and event.character:
            # A silence ends a scan only where the line is all codes; in a staff form a
            # scanner without a suffix is just text.
            entry = keys.key(event.character, at, quiet=owns_line)
            if entry is not None:
                self._deliver(entry)
            self._show_line()
            if self._keys_idle is not None:
                self._keys_idle.stop()
                self._keys_idle = None
            if owns_line:
                self._keys_idle = self.set_timer(keys.quiet_gap + 0.02, self._quiet_line)
            return owns_line
        return False

    def _quiet_line(self) -> None:
        """A silence after keys: a scanner that sends no suffix has finished its code."""
        self._keys_idle = None
        if (
            self.keys is None
            or not self.screen_stack
            or not getattr(self.screen, "takes_keys", False)
        ):
            return  # closing, or a screen where a silence ends nothing
        entry = self.keys.idle(time.monotonic())
        if entry is not None:
            self._deliver(entry)

    def _deliver(self, entry: KeyEntry) -> None:
        if entry.source == "scanner":
            consumed = getattr(self.screen, "scanner_consumed", None)
            if consumed is not None:
                consumed()
        self._show_line()
        self.submit_code(entry.code, entry.source)

    def _show_line(self) -> None:
        show = getattr(self.screen, "show_line", None)
        if show is not None and self.keys is not None:
            show(self.keys.line)

    def submit_code(self, code: str, source: str = "typed") -> None:
        """A code typed or pasted on screen: through the reader (repeat detection) if any."""
        if self.reader is not None:
            self.reader.submit(code, source)
        else:
            self.post_message(CodeRead(code, source))

    def _check_idle(self) -> None:
        idle = time.monotonic() - self.last_input
        if len(self.screen_stack) > 2 and idle > self.settings.idle_reset_seconds:
            self.lock()
