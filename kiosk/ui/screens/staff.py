"""The staff desk: search as you type, keyboard only; a scan jumps to that attendee."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from kiosk.core.model import Lang, Registration, Role
from kiosk.ui.app import STAFF_QR_PREFIX
from kiosk.ui.i18n import code_word, is_rtl, staff_words, visual
from kiosk.ui.screens.common import StaffScreen, StaffTexts, cell
from kiosk.ui.widgets.bidi_input import BidiInput
from kiosk.ui.widgets.keybar import KeyBar
from kiosk.ui.widgets.sentence import Sentence

MIN_SEARCH = 2


class StaffLockScreen(StaffTexts, Screen[None]):
    """A help-desk kiosk at rest: nothing to see until a PIN (or a staff card) is given."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter,f12", "sign_in", "key.sign_in"),
        Binding("escape", "nothing", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.translate_bindings()

    def compose(self) -> ComposeResult:
        with Vertical(id="locked"):
            yield Static(visual(self.app.services.event.name), id="locked-event", markup=False)
            yield Static(self.v("locked.title"), id="locked-title", markup=False)
        yield KeyBar(rtl=is_rtl(self.lang))

    def on_screen_resume(self) -> None:
        """Staff may have switched the staff language at the desk."""
        self.translate_bindings()
        self.refresh_bindings()
        self.query_one("#locked-title", Static).update(self.v("locked.title"))

    def action_sign_in(self) -> None:
        self.app.open_staff()

    def action_nothing(self) -> None:
        """Escape does nothing on a locked desk."""

    def handle_code(self, code: str, source: str, repeat: bool) -> None:
        if code.startswith(STAFF_QR_PREFIX):
            self.app.staff_qr(code.removeprefix(STAFF_QR_PREFIX))


def status_of(reg: Registration, lang: Lang = Lang.EN) -> str:
    return code_word("status", reg.status.value, lang)


def role_words(role: Role, lang: Lang = Lang.EN) -> str:
    return code_word("role", role.value, lang)


def role_of(reg: Registration, lang: Lang = Lang.EN) -> str:
    return role_words(reg.role, lang)


class DeskScreen(StaffScreen):
    """Search box, results, and the way to every staff panel."""

    switches_language = True

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "clear", "key.clear"),
        Binding("down", "to_results", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._search_seq = 0
        self._shown: list[Registration] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="desk"):
            yield Static(
                self.v("desk.title", who=staff_words(self.who, self.lang)),
                id="desk-title",
                markup=False,
            )
            yield BidiInput(placeholder=self.v("desk.search"), id="search")
            yield Sentence(self.t("desk.min", n=MIN_SEARCH), rtl=is_rtl(self.lang), id="hint")
            yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
            yield Sentence("", id="message")
        yield self.footer()

    def prepare(self) -> None:
        table = self.query_one("#results", DataTable)
        columns = ("col.name", "col.organisation", "col.role", "col.status", "col.days")
        table.add_columns(*(cell(self.v(c)) for c in columns))
        table.display = False
        self.query_one("#search", Input).focus()
        self._refresh_alert()

    async def action_switch_language(self) -> None:
        """F7: the staff screens in the next language; the desk is drawn again in it."""
        self.app.switch_staff_language()
        self.translate_bindings()
        self._shown = []
        await self.recompose()
        self.prepare()
        self.refresh_bindings()
        self.app.notify(self.v("note.language"), timeout=3)

    def on_screen_resume(self) -> None:
        """Back from an attendee: the desk is ready for the next person."""
        self.action_clear()

    # -- search ---------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        self._search_seq += 1
        seq = self._search_seq
        if len(text.strip()) < MIN_SEARCH:
            self._fill([])
            return

        def show(found: list[Registration]) -> None:
            if seq == self._search_seq:  # a later keystroke wins
                self._fill(found)

        self.app.run_io(self.services.desk.search, text, 20, done=show, name="search")

    def _fill(self, found: list[Registration]) -> None:
        self._shown = found
        table = self.query_one("#results", DataTable)
        table.clear()
        for reg in found:
            table.add_row(
                cell(visual(reg.full_name + (f" [{reg.badge_name}]" if reg.badge_name else ""))),
                cell(visual(reg.organisation)),
                cell(visual(role_of(reg, self.lang))),
                cell(visual(status_of(reg, self.lang))),
                cell(",".join(str(d) for d in sorted(reg.days)) or self.v("desk.all_days")),
                key=reg.id,
            )
        table.display = bool(found)
        typed = len(self.query_one("#search", Input).value.strip())
        if typed < MIN_SEARCH:
            hint = self.t("desk.min", n=MIN_SEARCH)
        elif not found:
            hint = self.t("desk.none")
        else:
            hint = self.t("desk.found", n=len(found))
        self.query_one("#hint", Sentence).show(hint, is_rtl(self.lang))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box: a scanned code opens its attendee; else the only match."""
        text = event.value.strip()
        if not text:
            return
        self.handle_code(text, "search", False)

    def scanner_consumed(self) -> None:
        """A USB scanner typed a code into the search box: it is a scan, not a name."""
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = ""
        self._fill([])

    def handle_code(self, code: str, source: str, repeat: bool) -> None:
        def found(regs: list[Registration]) -> None:
            if len(regs) == 1:
                search = self.query_one("#search", Input)
                with search.prevent(Input.Changed):
                    search.value = ""
                self._fill([])
                self.open(regs[0].id)
            elif len(regs) > 1:
                self.say(self.t("desk.several"), True)
            elif source == "search" and len(self._shown) == 1:
                self.open(self._shown[0].id)
            elif source == "search" and self._shown:
                self.action_to_results()
            elif source != "search":
                self.say(self.t("desk.unknown_code"), True)

        self.app.run_io(self.services.desk.lookup, code, done=found, name="lookup")

    def action_to_results(self) -> None:
        table = self.query_one("#results", DataTable)
        if table.row_count:
            table.focus()

    def action_clear(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.open(event.row_key.value)

    def on_key(self, event: events.Key) -> None:
        # Typing while the results have focus goes back to the search box.
        table = self.query_one("#results", DataTable)
        if table.has_focus and event.is_printable and event.character:
            search = self.query_one("#search", Input)
            search.focus()
            search.insert_text_at_cursor(event.character)
            event.stop()

    def open(self, registration_id: str) -> None:
        from kiosk.ui.screens.detail import DetailScreen

        self.say("")
        self.app.push_screen(DetailScreen(registration_id))

    def action_back(self) -> None:
        self.action_clear()
