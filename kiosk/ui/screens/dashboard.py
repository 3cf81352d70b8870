"""Organisers' dashboard: who is in, sessions, arrivals, uploads, printer and lane health."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from kiosk.core.stats import Dashboard
from kiosk.ui.i18n import code_word, printer_words, visual
from kiosk.ui.screens.common import StaffScreen, cell, rich_lines


class DashboardScreen(StaffScreen):
    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        with Vertical(id="dashboard"):
            with Horizontal(id="dash-top"):
                yield Static("", id="dash-checkins", classes="card", markup=False)
                yield Static("", id="dash-health", classes="card", markup=False)
            yield Static(self.v("dash.arrivals"), classes="section", markup=False)
            yield Sparkline([], id="arrivals")
            yield Static("", id="arrivals-axis", markup=False)
            yield DataTable(id="dash-sessions", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def prepare(self) -> None:
        columns = ("col.session", "col.room", "col.day", "col.inside", "col.capacity")
        self.query_one("#dash-sessions", DataTable).add_columns(
            *(cell(self.v(c)) for c in (*columns, "col.entries"))
        )
        self.watch(self.app, "printer", lambda _: self.reload())
        self.set_interval(5.0, self.reload)
        self._refresh_alert()
        self.reload()

    def reload(self) -> None:
        self.app.run_io(self._compute, done=self._show, name="dashboard")

    def _compute(self) -> Dashboard:
        return self.services.statistics.dashboard(self.services.today())

    def _show(self, d: Dashboard) -> None:
        app = self.app

        lang = self.lang

        def roles(counts: dict[str, int]) -> str:
            words = (f"{code_word('role', k, lang)} {v}" for k, v in sorted(counts.items()))
            return "  " + (", ".join(words) or "-")

        day = self.t("dash.day", n=d.today) if d.today is not None else self.t("dash.no_day")
        card = self.query_one("#dash-checkins", Static)
        checkins = [
            self.t("dash.today", day=day, count=d.checked_in_today),
            roles(d.today_by_role),
            self.t("dash.total", count=d.checked_in_total, of=d.registrations),
            roles(d.total_by_role),
        ]
        card.update(rich_lines(checkins, lang, card.content_region.width))
        sync = app.sync
        tz = self.services.clock.now().tzinfo
        never = self.t("sync.never")
        last = sync.last_sync.astimezone(tz).strftime("%H:%M:%S") if sync.last_sync else never
        lane = (
            self.t("dash.lane_value", seconds=f"{d.lane_median_seconds:.1f}", n=d.lane_samples)
            if d.lane_median_seconds is not None
            else self.t("dash.no_badge")
        )
        health = self.query_one("#dash-health", Static)
        lines = [
            self.t("dash.waiting", waiting=sync.waiting),
            self.t("dash.last_sync", last=last if sync.configured else self.t("dash.no_sync")),
            self.t("dash.printer", state=printer_words(app.printer, lang)),
            self.t("dash.lane", lane=lane),
        ]
        health.update(rich_lines(lines, lang, health.content_region.width))
        spark = self.query_one("#arrivals", Sparkline)
        spark.data = list(d.arrivals)
        spark.display = bool(d.arrivals)
        axis = self.v("dash.no_arrivals")
        if d.arrivals_start is not None:
            axis = self.v("dash.axis", start=f"{d.arrivals_start:%H:%M}", peak=max(d.arrivals))
        self.query_one("#arrivals-axis", Static).update(axis)
        table = self.query_one("#dash-sessions", DataTable)
        table.clear()
        for line in d.sessions:
            table.add_row(
                cell(visual(line.title)),
                cell(visual(line.room)),
                str(line.day),
                str(line.inside),
                str(line.capacity or "∞"),
                str(line.entries),
            )
