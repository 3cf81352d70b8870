"""The staff desk: search as you type, keyboard only; a scan jumps to that attendee."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from kiosk.core.model import Registration
from kiosk.ui.app import STAFF_QR_PREFIX
from kiosk.ui.i18n import visual
from kiosk.ui.screens.common import StaffScreen

MIN_SEARCH = 2


class StaffLockScreen(Screen[None]):
    """A help-desk kiosk at rest: nothing to see until a PIN (or a staff card) is given."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter,f12", "sign_in", "Sign in"),
        Binding("escape", "nothing", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="locked"):
            yield Static(visual(self.app.services.event.name), id="locked-event")  # type: ignore[attr-defined]
            yield Static("Help desk — press Enter to sign in", id="locked-title")
        yield Footer()

    def action_sign_in(self) -> None:
        self.app.open_staff()  # type: ignore[attr-defined]

    def action_nothing(self) -> None:
        """Escape does nothing on a locked desk."""

    def handle_code(self, code: str, source: str, repeat: bool) -> None:
        if code.startswith(STAFF_QR_PREFIX):
            self.app.staff_qr(code.removeprefix(STAFF_QR_PREFIX))  # type: ignore[attr-defined]


def status_of(reg: Registration) -> str:
    return reg.status.value


class DeskScreen(StaffScreen):
    """Search box, results, and the way to every staff panel."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "clear", "Clear"),
        Binding("down", "to_results", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._search_seq = 0
        self._shown: list[Registration] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="desk"):
            yield Static(f"Staff desk — signed in as {self.who}", id="desk-title")
            yield Input(placeholder="Name, organisation, e-mail… or scan a badge", id="search")
            yield Static(
                f"Type at least {MIN_SEARCH} letters. Accents and case do not matter.",
                id="hint",
            )
            yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
            yield Static("", id="message")
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#results", DataTable)
        table.add_columns("Name", "Organisation", "Role", "Status", "Days")
        table.display = False
        self.query_one("#search", Input).focus()
        self._refresh_alert()

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

        self.app.run_io(self.services.store.search, text, 20, done=show, name="search")  # type: ignore[attr-defined]

    def _fill(self, found: list[Registration]) -> None:
        self._shown = found
        table = self.query_one("#results", DataTable)
        table.clear()
        for reg in found:
            table.add_row(
                visual(reg.full_name + (f" [{reg.badge_name}]" if reg.badge_name else "")),
                visual(reg.organisation),
                reg.role.value,
                status_of(reg),
                ",".join(str(d) for d in sorted(reg.days)) or "all",
                key=reg.id,
            )
        table.display = bool(found)
        hint = self.query_one("#hint", Static)
        typed = len(self.query_one("#search", Input).value.strip())
        if typed < MIN_SEARCH:
            hint.update(f"Type at least {MIN_SEARCH} letters. Accents and case do not matter.")
        elif not found:
            hint.update("No one found. Check the spelling, or register a walk-in (F2).")
        else:
            hint.update(f"{len(found)} found — ↓ to choose, Enter to open.")

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
                self.say("This code matches several registrations: search by name.", True)
            elif source == "search" and len(self._shown) == 1:
                self.open(self._shown[0].id)
            elif source == "search" and self._shown:
                self.action_to_results()
            elif source != "search":
                self.say("Scanned code not in the registration list.", True)

        self.app.run_io(self._lookup, code, done=found, name="lookup")  # type: ignore[attr-defined]

    def _lookup(self, code: str) -> list[Registration]:
        regs: list[Registration] = self.services.store.find_by_code(code)
        if not regs:
            # A signed ticket whose exact code is not stored (reissued, or a walk-in elsewhere)
            verdict = self.services.checkin.evaluate(code)
            if verdict.registration is not None and not verdict.provisional:
                regs = [verdict.registration]
        return regs

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
