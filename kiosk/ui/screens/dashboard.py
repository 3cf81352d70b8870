"""Organisers' dashboard: who is in, sessions, arrivals, uploads, printer and lane health."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from kiosk.ui import stats
from kiosk.ui.i18n import visual
from kiosk.ui.screens.common import StaffScreen

LANE_JOBS = 500  # the newest print jobs read to find the last 20 printed check-in badges


class DashboardScreen(StaffScreen):
    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="dashboard"):
            with Horizontal(id="dash-top"):
                yield Static("", id="dash-checkins", classes="card")
                yield Static("", id="dash-health", classes="card")
            yield Static("Arrivals per 15 minutes (today)", classes="section")
            yield Sparkline([], id="arrivals")
            yield Static("", id="arrivals-axis")
            yield DataTable(id="dash-sessions", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#dash-sessions", DataTable).add_columns(
            "Session", "Room", "Day", "Inside", "Capacity", "Entries"
        )
        self.watch(self.app, "printer", lambda _: self.reload())
        self.set_interval(5.0, self.reload)
        self._refresh_alert()
        self.reload()

    def reload(self) -> None:
        self.app.run_io(self._compute, done=self._show, name="dashboard")  # type: ignore[attr-defined]

    def _compute(self) -> stats.Dashboard:
        s = self.services
        store = s.store
        sessions = store.sessions()
        return stats.compute(
            store.scans(),
            store.all_registrations(),
            sessions,
            {x.id: store.session_inside(x.id) for x in sessions},
            # Newest first, any status: lane health is about the latest badges.
            store.print_jobs(None, limit=LANE_JOBS),
            s.today(),
            s.clock.now().tzinfo,
        )

    def _show(self, d: stats.Dashboard) -> None:
        app: Any = self.app

        def roles(counts: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "-"

        day = f"day {d.today}" if d.today is not None else "no event day today"
        self.query_one("#dash-checkins", Static).update(
            f"[b]Checked in today[/b] ({day}): {d.checked_in_today}\n  {roles(d.today_by_role)}\n"
            f"[b]Checked in in total[/b]: {d.checked_in_total} of {d.registrations}\n"
            f"  {roles(d.total_by_role)}"
        )
        sync = app.sync
        tz = self.services.clock.now().tzinfo
        last = sync.last_sync.astimezone(tz).strftime("%H:%M:%S") if sync.last_sync else "never"
        lane = (
            f"{d.lane_median_seconds:.1f} s (median of last {d.lane_samples})"
            if d.lane_median_seconds is not None
            else "no badge printed yet"
        )
        self.query_one("#dash-health", Static).update(
            f"[b]Scans waiting to upload[/b]: {sync.waiting}\n"
            f"[b]Last sync[/b]: {last if sync.configured else 'sync not configured'}\n"
            f"[b]Printer[/b]: {app.printer.message or app.printer.state}\n"
            f"[b]Lane health[/b], scan → badge: {lane}"
        )
        spark = self.query_one("#arrivals", Sparkline)
        spark.data = list(d.arrivals)
        spark.display = bool(d.arrivals)
        axis = "no arrivals yet today"
        if d.arrivals_start is not None:
            axis = f"from {d.arrivals_start:%H:%M}, peak {max(d.arrivals)} per 15 min"
        self.query_one("#arrivals-axis", Static).update(axis)
        table = self.query_one("#dash-sessions", DataTable)
        table.clear()
        for line in d.sessions:
            table.add_row(
                visual(line.title),
                visual(line.room),
                str(line.day),
                str(line.inside),
                str(line.capacity or "∞"),
                str(line.entries),
            )
