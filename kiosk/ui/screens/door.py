"""Session doors: scans record session entry (or exit); inside vs capacity, amber, red."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.core.model import Direction, Lang, Session
from kiosk.core.service import CheckinResult
from kiosk.core.texts import attendee_text, staff_text
from kiosk.ui.i18n import ui_text, visual
from kiosk.ui.screens.attendee import ScanScreen
from kiosk.ui.widgets.sentence import Sentence


def fill_level(inside: int, capacity: int, amber_percent: int) -> str:
    """'ok', 'near' (amber) or 'full' (red)."""
    if not capacity:
        return "ok"
    if inside >= capacity:
        return "full"
    if inside * 100 >= capacity * amber_percent:
        return "near"
    return "ok"


class SessionPicker(ModalScreen[str | None]):
    """Choose the session this door serves; today's sessions first."""

    BINDINGS = [Binding("escape", "cancel", "Back")]  # noqa: RUF012

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="picker"):
            yield Label("Which session is this door for? (↑↓, Enter)")
            yield OptionList(id="sessions")

    def on_mount(self) -> None:
        services: Any = self.app.services  # type: ignore[attr-defined]
        today = services.today()
        tz = services.clock.now().tzinfo
        sessions = sorted(services.store.sessions(), key=lambda s: (s.day != today, s.day, s.start))
        options = self.query_one("#sessions", OptionList)
        for s in sessions:
            start = s.start.astimezone(tz) if s.start.tzinfo else s.start
            options.add_option(
                Option(f"Day {s.day} {start:%H:%M}  {visual(s.title)} — {visual(s.room)}", id=s.id)
            )
        if options.option_count:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DoorScreen(ScanScreen):
    """A session door; staff choose the session once (or it comes from [door] session)."""

    def __init__(self, session_id: str = "") -> None:
        super().__init__()
        self.session_id = session_id
        self.session: Session | None = None
        self.inside = 0

    @property
    def direction(self) -> Direction:
        return self.app.settings.door_direction  # type: ignore[attr-defined, no-any-return]

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("", id="door-session")
            yield Static("", id="door-direction")
        with Vertical(id="door-count"):
            yield Static("", id="door-inside")
            yield Static("", id="door-level")
        with Vertical(id="ready"):
            yield Sentence(id="title")
        with Vertical(id="result"):
            yield Sentence(id="result-text")
            yield Static("", id="result-staff")
        yield Static("", id="typed")
        yield Static("F1/F2/F3 language · F12 staff", id="door-hint")

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        self.refresh_texts()
        self.set_interval(3.0, self.reload_count)
        if self.session_id:
            self.choose(self.session_id)
        else:
            self.app.push_screen(SessionPicker(), self.choose)

    def choose(self, session_id: str | None) -> None:
        if not session_id:
            self.query_one("#door-session", Static).update("No session chosen: press F12 (staff)")
            return
        session = self.services.store.session(session_id)
        if session is None:
            self.query_one("#door-session", Static).update(f"Unknown session {session_id!r}")
            return
        self.session_id, self.session = session_id, session
        self.query_one("#door-session", Static).update(
            f"{visual(session.title)} — {visual(session.room)}"
        )
        self.reload_count()

    def refresh_texts(self) -> None:
        lang = self.lang
        self.query_one("#title", Sentence).show(ui_text("door.ready", lang), lang is Lang.AR)
        key = "door.entry" if self.direction is Direction.ENTRY else "door.exit"
        self.query_one("#door-direction", Static).update(visual(ui_text(key, lang)))
        self._show_count()

    def reload_count(self) -> None:
        if self.session is None:
            return
        self.app.run_io(  # type: ignore[attr-defined]
            self.services.store.session_inside, self.session_id, done=self._count, name="inside"
        )

    def _count(self, inside: int) -> None:
        self.inside = inside
        self._show_count()

    def _show_count(self) -> None:
        if self.session is None:
            return
        lang = self.lang
        capacity = self.session.capacity
        level = fill_level(self.inside, capacity, self.app.settings.amber_at_percent)  # type: ignore[attr-defined]
        box = self.query_one("#door-count")
        for name in ("ok", "near", "full"):
            box.set_class(level == name, f"-{name}")
        shown = f"{self.inside} / {capacity}" if capacity else f"{self.inside}"
        self.query_one("#door-inside", Static).update(
            f"{visual(ui_text('door.inside', lang))}: {shown}"
        )
        label = {"near": "door.near", "full": "door.full"}.get(level)
        self.query_one("#door-level", Static).update(visual(ui_text(label, lang)) if label else "")

    def check(self, code: str, repeat: bool) -> None:
        if self.session is None:
            self.notify("Choose the session first (F12, staff).", severity="warning")
            return
        if repeat:
            return
        self.app.run_io(  # type: ignore[attr-defined]
            self.services.checkin.check,
            code,
            self.direction,
            self.session_id,
            done=self._checked,
            name="door",
        )

    def _checked(self, result: CheckinResult) -> None:
        verdict = result.verdict
        reg = verdict.registration
        lang = reg.lang if reg is not None and reg.lang is not None else self.lang
        title = self.session.title if self.session else ""
        if verdict.inside is not None:
            self.inside = verdict.inside
        self._show_count()
        box = self.query_one("#result")
        box.set_class(verdict.ok, "ok")
        box.set_class(not verdict.ok, "refused")
        self.query_one("#result-text", Sentence).show(
            attendee_text(verdict, lang, title), lang is Lang.AR
        )
        self.query_one("#result-staff", Static).update(staff_text(verdict, Lang.EN, title))
        self.query_one("#ready").display = False
        box.display = True
        self.app.sound("ok" if verdict.ok else "refused")  # type: ignore[attr-defined]
        self.app.last_verdict = verdict  # type: ignore[attr-defined]
        self.hold_result()
        self.reload_count()

    def back_to_ready(self) -> None:
        super().back_to_ready()
        self.query_one("#result").display = False
        self.query_one("#ready").display = True
