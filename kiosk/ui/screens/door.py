"""Session doors: scans record session entry (or exit); inside vs capacity, amber, red."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.core.checkin_list import attendee_notes, staff_notes
from kiosk.core.model import Direction, Lang, Session
from kiosk.core.service import CheckinResult
from kiosk.core.texts import attendee_text, staff_text
from kiosk.core.verdict import Reason, Verdict
from kiosk.locale import translator
from kiosk.ui.app import StaffSession
from kiosk.ui.i18n import is_rtl, ui_text, visual
from kiosk.ui.ports import AppServices
from kiosk.ui.screens.attendee import ScanScreen, Shown
from kiosk.ui.screens.common import StaffTexts
from kiosk.ui.screens.questions import ask_questions
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


def session_choices(services: AppServices, lang: Lang = Lang.EN) -> list[tuple[str, str]]:
    """(id, label) of every session, today's first; runs in a worker (reads the store)."""
    today = services.today()
    tz = services.clock.now().tzinfo
    sessions = sorted(services.store.sessions(), key=lambda s: (s.day != today, s.day, s.start))
    choices = []
    for s in sessions:
        start = s.start.astimezone(tz) if s.start.tzinfo else s.start
        day = visual(ui_text("picker.day", lang, n=s.day))
        choices.append((s.id, f"{day} {start:%H:%M}  {visual(s.title)} — {visual(s.room)}"))
    return choices


class SessionPicker(StaffTexts, ModalScreen[str | None]):
    """Choose the session this door serves; today's sessions first."""

    BINDINGS = [Binding("escape", "cancel", "key.back")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self.translate_bindings()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="picker"):
            yield Label(self.v("picker.question"), markup=False)
            yield OptionList(id="sessions", markup=False)
            yield Static(self.v("picker.loading"), id="picker-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#sessions", OptionList).focus()
        self.app.run_io(
            session_choices,
            self.app.services,
            self.lang,
            done=self._fill,
            failed=self._failed,
            name="sessions",
        )

    def _fill(self, choices: list[tuple[str, str]]) -> None:
        options = self.query_one("#sessions", OptionList)
        options.add_options([Option(label, id=sid) for sid, label in choices])
        if options.option_count:
            options.highlighted = 0
        message = "" if choices else self.v("picker.none")
        self.query_one("#picker-message", Static).update(message)

    def _failed(self, error: BaseException) -> None:
        self.query_one("#picker-message", Static).update(self.v("picker.failed"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DoorScreen(ScanScreen):
    """A session door; staff choose the session (or it comes from [door] session)."""

    def __init__(self, session_id: str = "") -> None:
        super().__init__()
        self.session_id = session_id
        self.session: Session | None = None
        self.inside = 0
        self.problem = ""  # why there is no session, for staff (top bar)
        self._answers: dict[str, dict[str, str]] = {}  # code -> answers to pretix's questions

    @property
    def direction(self) -> Direction:
        return self.app.settings.door_direction

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("", id="door-session", markup=False)
            yield Static("", id="door-direction", markup=False)
        with Vertical(id="door-count"):
            yield Static("", id="door-inside", markup=False)
            yield Static("", id="door-level", markup=False)
        with Vertical(id="ready"):
            yield Sentence(id="title")
        with Vertical(id="result"):
            yield Sentence(id="result-text")
            yield Static("", id="result-staff", markup=False)
        yield Static("", id="typed", markup=False)  # what someone types: never markup
        yield Static(ui_text("door.hint", self.lang), id="door-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        self.refresh_texts()
        self.set_interval(3.0, self.reload_count)
        if self.session_id:
            self.choose(self.session_id)
        else:
            self.ask_session()

    # -- the session, chosen by staff -----------------------------------------------------

    def action_staff(self) -> None:
        if self.session is None:
            self.ask_session()
        else:
            super().action_staff()

    def ask_session(self) -> None:
        """A staff PIN (steward is enough), then the session list; attendees never see it."""
        from kiosk.ui.screens.pin import PinScreen

        app = self.app
        if app.staff_unavailable() is not None:
            self._no_session(self._staff("door.staff_disabled"))
            return
        if app.staff is not None:
            app.push_screen(SessionPicker(), self.choose)
            return

        def signed_in(staff: StaffSession | None) -> None:
            if staff is not None:
                app.push_screen(SessionPicker(), self.choose)

        app.push_screen(PinScreen(), signed_in)

    def choose(self, session_id: str | None) -> None:
        if not session_id:
            self._no_session(self.problem)
            return
        self.app.run_io(
            self.services.store.session,
            session_id,
            done=lambda session: self._chosen(session_id, session),
            failed=lambda _: self._no_session(self._staff("door.staff_unreadable")),
            name="session",
        )

    def _chosen(self, session_id: str, session: Session | None) -> None:
        if session is None:
            self._no_session(self._staff("door.staff_unknown", session=session_id))
            return
        if session_id != self.session_id:
            self._shown.clear()  # verdicts for another session must not come back
        self.session_id, self.session, self.problem = session_id, session, ""
        self.refresh_texts()
        self.reload_count()

    def _staff(self, key: str, **fields: object) -> str:
        """A line for staff on the door, in the staff language."""
        return str(self.app.staff_text(key, **fields))

    def _no_session(self, problem: str) -> None:
        """No session yet: attendees read "ask staff", staff read what to do on top."""
        self.problem = problem
        self.refresh_texts()

    # -- texts and the counter ------------------------------------------------------------

    def refresh_texts(self) -> None:
        lang = self.lang
        session = self.session
        loading = session is None and bool(self.session_id) and not self.problem
        key = "door.ready" if session is not None or loading else "door.no_session"
        self.query_one("#title", Sentence).show(ui_text(key, lang), is_rtl(lang))
        key = "door.entry" if self.direction is Direction.ENTRY else "door.exit"
        self.query_one("#door-direction", Static).update(visual(ui_text(key, lang)))
        self.query_one("#door-hint", Static).update(visual(ui_text("door.hint", lang)))
        if session is not None:
            top = f"{visual(session.title)} — {visual(session.room)}"
        else:
            top = self.problem or self._staff("door.staff_no_session")
            top = self._staff("door.staff_loading") if loading else top
        self.query_one("#door-session", Static).update(top)
        self.query_one("#door-count").display = session is not None
        self._show_count()

    def reload_count(self) -> None:
        if self.session is None:
            return
        self.app.run_io(
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
        level = fill_level(self.inside, capacity, self.app.settings.amber_at_percent)
        box = self.query_one("#door-count")
        for name in ("ok", "near", "full"):
            box.set_class(level == name, f"-{name}")
        shown = f"{self.inside} / {capacity}" if capacity else f"{self.inside}"
        self.query_one("#door-inside", Static).update(
            f"{visual(ui_text('door.inside', lang))}: {shown}"
        )
        label = {"near": "door.near", "full": "door.full"}.get(level)
        self.query_one("#door-level", Static).update(visual(ui_text(label, lang)) if label else "")

    # -- scans ----------------------------------------------------------------------------

    def check(self, code: str, repeat: bool) -> None:
        if self.session is None:
            lang = self.lang
            self.show(
                Shown(
                    ui_text("door.no_session", lang),
                    False,
                    is_rtl(lang),
                    self._staff("door.staff_no_session"),
                )
            )
            self.app.sound("refused")
            return
        if repeat or self.direction is not Direction.ENTRY:
            super().check(code, repeat)
            return
        self.app.run_io(
            self.services.checkin.evaluate,
            code,
            *self.check_args(),
            done=lambda verdict: self._ask_then_check(code, verdict),
            failed=lambda error: self.failed(code, error),
            name="questions",
        )

    def _ask_then_check(self, code: str, verdict: Verdict) -> None:
        """pretix's check-in questions, asked by the steward before the entry is recorded
        (the desk's form); Escape records nothing and says why."""
        if not (verdict.ok and verdict.questions):
            super().check(code, False)
            return

        def answered(answers: dict[str, str] | None) -> None:
            if answers is None:
                stopped = replace(verdict, reason=Reason.QUESTIONS_REQUIRED)
                lang = self.lang
                self.show(
                    Shown(
                        attendee_text(stopped, translator(lang)),
                        False,
                        is_rtl(lang),
                        self._staff("detail.questions_stopped"),
                    )
                )
                return
            self._answers[code] = answers
            super(DoorScreen, self).check(code, False)

        reg = verdict.registration
        zone = self.services.clock.now().tzinfo
        ask_questions(
            self.app, verdict.questions, zone, answered, country=reg.country if reg else ""
        )

    def decide(
        self, code: str, direction: Direction = Direction.ENTRY, session_id: str | None = None
    ) -> CheckinResult:
        answers = self._answers.pop(code, None)
        return self.services.checkin.check(code, direction, session_id, answers=answers)

    def check_args(self) -> tuple[Direction, str | None]:
        return (self.direction, self.session_id)

    def checked(self, code: str, result: CheckinResult) -> None:
        verdict = result.verdict
        reg = verdict.registration
        lang = reg.lang if reg is not None and reg.lang is not None else self.lang
        title = self.session.title if self.session else ""
        if verdict.inside is not None:
            self.inside = verdict.inside
        self._show_count()
        shown = Shown(
            attendee_text(verdict, translator(lang), title) + attendee_notes(verdict, lang),
            verdict.ok,
            is_rtl(lang),
            visual(
                " ".join(
                    t
                    for t in (
                        staff_text(verdict, translator(self.app.staff_language), title)
                        + staff_notes(verdict, self.app.staff_language),
                        self.scanner_advice(result),
                    )
                    if t
                )
            ),
        )
        self.remember(code, shown)
        self.show(shown)
        self.app.sound("ok" if verdict.ok else "refused")
        self.app.last_verdict = verdict
        self.reload_count()

    def show(self, shown: Shown) -> None:
        box = self.query_one("#result")
        box.set_class(shown.ok, "ok")
        box.set_class(not shown.ok, "refused")
        self.query_one("#result-text", Sentence).show(shown.text, shown.rtl)
        self.query_one("#result-staff", Static).update(shown.staff)
        self.query_one("#ready").display = False
        box.display = True
        self.hold_result()

    def back_to_ready(self) -> None:
        super().back_to_ready()
        self.query_one("#result").display = False
        self.query_one("#ready").display = True
