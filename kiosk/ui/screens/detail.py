"""One attendee at the desk: status, days, sessions, scans, prints, and what staff can do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from kiosk.core.model import Lang, Registration, Scan
from kiosk.core.ports import PrintJob, PrintReason, PrintRequest
from kiosk.core.service import CheckinResult
from kiosk.core.texts import days_text, staff_text
from kiosk.ui.i18n import visual
from kiosk.ui.screens.common import ConfirmScreen, PromptScreen, StaffScreen


@dataclass(frozen=True, slots=True)
class Record:
    registration: Registration
    scans: list[Scan]
    prints: list[PrintJob]
    today_ok: str  # what a check-in now would say, for staff


class DetailScreen(StaffScreen):
    BINDINGS = [  # noqa: RUF012
        Binding("c", "checkin", "Check in"),
        Binding("u", "undo", "Undo"),
        Binding("r", "reprint", "Reprint"),
        Binding("n", "badge_name", "Badge name"),
        Binding("o", "override", "Override"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, registration_id: str, message: str = "") -> None:
        super().__init__()
        self.registration_id = registration_id
        self.record: Record | None = None
        self.first_message = message

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="detail"):
            yield Static("Loading…", id="who")
            yield Static("", id="message")
            with Horizontal(id="detail-tables"):
                with Vertical():
                    yield Static("Scans", classes="section")
                    yield DataTable(id="scans", cursor_type="row")
                with Vertical():
                    yield Static("Badge prints", classes="section")
                    yield DataTable(id="prints", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#scans", DataTable).add_columns(
            "When", "Where", "What", "Verdict", "Staff / note"
        )
        self.query_one("#prints", DataTable).add_columns("Job", "Asked", "Status", "Printed")
        if self.first_message:
            self.say(self.first_message)
        self._refresh_alert()
        self.reload()

    def reload(self) -> None:
        self.app.run_io(self._load, done=self._show, name="detail")  # type: ignore[attr-defined]

    def _load(self) -> Record:
        store = self.services.store
        reg = store.get(self.registration_id)
        if reg is None:
            raise LookupError(f"registration {self.registration_id} is no longer in the list")
        prints = [j for j in store.print_jobs(limit=1000) if j.registration_id == reg.id]
        verdict = self.services.checkin.evaluate_registration(reg)
        return Record(reg, store.scans_of(reg.id), prints, staff_text(verdict, Lang.EN))

    def _show(self, record: Record) -> None:
        self.record = record
        reg = record.registration
        tz = self.services.clock.now().tzinfo
        sessions = ", ".join(sorted(reg.sessions)) or "all sessions"
        lines = [
            f"[b]{visual(reg.full_name)}[/b]   {visual(reg.organisation)}",
            f"Role {reg.role.value} · status {reg.status.value} · "
            f"{days_text(reg.days, Lang.EN)} · {sessions}",
            f"Badge name: {visual(reg.name_on_badge)}"
            + ("  (corrected)" if reg.badge_name else "")
            + f" · printed {reg.print_count}× · e-mail {reg.email or '-'} · id {reg.id}",
            f"Now: {record.today_ok}",
        ]
        self.query_one("#who", Static).update("\n".join(lines))
        scans = self.query_one("#scans", DataTable)
        scans.clear()
        for s in reversed(record.scans):
            scans.add_row(
                s.at.astimezone(tz).strftime("%d/%m %H:%M:%S"),
                s.kiosk_name or s.kiosk_id,
                s.kind.value + (f" {s.session_id}" if s.session_id else ""),
                ("forced " if s.forced else "") + ("ok" if s.accepted else s.reason),
                " ".join(p for p in (s.staff, s.note) if p),
            )
        prints = self.query_one("#prints", DataTable)
        prints.clear()
        for j in record.prints:
            printed = j.printed_at.astimezone(tz).strftime("%H:%M:%S") if j.printed_at else ""
            prints.add_row(
                str(j.id),
                j.reason,
                j.status + (f" ({j.last_error})" if j.last_error else ""),
                printed,
            )

    # -- actions --------------------------------------------------------------------------

    def _after(self, result: CheckinResult) -> None:
        verdict = result.verdict
        if result.print_job is not None and self.services.print_queue is not None:
            self.services.print_queue.wake()
        text = staff_text(verdict, Lang.EN)
        if result.print_job is not None:
            text += " Badge sent to the printer."
        self.say(text, error=not verdict.ok)
        self.app.sound("ok" if verdict.ok else "refused")  # type: ignore[attr-defined]
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.say(str(error), error=True)

    def action_checkin(self) -> None:
        self.app.run_io(  # type: ignore[attr-defined]
            self.services.checkin.check_in_by_hand,
            self.registration_id,
            self.who,
            done=self._after,
            failed=self._failed,
            name="checkin",
        )

    def action_undo(self) -> None:
        def undone(scan: Scan) -> None:
            self.say(f"Undone: {scan.note}.")
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

        self.app.push_screen(ConfirmScreen("Undo this attendee's last accepted scan?"), confirmed)

    def action_reprint(self) -> None:
        reg = self.record.registration if self.record else None
        if reg is None:
            return
        if reg.print_count > 0:
            question = (
                f"A badge was already printed {reg.print_count}× for this person. Print again?"
            )
            self.app.push_screen(ConfirmScreen(question), self._reprint_confirmed)
        else:
            self._reprint_confirmed(True)

    def _reprint_confirmed(self, yes: bool | None) -> None:
        if not yes:
            return

        def done(result: tuple[int, str | None]) -> None:
            job, warning = result
            self.say(f"Reprint queued (job {job})." + (f" Note: {warning}" if warning else ""))
            self.reload()

        self.app.run_io(self._reprint, done=done, failed=self._failed, name="reprint")  # type: ignore[attr-defined]

    def _reprint(self) -> tuple[int, str | None]:
        queue: Any = self.services.print_queue
        if queue is not None:
            job, warning = queue.reprint(self.registration_id, self.who)
            queue.wake()
            return int(job), warning
        request = PrintRequest(self.registration_id, PrintReason.REPRINT, self.who)
        return self.services.store.queue_print(request), "no printer on this kiosk"

    def action_badge_name(self) -> None:
        reg = self.record.registration if self.record else None
        if reg is None:
            return

        def corrected(name: str) -> None:
            self.say(f"Badge name is now {name!r}; reprint with R.")
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
            PromptScreen(
                "Name to print on the badge (the registration stays as it is):", reg.name_on_badge
            ),
            answered,
        )

    def action_override(self) -> None:
        staff = self.app.staff  # type: ignore[attr-defined]
        if staff is None or not staff.supervisor:
            self.say("Override is a supervisor action: sign in with the supervisor PIN.", True)
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
            PromptScreen(
                "Reason for letting this person in (kept in the log):",
                placeholder="e.g. paid cash at desk",
            ),
            answered,
        )
