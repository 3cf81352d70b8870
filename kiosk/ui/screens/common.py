"""Pieces every staff screen shares: the function-key bar, the alert line, small prompts."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, Static


def staff_alert_text(app: Any) -> str:
    """One line about what needs staff attention now (printer, sync), or ''."""
    parts = []
    printer = app.printer
    if printer.level == "down" and printer.state != "none":
        parts.append(f"⚠ Printer {printer.message}: {printer.waiting} badge(s) waiting")
    elif printer.level == "warn":
        parts.append(f"Printer: {printer.message}")
    elif printer.state == "none":
        parts.append("No printer: badges are printed elsewhere")
    sync = app.sync
    if sync.configured and sync.last_error:
        parts.append(f"⚠ Sync: {sync.last_error}")
    elif sync.configured and not sync.online:
        parts.append(f"Sync offline: {sync.waiting} scan(s) waiting")
    return "   ".join(parts)


class StaffScreen(Screen[None]):
    """A screen behind the PIN: shortcuts in the footer, alerts on top."""

    BINDINGS = [  # noqa: RUF012
        Binding("f2", "app_screen('walkin')", "Walk-in"),
        Binding("f3", "app_screen('printer')", "Printer"),
        Binding("f4", "app_screen('sync')", "Sync"),
        Binding("f5", "app_screen('dashboard')", "Dashboard"),
        Binding("f6", "app_screen('door')", "Door"),
        Binding("f9", "lock", "Sign out"),
        Binding("f10", "quit_app", "Quit app"),
        Binding("escape", "back", "Back"),
    ]

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    @property
    def who(self) -> str:
        staff = self.app.staff  # type: ignore[attr-defined]
        return staff.who if staff is not None else "staff"

    def compose_alert(self) -> ComposeResult:
        yield Static("", id="alert")

    def on_mount(self) -> None:
        self.watch(self.app, "printer", lambda _: self._refresh_alert())
        self.watch(self.app, "sync", lambda _: self._refresh_alert())

    def _refresh_alert(self) -> None:
        alert = self.query("#alert")
        if alert:
            text = staff_alert_text(self.app)
            widget = alert.first(Static)
            widget.update(text)
            widget.set_class("⚠" in text, "bad")

    def footer(self) -> Footer:
        return Footer()

    def action_app_screen(self, name: str) -> None:
        from kiosk.ui.screens import open_staff_screen

        open_staff_screen(self.app, name)

    def action_lock(self) -> None:
        self.app.lock()  # type: ignore[attr-defined]

    def action_quit_app(self) -> None:
        staff = self.app.staff  # type: ignore[attr-defined]
        if staff is None or not staff.supervisor:
            self.notify("Quit app is a supervisor action.", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.request_quit()  # type: ignore[attr-defined]

        self.app.push_screen(ConfirmScreen("Quit the Accueil app on this kiosk?"), confirmed)

    def action_back(self) -> None:
        self.app.pop_screen()

    def say(self, text: str, error: bool = False) -> None:
        for message in self.query("#message"):
            assert isinstance(message, Static)
            message.update(text)
            message.set_class(error, "error")


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text (a reason, a corrected name)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]  # noqa: RUF012

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Input(self.value, placeholder=self.placeholder, id="answer")
            yield Static("Enter to confirm, Escape to cancel.", id="prompt-message")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#prompt-message", Static).update("Please type something first.")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [  # noqa: RUF012
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Static("Y / Enter: yes    N / Escape: no")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
