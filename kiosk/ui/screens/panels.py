"""Printer panel (state, queue, retry/cancel/reprint) and sync panel (last sync, waiting)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from kiosk.core.ports import PrintJob
from kiosk.ui.i18n import visual
from kiosk.ui.screens.common import StaffScreen


class PrinterScreen(StaffScreen):
    BINDINGS = [  # noqa: RUF012
        Binding("t", "retry", "Retry job"),
        Binding("x", "cancel_job", "Cancel job"),
        Binding("p", "reprint", "Reprint badge"),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="printer-panel"):
            yield Static("", id="printer-state")
            yield DataTable(id="jobs", cursor_type="row", zebra_stripes=True)
            yield Static("", id="message")
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#jobs", DataTable).add_columns(
            "Job", "Attendee", "Why", "Status", "Tries", "Last error", "Asked"
        )
        self.watch(self.app, "printer", self._state)
        self.set_interval(2.0, self.reload)
        self._refresh_alert()
        self.reload()

    def _state(self, printer: Any) -> None:
        text = f"Printer: [b]{printer.message or printer.state}[/b] · {printer.waiting} waiting"
        if printer.last_error:
            text += f" · last error: {printer.last_error}"
        self.query_one("#printer-state", Static).update(text)

    def reload(self) -> None:
        def load() -> list[tuple[PrintJob, str]]:
            store = self.services.store
            out = []
            for job in store.print_jobs(limit=50):
                reg = store.get(job.registration_id)
                out.append((job, visual(reg.full_name) if reg else job.registration_id))
            return out

        self.app.run_io(load, done=self._fill, name="jobs")  # type: ignore[attr-defined]

    def _fill(self, jobs: list[tuple[PrintJob, str]]) -> None:
        table = self.query_one("#jobs", DataTable)
        row = table.cursor_row
        table.clear()
        tz = self.services.clock.now().tzinfo
        for job, name in jobs:
            table.add_row(
                str(job.id),
                name,
                job.reason,
                job.status,
                str(job.attempts),
                job.last_error[:40],
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
        return getattr(self, "jobs", {}).get(key)

    def _job_action(self, verb: str) -> None:
        job = self._selected()
        if job is None:
            self.say("No job selected.", True)
            return
        queue: Any = self.services.print_queue

        def act() -> None:
            if queue is not None:
                getattr(queue, verb)(job.id, self.who)
                queue.wake()
            else:
                status = "pending" if verb == "retry" else "cancelled"
                self.services.store.set_print_job(job.id, self.who, status=status)

        def done(_: object) -> None:
            self.say(f"Job {job.id}: {verb} done.")
            self.reload()

        self.app.run_io(act, done=done, failed=lambda e: self.say(str(e), True), name=verb)  # type: ignore[attr-defined]

    def action_retry(self) -> None:
        self._job_action("retry")

    def action_cancel_job(self) -> None:
        self._job_action("cancel")

    def action_reprint(self) -> None:
        from kiosk.ui.screens.detail import DetailScreen

        job = self._selected()
        if job is not None:
            self.app.push_screen(
                DetailScreen(job.registration_id, "Press R to reprint this badge.")
            )


class SyncScreen(StaffScreen):
    BINDINGS = [  # noqa: RUF012
        Binding("s", "sync_now", "Sync now"),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="sync-panel"):
            yield Static("", id="sync-state")
            yield Static("", id="message")
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "sync", self._state)
        self._refresh_alert()

    def _state(self, sync: Any) -> None:
        tz = self.services.clock.now().tzinfo
        if not sync.configured:
            lines = [
                'Sync: [b]not configured[/b] on this kiosk ([sync] source = "none").',
                f"Scans and walk-ins waiting to upload: {sync.waiting}",
                "They stay in the local store and go out once a hub is configured.",
            ]
        else:
            last = sync.last_sync.astimezone(tz).strftime("%H:%M:%S") if sync.last_sync else "never"
            lines = [
                f"Sync: [b]{'online' if sync.online else 'offline'}[/b] · last sync {last}",
                f"Scans and walk-ins waiting to upload: {sync.waiting}",
                f"Last error: {sync.last_error or 'none'}",
            ]
        self.query_one("#sync-state", Static).update("\n".join(lines))

    def action_sync_now(self) -> None:
        engine = self.services.sync_engine
        if engine is None:
            self.say("No sync configured on this kiosk.", True)
            return
        engine.wake()
        self.say("Sync asked; the status updates in a few seconds.")
        self.app.refresh_status()  # type: ignore[attr-defined]
