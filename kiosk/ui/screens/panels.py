"""Printer panel (state, queue, retry/cancel/reprint) and sync panel (last sync, waiting)."""

from __future__ import annotations

from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from kiosk.core.ports import PrintJob
from kiosk.services.printing import JobVerb, QueuedJob
from kiosk.ui.i18n import code_word, printer_words, visual
from kiosk.ui.ports import PrinterView, SyncView
from kiosk.ui.screens.common import StaffScreen, cell, plain, rich_lines, with_data
from kiosk.ui.widgets.sentence import Sentence


class PrinterScreen(StaffScreen):
    BINDINGS = [  # noqa: RUF012
        Binding("t", "retry", "key.retry"),
        Binding("x", "cancel_job", "key.cancel_job"),
        Binding("p", "reprint", "key.reprint_badge"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.others: list[tuple[str, PrinterView]] = []  # [printer.extra] ones, e.g. the desk
        self.jobs: dict[str, PrintJob] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="printer-panel"):
            yield Static("", id="printer-state", markup=False)
            yield DataTable(id="jobs", cursor_type="row", zebra_stripes=True)
            yield Sentence("", id="message")
        yield self.footer()

    def prepare(self) -> None:
        columns = (
            "col.job",
            "col.attendee",
            "col.why",
            "col.status",
            "col.tries",
            "col.last_error",
            "col.asked",
        )
        self.query_one("#jobs", DataTable).add_columns(*(cell(self.v(c)) for c in columns))
        self.watch(self.app, "printer", self._state)
        self.set_interval(2.0, self.reload)
        self.watch(self.app, "data_version", lambda _: self.reload(), init=False)
        self._refresh_alert()
        self.reload()

    def _state(self, printer: PrinterView) -> None:
        state = plain(printer_words(printer, self.lang), "bold")
        text = self.t("printer.state", state="$state", waiting=printer.waiting)
        if printer.last_error:
            text += self.t("printer.last_error", error="$error")
        lines: list[str | Content] = [with_data(text, state=state, error=printer.last_error)]
        for name, other in self.others:  # [printer.extra] ones, e.g. the desk
            words = plain(printer_words(other, self.lang), "bold")
            other_state = self.t(
                "printer.other_state", name="$name", state="$state", waiting=other.waiting
            )
            lines.append(with_data(other_state, name=name, state=words))
        widget = self.query_one("#printer-state", Static)
        widget.update(rich_lines(lines, self.lang, widget.content_region.width))

    def reload(self) -> None:
        printing = self.services.printing

        def load() -> tuple[list[QueuedJob], list[tuple[str, PrinterView]]]:
            return printing.jobs(limit=50), printing.other_printers()  # probed if stale

        self.app.run_io(load, done=self._fill, name="jobs")

    def _fill(self, loaded: tuple[list[QueuedJob], list[tuple[str, PrinterView]]]) -> None:
        queued, self.others = loaded
        jobs = [(q.job, cell(_whose(q))) for q in queued]
        self._state(self.app.printer)
        table = self.query_one("#jobs", DataTable)
        row = table.cursor_row
        table.clear()
        tz = self.services.clock.now().tzinfo
        for job, name in jobs:
            table.add_row(
                str(job.id),
                name,
                cell(visual(code_word("reason", job.reason, self.lang))),
                cell(visual(code_word("job", job.status, self.lang))),
                str(job.attempts),
                cell(job.last_error[:40]),
                job.created_at.astimezone(tz).strftime("%H:%M:%S"),
                key=str(job.id),
            )
        if jobs:
            table.move_cursor(row=min(row, len(jobs) - 1))
        self.jobs = {str(j.id): j for j, _ in jobs}

    def _selected(self) -> PrintJob | None:
        table = self.query_one("#jobs", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.jobs.get(str(key))

    def _job_action(self, verb: JobVerb) -> None:
        job = self._selected()
        if job is None:
            self.say(self.t("printer.no_job"), True)
            return

        def done(_: object) -> None:
            self.say(
                self.t(
                    "printer.retried" if verb is JobVerb.RETRY else "printer.cancelled", job=job.id
                )
            )
            self.reload()

        self.app.run_io(
            self.services.printing.act,
            verb,
            job.id,
            self.who,
            done=done,
            failed=lambda e: self.say(str(e), True),
            name=verb.value,
        )

    def action_retry(self) -> None:
        self._job_action(JobVerb.RETRY)

    def action_cancel_job(self) -> None:
        self._job_action(JobVerb.CANCEL)

    def action_reprint(self) -> None:
        from kiosk.ui.screens.detail import DetailScreen

        job = self._selected()
        if job is not None:
            self.app.push_screen(DetailScreen(job.registration_id, self.t("printer.press_r")))


class SyncScreen(StaffScreen):
    BINDINGS = [  # noqa: RUF012
        Binding("s", "sync_now", "key.sync_now"),
        Binding("escape", "back", "key.back"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="sync-panel"):
            yield Static("", id="sync-state", markup=False)
            yield Sentence("", id="message")
        yield self.footer()

    def prepare(self) -> None:
        self.watch(self.app, "sync", self._state)
        self._refresh_alert()

    def _state(self, sync: SyncView) -> None:
        tz = self.services.clock.now().tzinfo
        lines: list[str | Content]
        if not sync.configured:
            lines = [
                self.t("sync.not_configured"),
                self.t("sync.waiting", waiting=sync.waiting),
                self.t("sync.stay"),
            ]
        else:
            last = (
                sync.last_sync.astimezone(tz).strftime("%H:%M:%S")
                if sync.last_sync
                else self.t("sync.never")
            )
            state = self.t("sync.online" if sync.online else "sync.offline")
            lines = [
                with_data(
                    self.t("sync.state", state="$state", last=last), state=plain(state, "bold")
                ),
                self.t("sync.waiting", waiting=sync.waiting),
                with_data(
                    self.t("sync.last_error", error="$error"),
                    error=sync.last_error or self.t("sync.no_error"),
                ),
            ]
        lines += self._refusals(tz)
        widget = self.query_one("#sync-state", Static)
        widget.update(rich_lines(lines, self.lang, widget.content_region.width))

    def _refusals(self, tz: tzinfo | None) -> list[str | Content]:
        """Accepted scans pretix refused (its reason and text), newest first, times local."""
        count, refused = self.services.syncing.refusals()
        if not count:
            return []
        lines: list[str | Content] = [self.t("sync.refusals", count=count)]
        for r in refused:
            when = r.first_at.astimezone(tz).strftime("%H:%M") if r.first_at else r.first_at_text
            lines.append(f"  {when} {r.registration_id}: {r.reason} — {r.detail}")
        return lines

    def action_sync_now(self) -> None:
        if not self.services.syncing.sync_now():
            self.say(self.t("sync.none"), True)
            return
        self.say(self.t("sync.asked"))
        self.app.refresh_status()


def _whose(queued: QueuedJob) -> str:
    reg = queued.registration
    return visual(reg.full_name) if reg is not None else queued.job.registration_id
