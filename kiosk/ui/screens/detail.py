"""One attendee at the desk: status, days, sessions, scans, prints, and what staff can do."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.core.checkin_list import staff_notes
from kiosk.core.i18n import Words
from kiosk.core.model import Registration, Scan, ScanKind
from kiosk.core.ports import PrintJob
from kiosk.core.service import CheckinResult
from kiosk.core.texts import days_text, staff_text
from kiosk.core.verdict import Verdict
from kiosk.locale import translator
from kiosk.services.desk import Reprint
from kiosk.ui.i18n import code_word, is_rtl, staff_words, ui_text, visual
from kiosk.ui.screens.common import (
    ConfirmScreen,
    PromptScreen,
    StaffScreen,
    cell,
    plain,
    rich_lines,
    with_data,
)
from kiosk.ui.screens.questions import ask_questions
from kiosk.ui.screens.staff import role_of, status_of
from kiosk.ui.widgets.sentence import Sentence


@dataclass(frozen=True, slots=True)
class Record:
    registration: Registration
    scans: list[Scan]
    prints: list[PrintJob]
    today_ok: str  # what a check-in now would say, for staff


class DetailScreen(StaffScreen):
    # Scans above print jobs; side by side only where both fit whole.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]  # noqa: RUF012
    BINDINGS = [  # noqa: RUF012
        Binding("c", "checkin", "key.checkin"),
        Binding("u", "undo", "key.undo"),
        Binding("r", "reprint", "key.reprint"),
        Binding("n", "badge_name", "key.badge_name"),
        Binding("o", "override", "key.override"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, registration_id: str, message: str = "") -> None:
        super().__init__()
        self.registration_id = registration_id
        self.record: Record | None = None
        self.first_message = message
        self._loading = False  # a read is on its way
        self._stale = False  # something changed while it was

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="detail"):
            yield Static(self.v("detail.loading"), id="who", markup=False)
            yield Sentence("", id="message")
            with Horizontal(id="detail-tables"):
                with Vertical():
                    yield Static(self.v("detail.scans"), classes="section", markup=False)
                    yield DataTable(id="scans", cursor_type="row")
                with Vertical():
                    yield Static(self.v("detail.prints"), classes="section", markup=False)
                    yield DataTable(id="prints", cursor_type="row")
        yield self.footer()

    def prepare(self) -> None:
        scans = ("col.when", "col.where", "col.what", "col.verdict", "col.staff_note")
        self.query_one("#scans", DataTable).add_columns(*(cell(self.v(c)) for c in scans))
        prints = ("col.job", "col.asked", "col.status", "col.printed")
        self.query_one("#prints", DataTable).add_columns(*(cell(self.v(c)) for c in prints))
        if self.first_message:
            self.say(self.first_message)
        self._refresh_alert()
        # Every change staff can cause or the print queue reports shows here at once: the
        # check-in, the badge printed, the job's state.
        self.watch(self.app, "data_version", lambda _: self.reload(), init=False)
        self.reload()

    def reload(self) -> None:
        """Read the attendee again; changes during a read make one more read after it."""
        if self._loading:
            self._stale = True
            return
        self._loading = True
        self.app.run_io(self._load, done=self._loaded, failed=self._load_failed, name="detail")

    def _loaded(self, record: Record) -> None:
        self._loading = False
        if self.is_attached:
            self._show(record)
        if self._stale:
            self._stale = False
            self.reload()

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._stale = False

    def _load(self) -> Record:
        lang = self.lang
        try:
            found = self.services.desk.record(self.registration_id)
        except LookupError:
            raise LookupError(ui_text("detail.gone", lang, id=self.registration_id)) from None
        verdict = found.verdict
        said = staff_text(verdict, translator(lang)) + staff_notes(verdict, lang)
        return Record(found.registration, found.scans, found.prints, said)

    def _show(self, record: Record) -> None:
        self.record = record
        reg = record.registration
        tz = self.services.clock.now().tzinfo
        lang = self.lang

        # Arabic lines are shaped whole by rich_lines; names are shaped here otherwise.
        def shape(text: str) -> str:
            return text if is_rtl(lang) else visual(text)

        lines: list[str | Content] = [
            with_data(
                "$name   $organisation",
                name=plain(shape(reg.full_name), "bold"),
                organisation=shape(reg.organisation),
            ),
            with_data(
                self.t(
                    "detail.summary",
                    role=role_of(reg, lang),
                    status=status_of(reg, lang),
                    days=days_text(reg.days, translator(lang)),
                    sessions="$sessions",
                ),
                sessions=", ".join(sorted(reg.sessions)) or self.t("detail.all_sessions"),
            ),
            with_data(
                self.t(
                    "detail.badge",
                    name="$name",
                    corrected=self.t("detail.corrected") if reg.badge_name else "",
                    count=reg.print_count,
                    email="$email",
                    id="$id",
                ),
                name=shape(reg.name_on_badge),
                email=reg.email or "-",
                id=reg.id,
            ),
            with_data(self.t("detail.now", text="$text"), text=record.today_ok),
        ]
        who = self.query_one("#who", Static)
        who.update(rich_lines(lines, lang, who.content_region.width))
        scans = self.query_one("#scans", DataTable)
        scans.clear()
        for s in reversed(record.scans):
            scans.add_row(
                s.at.astimezone(tz).strftime("%d/%m %H:%M:%S"),
                cell(visual(s.kiosk_name or s.kiosk_id)),
                cell(
                    visual(code_word("kind", s.kind.value, lang))
                    + (f" {s.session_id}" if s.session_id else "")
                ),
                cell(
                    visual(
                        (self.t("verdict.forced") if s.forced else "")
                        + (self.t("verdict.ok") if s.accepted else s.reason)
                    )
                ),
                cell(visual(" ".join(p for p in (staff_words(s.staff, lang), self._note(s)) if p))),
            )
        prints = self.query_one("#prints", DataTable)
        prints.clear()
        for j in record.prints:
            printed = j.printed_at.astimezone(tz).strftime("%H:%M:%S") if j.printed_at else ""
            prints.add_row(
                str(j.id),
                cell(visual(code_word("reason", j.reason, lang))),
                cell(
                    visual(code_word("job", j.status, lang))
                    + (f" ({j.last_error})" if j.last_error else "")
                ),
                printed,
            )

    def _undone_scan(self, undo: Scan) -> tuple[str, str]:
        """(what, time) of the scan an undo row took back, in words; ("", "") if unknown."""
        scans = self.record.scans if self.record is not None else []
        target = next((s for s in scans if s.nonce == undo.code), None)
        if target is None:
            return "", ""
        tz = self.services.clock.now().tzinfo
        return code_word("kind", target.kind.value, self.lang), f"{target.at.astimezone(tz):%H:%M}"

    def _note(self, scan: Scan) -> str:
        """A scan's note in the staff language: the core's own notes are English codes."""
        if scan.kind is ScanKind.UNDO:
            what, time = self._undone_scan(scan)
            if what:
                return self.t("detail.undo_of", what=what, time=time)
        return code_word("note", scan.note, self.lang) if scan.note else ""

    # -- actions --------------------------------------------------------------------------

    def _after(self, result: CheckinResult) -> None:
        verdict = result.verdict
        text = staff_text(verdict, translator(self.lang)) + staff_notes(verdict, self.lang)
        if result.print_job is not None:
            text += " " + self.t("detail.sent")
        self.say(text, error=not verdict.ok)
        self.app.sound("ok" if verdict.ok else "refused")
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.say(str(error), error=True)

    def action_checkin(self) -> None:
        """Check in by hand; pretix's check-in questions are asked first, one by one."""

        self.app.run_io(
            self.services.desk.verdict_now,
            self.registration_id,
            done=self._ask,
            failed=self._failed,
            name="checkin",
        )

    def _ask(self, verdict: Verdict | None) -> None:
        questions = list(verdict.questions) if verdict is not None and verdict.ok else []
        reg = verdict.registration if verdict is not None else None

        def answered(answers: dict[str, str] | None) -> None:
            if answers is None:
                self.say(self.t("detail.questions_stopped"), error=True)
            else:
                self._check_in(answers)

        zone = self.services.clock.now().tzinfo
        country = reg.country if reg is not None else ""
        ask_questions(self.app, questions, zone, answered, country=country)

    def _check_in(self, answers: dict[str, str]) -> None:
        self.app.run_io(
            self.services.desk.check_in_by_hand,
            self.registration_id,
            self.who,
            answers,
            done=self._after,
            failed=self._failed,
            name="checkin",
        )

    def action_undo(self) -> None:
        def undone(scan: Scan) -> None:
            what, time = self._undone_scan(scan)
            self.say(self.t("detail.undone", what=what, time=time) if what else scan.note)
            self.reload()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.run_io(
                    self.services.desk.undo,
                    self.registration_id,
                    self.who,
                    done=undone,
                    failed=self._failed,
                    name="undo",
                )

        self.app.push_screen(ConfirmScreen(self.t("confirm.undo")), confirmed)

    def action_reprint(self) -> None:
        reg = self.record.registration if self.record else None
        if reg is None:
            return
        waiting = [
            j for j in self.record.prints if j.status in ("pending", "desk", "held")
        ] if self.record else []  # fmt: skip
        stopped = [j for j in self.record.prints if j.status == "uncertain"] if self.record else []
        if stopped:  # it may be in the tray: a second copy only once staff looked
            question = self.t("confirm.reprint_uncertain", job=stopped[0].id)
            self.app.push_screen(
                ConfirmScreen(question),
                lambda yes: self._reprint_confirmed(yes, True, seen=stopped[0].id),
            )
        elif waiting:  # one badge per person: that job prints, or staff replace it
            question = self.t("confirm.reprint_waiting", job=waiting[0].id)
            self.app.push_screen(
                ConfirmScreen(question),
                lambda yes: self._reprint_confirmed(True, bool(yes), seen=waiting[0].id),
            )
        elif reg.print_count > 0:
            question = self.t("confirm.reprint", count=reg.print_count)
            self.app.push_screen(ConfirmScreen(question), self._reprint_confirmed)
        else:
            self._reprint_confirmed(True)

    def _reprint_confirmed(
        self, yes: bool | None, replace: bool = False, seen: int | None = None
    ) -> None:
        if not yes:
            return

        def done(result: Reprint) -> None:
            warning = result.warning if result.printer else self.t("detail.no_printer")
            if isinstance(warning, Words):  # the queue's sentences, said in the staff language
                warning = warning.in_language(translator(self.lang))
            note = self.t("detail.note", warning=warning) if warning else ""
            self.say(self.t("detail.reprint_queued", job=result.job_id) + note)
            self.reload()

        # seen: the waiting job the steward was asked about; printed since, nothing is queued
        self.app.run_io(
            lambda: self.services.desk.reprint(
                self.registration_id, self.who, replace=replace, seen=seen
            ),
            done=done,
            failed=self._failed,
            name="reprint",
        )

    def action_badge_name(self) -> None:
        reg = self.record.registration if self.record else None
        if reg is None:
            return

        def corrected(name: str) -> None:
            self.say(self.t("detail.badge_named", name=name))
            self.reload()

        def answered(name: str | None) -> None:
            if name is None:
                return
            self.app.run_io(
                self.services.desk.set_badge_name,
                reg.id,
                name,
                self.who,
                done=lambda _: corrected(name),
                failed=self._failed,
                name="badge_name",
            )

        self.app.push_screen(
            PromptScreen(self.t("prompt.badge_name"), reg.name_on_badge),
            answered,
        )

    def action_override(self) -> None:
        staff = self.app.staff
        if staff is None or not staff.supervisor:
            self.say(self.t("detail.supervisor_only"), True)
            return

        def answered(why: str | None) -> None:
            if why:
                self.app.run_io(
                    self.services.desk.override,
                    self.registration_id,
                    self.who,
                    why,
                    done=self._after,
                    failed=self._failed,
                    name="override",
                )

        self.app.push_screen(
            PromptScreen(self.t("prompt.override"), placeholder=self.t("prompt.override_example")),
            answered,
        )
