"""One attendee at the desk: status, days, sessions, scans, prints, and what staff can do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.core.checkin_list import staff_notes
from kiosk.core.model import Lang, Registration, Scan
from kiosk.core.ports import PrintJob, PrintReason, PrintRequest
from kiosk.core.service import CheckinResult
from kiosk.core.texts import days_text, staff_text
from kiosk.ui.i18n import code_word, ui_text, visual
from kiosk.ui.screens.common import (
    ConfirmScreen,
    PromptScreen,
    StaffScreen,
    cell,
    plain,
    rich_lines,
    with_data,
)
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
        self.app.run_io(self._load, done=self._loaded, failed=self._load_failed, name="detail")  # type: ignore[attr-defined]

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
        store = self.services.store
        lang = self.lang
        reg = store.get(self.registration_id)
        if reg is None:
            raise LookupError(ui_text("detail.gone", lang, id=self.registration_id))
        prints = [j for j in store.print_jobs(limit=1000) if j.registration_id == reg.id]
        verdict = self.services.checkin.evaluate_registration(reg)
        said = staff_text(verdict, lang) + staff_notes(verdict, lang)
        return Record(reg, store.scans_of(reg.id), prints, said)

    def _show(self, record: Record) -> None:
        self.record = record
        reg = record.registration
        tz = self.services.clock.now().tzinfo
        lang = self.lang

        # Arabic lines are shaped whole by rich_lines; names are shaped here otherwise.
        def shape(text: str) -> str:
            return text if lang is Lang.AR else visual(text)

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
                    days=days_text(reg.days, lang),
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
                cell(visual(" ".join(p for p in (s.staff, s.note) if p))),
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

    # -- actions --------------------------------------------------------------------------

    def _after(self, result: CheckinResult) -> None:
        verdict = result.verdict
        if result.print_job is not None and self.services.print_queue is not None:
            self.services.print_queue.wake()
        text = staff_text(verdict, self.lang) + staff_notes(verdict, self.lang)
        if result.print_job is not None:
            text += " " + self.t("detail.sent")
        self.say(text, error=not verdict.ok)
        self.app.sound("ok" if verdict.ok else "refused")  # type: ignore[attr-defined]
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.say(str(error), error=True)

    def action_checkin(self) -> None:
        """Check in by hand; pretix's check-in questions are asked first, one by one."""

        def verdict_now() -> Any:
            reg = self.services.store.get(self.registration_id)
            return self.services.checkin.evaluate_registration(reg) if reg else None

        self.app.run_io(  # type: ignore[attr-defined]
            verdict_now, done=self._ask, failed=self._failed, name="checkin"
        )

    def _ask(self, verdict: Any) -> None:
        pending = list(verdict.questions) if verdict is not None and verdict.ok else []
        answers: dict[str, str] = {}

        def next_question() -> None:
            if not pending:
                self._check_in(answers)
                return
            qid, text, kind = pending.pop(0)
            yes_no = kind == "B"  # pretix's boolean question

            def answered(answer: str | None) -> None:
                if answer is None:
                    self.say(self.t("detail.questions_stopped"), error=True)
                    return
                answers[str(qid)] = _yes_no(answer) if yes_no else answer
                next_question()

            hint = self.t("detail.yes_no") if yes_no else ""
            self.app.push_screen(PromptScreen(text + hint), answered)

        next_question()

    def _check_in(self, answers: dict[str, str]) -> None:
        self.app.run_io(  # type: ignore[attr-defined]
            self.services.checkin.check_in_by_hand,
            self.registration_id,
            self.who,
            answers,
            done=self._after,
            failed=self._failed,
            name="checkin",
        )

    def action_undo(self) -> None:
        def undone(scan: Scan) -> None:
            self.say(self.t("detail.undone", note=scan.note))
            self.reload()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.run_io(  # type: ignore[attr-defined]
                    self.services.checkin.undo_last,
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

        def done(result: tuple[int, str | None]) -> None:
            job, warning = result
            note = self.t("detail.note", warning=warning) if warning else ""
            self.say(self.t("detail.reprint_queued", job=job) + note)
            self.reload()

        self.app.run_io(  # type: ignore[attr-defined]
            self._reprint, replace, seen, done=done, failed=self._failed, name="reprint"
        )

    def _reprint(self, replace: bool = False, seen: int | None = None) -> tuple[int, str | None]:
        # seen: the waiting job the steward was asked about; printed since, nothing is queued
        queue: Any = self.services.print_queue
        if queue is not None:
            job, warning = queue.reprint(self.registration_id, self.who, replace=replace, seen=seen)
            queue.wake()
            return int(job), warning
        request = PrintRequest(self.registration_id, PrintReason.REPRINT, self.who)
        job = self.services.store.request_badge(request, replace=replace, seen=seen).job_id
        return job, self.t("detail.no_printer")

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
            self.app.run_io(  # type: ignore[attr-defined]
                self.services.store.set_badge_name,
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
        staff = self.app.staff  # type: ignore[attr-defined]
        if staff is None or not staff.supervisor:
            self.say(self.t("detail.supervisor_only"), True)
            return

        def answered(why: str | None) -> None:
            if why:
                self.app.run_io(  # type: ignore[attr-defined]
                    self.services.checkin.override,
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


_YES = {"oui", "o", "yes", "y", "true", "1", "نعم", "ok"}


def _yes_no(answer: str) -> str:
    """A staff answer to a pretix boolean question, as pretix takes it ("True"/"False")."""
    return "True" if answer.strip().lower() in _YES else "False"
