"""The staff PIN prompt: initials for the log, a masked PIN, lockout with a countdown."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kiosk.services.ports import StaffAuthPort
from kiosk.staff_auth import PinResult
from kiosk.ui.app import StaffSession
from kiosk.ui.i18n import is_rtl
from kiosk.ui.screens.common import StaffTexts
from kiosk.ui.widgets.bidi_input import BidiInput
from kiosk.ui.widgets.sentence import Sentence


class PinScreen(StaffTexts, ModalScreen[StaffSession | None]):
    """Ask for initials and a PIN; dismissed with the staff session, or None."""

    BINDINGS = [Binding("escape", "cancel", "key.back")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self.translate_bindings()
        # The lockout end on this screen's monotonic clock: learnt once at mount and from
        # every PinResult, so the countdown never reads the lockout file on the UI thread.
        self._locked_until = 0.0
        self._said_locked = False

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-box"):
            yield Static(self.v("pin.title"), id="pin-title", markup=False)
            # No digits: a PIN typed into it by mistake would be logged as a name.
            yield BidiInput(
                placeholder=self.v("pin.initials"),
                id="initials",
                max_length=12,
                restrict=r"[^0-9]*",
            )
            yield Input(
                placeholder=self.v("pin.pin"),
                password=True,
                id="pin",
                restrict=r"[0-9]*",
                max_length=12,
            )
            yield Sentence(self.t("pin.help"), rtl=is_rtl(self.lang), id="pin-message")

    def on_mount(self) -> None:
        # Initials first, then the PIN (Tab or Enter): the order they are on screen.
        self.query_one("#initials", Input).focus()
        self.app.run_io(self.auth.locked_for, done=self._lock_for, name="pin-lock")
        self.set_interval(1.0, self._tick)

    @property
    def auth(self) -> StaffAuthPort:
        auth = self.app.services.staff_auth
        if auth is None:  # the app opens this screen only where staff can sign in
            raise RuntimeError("no staff PIN is configured on this kiosk")
        return auth

    def _lock_for(self, seconds: float) -> None:
        self._locked_until = time.monotonic() + seconds if seconds > 0 else 0.0
        self._tick()

    def _tick(self) -> None:
        """While locked, the box shows the time left and still takes the supervisor PIN
        or the recovery code (StaffAuth counts those apart), so a lock is never a dead end."""
        wait = self._locked_until - time.monotonic()
        if wait > 0:
            self._said_locked = True
            self._say(self.t("pin.locked", seconds=int(wait) + 1), "error")
        elif self._said_locked:
            self._said_locked = False
            self._say(self.t("pin.again"), "")

    def _say(self, text: str, kind: str) -> None:
        message = self.query_one("#pin-message", Sentence)
        message.show(text, is_rtl(self.lang))
        message.set_class(kind == "error", "error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "initials":
            self.query_one("#pin", Input).focus()
            return
        pin = event.value
        event.input.value = ""
        if not pin:
            return
        self._say(self.t("pin.checking"), "")
        self.app.run_io(self.auth.attempt, pin, done=self._checked, failed=self._failed, name="pin")

    def _checked(self, result: PinResult) -> None:
        if result.ok and result.role is not None:
            initials = self.query_one("#initials", Input).value.strip()
            self.dismiss(StaffSession(result.role, initials))
            return
        self.app.sound("refused")
        if result.locked_seconds > 0:
            self._lock_for(result.locked_seconds)
        else:
            left = result.attempts_left
            self._say(self.t("pin.wrong", left=left), "error")

    def _failed(self, error: BaseException) -> None:
        # The reason is in the kiosk log (app.report_error); staff need the next step.
        self.app.sound("refused")
        self._say(self.t("pin.failed"), "error")

    def action_cancel(self) -> None:
        self.dismiss(None)
