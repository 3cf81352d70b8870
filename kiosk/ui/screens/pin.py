"""The staff PIN prompt: initials for the log, a masked PIN, lockout with a countdown."""

from __future__ import annotations

import time
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from kiosk.staff_auth import PinResult
from kiosk.ui.app import StaffSession

SIGN_IN_FAILED = "Sign-in failed: tell a supervisor (the kiosk log has the details)."


class PinScreen(ModalScreen[StaffSession | None]):
    """Ask for initials and a PIN; dismissed with the staff session, or None."""

    BINDINGS = [Binding("escape", "cancel", "Back")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        # The lockout end on this screen's monotonic clock: learnt once at mount and from
        # every PinResult, so the countdown never reads the lockout file on the UI thread.
        self._locked_until = 0.0

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-box"):
            yield Label("Staff sign-in", id="pin-title")
            yield Input(placeholder="Your initials (for the log)", id="initials", max_length=12)
            yield Input(
                placeholder="PIN", password=True, id="pin", restrict=r"[0-9]*", max_length=12
            )
            yield Static("Enter to sign in, Escape to go back.", id="pin-message")

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()
        self.app.run_io(self.auth.locked_for, done=self._lock_for, name="pin-lock")  # type: ignore[attr-defined]
        self.set_interval(1.0, self._tick)

    @property
    def auth(self) -> Any:
        return self.app.services.staff_auth  # type: ignore[attr-defined]

    def _lock_for(self, seconds: float) -> None:
        self._locked_until = time.monotonic() + seconds if seconds > 0 else 0.0
        self._tick()

    def _tick(self) -> None:
        """While locked, the PIN box is disabled and shows the time left."""
        pin = self.query_one("#pin", Input)
        wait = self._locked_until - time.monotonic()
        if wait > 0:
            pin.disabled = True
            self._say(f"Too many wrong PINs. Locked: try again in {int(wait) + 1} s.", "error")
        elif pin.disabled:
            pin.disabled = False
            pin.focus()
            self._say("You can try again.", "")

    def _say(self, text: str, kind: str) -> None:
        message = self.query_one("#pin-message", Static)
        message.update(text)
        message.set_class(kind == "error", "error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "initials":
            self.query_one("#pin", Input).focus()
            return
        pin = event.value
        event.input.value = ""
        if not pin:
            return
        self._say("Checking…", "")
        self.app.run_io(  # type: ignore[attr-defined]
            self.auth.attempt, pin, done=self._checked, failed=self._failed, name="pin"
        )

    def _checked(self, result: PinResult) -> None:
        if result.ok and result.role is not None:
            initials = self.query_one("#initials", Input).value.strip()
            self.dismiss(StaffSession(result.role, initials))
            return
        self.app.sound("refused")  # type: ignore[attr-defined]
        if result.locked_seconds > 0:
            self._lock_for(result.locked_seconds)
        else:
            left = result.attempts_left
            self._say(f"Wrong PIN. {left} attempt(s) left before a lockout.", "error")

    def _failed(self, error: BaseException) -> None:
        # The reason is in the kiosk log (app.report_error); staff need the next step.
        self.app.sound("refused")  # type: ignore[attr-defined]
        self._say(SIGN_IN_FAILED, "error")

    def action_cancel(self) -> None:
        self.dismiss(None)
