"""Attendee self check-in: big instruction, camera preview, green welcome or red reason.

Nothing here ever lists attendees: the screen only answers the code just shown. Every key
that is not a function key feeds the code line (USB scanners type like a keyboard).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Static

from kiosk.core.checkin_list import attendee_notes
from kiosk.core.intake import strip_aim, strip_controls
from kiosk.core.model import Direction, Lang
from kiosk.core.service import CheckinResult
from kiosk.core.texts import GUEST, attendee_text
from kiosk.locale import translator
from kiosk.ui.app import STAFF_QR_PREFIX, AccueilApp
from kiosk.ui.i18n import LANG_NAMES, drawable, is_rtl, printer_words, ui_text, visual
from kiosk.ui.ports import AppServices, CameraView, PrinterView
from kiosk.ui.widgets.preview import CameraPreview
from kiosk.ui.widgets.sentence import Sentence

LANG_KEYS = {"f1": Lang.FR, "f2": Lang.EN, "f3": Lang.AR}
REMEMBERED_CODES = 64  # codes whose verdict a repeat scan re-shows (each for repeat_seconds)


@dataclass(frozen=True, slots=True)
class Shown:
    """A verdict as the screen showed it, to show again when the same code comes back."""

    text: str
    ok: bool
    rtl: bool
    staff: str = ""


class LangButton(Button, can_focus=False):
    """Touch/click to switch language; never focusable so Enter stays with the scanner."""


class ScanScreen(Screen[None]):
    """What attendee and door screens share: typed/scanned code line, result timer.

    The code line belongs to the app's key line (``takes_keys``): the app tells a scanner's
    burst from typing, ends codes on CR, LF, Tab or a silence, and shows the line here
    through ``show_line``. ``on_key`` below only serves an app built without that line.
    """

    takes_keys = True
    app = getters.app(AccueilApp)  # Textual's typed accessor: the app's own attributes

    BINDINGS = [  # noqa: RUF012
        Binding("f1", "language('fr')", "Français", show=False),
        Binding("f2", "language('en')", "English", show=False),
        Binding("f3", "language('ar')", "العربية", show=False),
        Binding("f12", "staff", "Staff", show=False),
        Binding("escape", "nothing", show=False),
        Binding("tab", "nothing", show=False, priority=True),
        Binding("shift+tab", "nothing", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.typed = ""
        self._reset: Timer | None = None
        self.showing_result = False
        self._shown: dict[str, Shown] = {}  # code -> its last verdict, oldest first
        self._checking: set[str] = set()

    @property
    def services(self) -> AppServices:
        return self.app.services

    @property
    def lang(self) -> Lang:
        return self.app.language

    def action_nothing(self) -> None:
        """Escape and Tab do nothing on attendee screens."""

    def action_staff(self) -> None:
        self.app.open_staff()

    def action_language(self, code: str) -> None:
        self.app.language = Lang(code)
        self.refresh_texts()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("lang-"):
            self.action_language(event.button.id.removeprefix("lang-"))

    def refresh_texts(self) -> None:
        """Redraw the fixed texts in the current language (subclasses)."""

    # -- code entry -----------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            code, self.typed = self.typed, ""
            self._show_typed()
            if code.strip():
                self.app.submit_code(code, "typed")
            event.stop()
        elif event.key == "backspace":
            self.typed = self.typed[:-1]
            self._show_typed()
            event.stop()
        elif event.is_printable and event.character and len(self.typed) < 600:
            self.typed += event.character
            self._show_typed()
            event.stop()

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        for line in event.text.splitlines():
            if line.strip():
                self.app.submit_code(line, "typed")

    def scanner_consumed(self) -> None:
        """A USB scanner's burst was read as a code: it is not a typed code too."""
        self.show_line("")

    def on_screen_resume(self) -> None:
        """Back from a staff screen: what was typed before is not a code any more."""
        self.show_line("")

    def show_line(self, text: str) -> None:
        """What has been typed since the last code (the app's key line)."""
        self.typed = text
        self._show_typed()

    def _show_typed(self) -> None:
        shown = self.typed if len(self.typed) <= 40 else "…" + self.typed[-39:]
        self.query_one("#typed", Static).update(f"⌨ {drawable(shown)}" if shown else "")

    def handle_code(self, code: str, source: str, repeat: bool) -> None:
        code = code.strip()
        card = strip_aim(strip_controls(code))  # a staff card read by a scanner sending AIM ids
        if card.startswith(STAFF_QR_PREFIX):
            self.app.staff_qr(card.removeprefix(STAFF_QR_PREFIX))
            return
        self.check(code, repeat)

    def check(self, code: str, repeat: bool) -> None:
        """A repeat re-shows this code's own verdict; anything else is checked afresh."""
        if repeat and code in self._checking:
            return  # its verdict is on its way
        shown = self._shown.get(code) if repeat else None
        if shown is not None:
            self.show(shown)
            return
        self._checking.add(code)

        def done(result: CheckinResult) -> None:
            self._checking.discard(code)
            self.checked(code, result)

        def failed(error: BaseException) -> None:
            self._checking.discard(code)
            self.failed(code, error)

        self.app.run_io(
            self.decide,
            code,
            *self.check_args(),
            done=done,
            failed=failed,
            name="check",
        )

    def decide(
        self, code: str, direction: Direction = Direction.ENTRY, session_id: str | None = None
    ) -> CheckinResult:
        """The check-in, in the IO thread (a screen may add what must precede the verdict)."""
        return self.services.checkin.check(code, direction, session_id)

    def scanner_advice(self, result: CheckinResult) -> str:
        """For staff, when the code came through a scanner set to another keyboard layout."""
        read = result.intake
        if read is None or not read.advice_layout:
            return ""
        lang = self.app.staff_language
        return ui_text("alert.scanner_layout", lang, layout=read.advice_layout)

    def check_args(self) -> tuple[Direction, str | None]:
        """What the check-in service needs after the code (a door: direction, session)."""
        return Direction.ENTRY, None

    def checked(self, code: str, result: CheckinResult) -> None:
        raise NotImplementedError

    def failed(self, code: str, error: BaseException) -> None:
        """Not recorded: say so in the screen language with the next step, and ring."""
        lang = self.lang
        staff = ui_text("error.not_recorded", self.app.staff_language)
        self.show(Shown(ui_text("error.try_again", lang), False, is_rtl(lang), staff))
        self.app.sound("refused")

    def remember(self, code: str, shown: Shown) -> None:
        self._shown.pop(code, None)
        self._shown[code] = shown
        while len(self._shown) > REMEMBERED_CODES:
            del self._shown[next(iter(self._shown))]

    def show(self, shown: Shown) -> None:
        raise NotImplementedError

    def hold_result(self) -> None:
        """Keep the verdict for [kiosk] result_seconds, then go back to ready."""
        self.showing_result = True
        if self._reset is not None:
            self._reset.stop()
        self._reset = self.set_timer(self.app.settings.result_seconds, self.back_to_ready)

    def back_to_ready(self) -> None:
        self.showing_result = False


class AttendeeScreen(ScanScreen):
    """The entrance kiosk's only screen for attendees."""

    def __init__(self) -> None:
        super().__init__()
        self._placed: dict[int, bool] = {}  # print job -> sent to the desk (from decide)

    def compose(self) -> ComposeResult:
        services = self.services
        with Horizontal(id="topbar"):
            yield Static(visual(services.event.name), id="event-name", markup=False)
            yield Static(drawable(services.settings.kiosk_name), id="kiosk-name", markup=False)
        with Vertical(id="ready"):
            yield Sentence(id="title")
            yield Sentence(id="others")
            with Center():
                yield CameraPreview(id="preview")
            yield Sentence(id="camera-note")
        with Vertical(id="result"):
            yield Sentence(id="result-text")
        yield Static("", id="typed", markup=False)
        yield Static("", id="staff-alert", markup=False)
        with Horizontal(id="langbar"):
            for key, lang in LANG_KEYS.items():
                yield LangButton(
                    Content(f"{key.upper()} {visual(LANG_NAMES[lang])}"), id=f"lang-{lang.value}"
                )
            yield Static(ui_text("attendee.staff_hint", self.lang), id="staff-hint", markup=False)

    advice = ""  # the last scanner set-up advice for staff (stays until a clean scan)

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        self.watch(self.app, "camera", self._camera_changed)
        self.watch(self.app, "printer", self._printer_changed)
        self.refresh_texts()
        if self.app.reader is not None and self.app.settings.camera_preview:
            self.set_interval(0.2, self._pull_preview)

    def refresh_texts(self) -> None:
        lang = self.lang
        rtl = is_rtl(lang)
        self.query_one("#title", Sentence).show(ui_text("ready.title", lang), rtl)
        others = [ui_text("ready.title", other) for other in Lang if other is not lang]
        self.query_one("#others", Sentence).show("\n".join(others))
        self._camera_changed(self.app.camera)
        for hint in self.query("#staff-hint").results(Static):
            hint.update(visual(ui_text("attendee.staff_hint", lang)))
        for button in self.query(LangButton):
            button.set_class(button.id == f"lang-{lang.value}", "-current")

    def _camera_changed(self, camera: CameraView) -> None:
        lang = self.lang
        preview = self.query_one("#preview", CameraPreview)
        preview.display = camera.available and self.app.settings.camera_preview
        note = ui_text("ready.hint", lang) if camera.available else ui_text("ready.no_camera", lang)
        self.query_one("#camera-note", Sentence).show(note, is_rtl(lang))

    def _printer_changed(self, printer: PrinterView) -> None:
        alert = self.query_one("#staff-alert", Static)
        if printer.level == "down":
            lang = self.app.staff_language
            words = printer_words(printer, lang)
            text = ui_text("alert.attendee_screen", lang, message=words, waiting=printer.waiting)
            alert.update(visual(text))
            alert.display = True
        elif self.advice:
            alert.update(visual(self.advice))
            alert.display = True
        else:
            alert.display = False

    def _pull_preview(self) -> None:
        if not self.showing_result:
            self.query_one("#preview", CameraPreview).set_frame(self.app.preview_frame())

    # -- check-in -------------------------------------------------------------------------

    def decide(
        self, code: str, direction: Direction = Direction.ENTRY, session_id: str | None = None
    ) -> CheckinResult:
        """Check in, then decide where the earned badge comes out before saying so.

        The printer's state is probed when stale; a printer that cannot print now sends
        the job to the desk (the desk printer, or set aside for staff there), so the
        attendee is never told to take a badge that will come out later, unattended.
        """
        result = super().decide(code, direction, session_id)
        queue = self.services.print_queue
        if result.print_job is not None and queue is not None:
            self._placed[result.print_job] = queue.place(result.print_job).at_desk
        return result

    def checked(self, code: str, result: CheckinResult) -> None:
        app = self.app
        queue = self.services.print_queue
        if result.print_job is not None and queue is not None:
            queue.wake()
        at_desk = self._placed.pop(result.print_job, None) if result.print_job else None
        if at_desk is None:  # a queue that cannot place jobs: what the app last saw
            at_desk = app.printer.badges_at_desk
        verdict = result.verdict
        reg = verdict.registration
        lang = reg.lang if reg is not None and reg.lang is not None else self.lang
        text = attendee_text(verdict, translator(lang))
        if verdict.earns_badge and (result.print_job is None or at_desk):
            name = (reg.name_on_badge if reg else "") or translator(lang).gettext(GUEST)
            text = ui_text("ok.help_desk_badge", lang, name=name)
        text += attendee_notes(verdict, lang)
        shown = Shown(text, verdict.ok, is_rtl(lang))
        self.remember(code, shown)
        self.show(shown)
        if result.intake is not None and (result.intake.matched or result.intake.ambiguous):
            self.advice = self.scanner_advice(result)
            self._printer_changed(app.printer)
        app.sound("ok" if verdict.ok else "refused")
        app.last_verdict = verdict

    def show(self, shown: Shown) -> None:
        result = self.query_one("#result")
        result.set_class(shown.ok, "ok")
        result.set_class(not shown.ok, "refused")
        self.query_one("#result-text", Sentence).show(shown.text, shown.rtl)
        self.query_one("#ready").display = False
        result.display = True
        self.hold_result()

    def back_to_ready(self) -> None:
        super().back_to_ready()
        self.query_one("#result").display = False
        self.query_one("#ready").display = True
