"""The organisers' dashboard on a kiosk: figures from the local scan log and print queue,
computed by kiosk.core.stats, the same functions the reports use."""

from __future__ import annotations

from kiosk.core.ports import Clock
from kiosk.core.stats import Dashboard, dashboard
from kiosk.services.ports import DeskStore

LANE_JOBS = 500  # the newest print jobs read to find the last printed check-in badges


class Statistics:
    def __init__(self, store: DeskStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def dashboard(self, today: int | None) -> Dashboard:
        """Reads the whole scan log: call it from a worker."""
        sessions = self.store.sessions()
        return dashboard(
            self.store.scans(),
            self.store.all_registrations(),
            sessions,
            {s.id: self.store.session_inside(s.id) for s in sessions},
            # Newest first, any status: lane health is about the latest badges.
            self.store.print_jobs(None, limit=LANE_JOBS),
            today,
            self.clock.now().tzinfo,
        )
