"""Dashboard figures computed from the scan log and print queue (pure, no IO)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kiosk.core.model import Registration, Scan, ScanHistory, ScanKind, Session
from kiosk.core.ports import PrintJob


@dataclass(frozen=True, slots=True)
class SessionLine:
    id: str
    title: str
    room: str
    day: int
    inside: int
    capacity: int
    entries: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: int | None
    checked_in_today: int = 0
    checked_in_total: int = 0
    registrations: int = 0
    today_by_role: dict[str, int] = field(default_factory=dict)
    total_by_role: dict[str, int] = field(default_factory=dict)
    sessions: tuple[SessionLine, ...] = ()
    arrivals: tuple[int, ...] = ()  # first entries per 15 minutes, today
    arrivals_start: datetime | None = None
    lane_median_seconds: float | None = None
    lane_samples: int = 0


def _live(scans: Sequence[Scan]) -> list[Scan]:
    return list(ScanHistory(tuple(scans)).live)


def compute(
    scans: Sequence[Scan],
    registrations: Iterable[Registration],
    sessions: Sequence[Session],
    session_inside: dict[str, int],
    jobs: Sequence[PrintJob],
    today: int | None,
    tz: object = None,
) -> Dashboard:
    """Checked in (today, total, by role), sessions, arrivals per 15 min and lane health."""
    regs = {r.id: r for r in registrations}
    live = _live(scans)
    entries = [s for s in live if s.kind is ScanKind.ENTRY and s.registration_id]
    first: dict[str, Scan] = {}
    first_today: dict[str, Scan] = {}
    for s in sorted(entries, key=lambda s: s.at):
        rid = s.registration_id or ""
        first.setdefault(rid, s)
        if today is not None and s.day == today:
            first_today.setdefault(rid, s)

    def by_role(ids: Iterable[str]) -> dict[str, int]:
        return dict(Counter(regs[i].role.value if i in regs else "?" for i in ids))

    session_entries = Counter(
        s.session_id for s in live if s.kind is ScanKind.SESSION_ENTRY and s.session_id
    )
    lines = tuple(
        SessionLine(
            s.id,
            s.title,
            s.room,
            s.day,
            session_inside.get(s.id, 0),
            s.capacity,
            session_entries.get(s.id, 0),
        )
        for s in sessions
    )
    arrivals, start = _arrivals([s.at for s in first_today.values()], tz)
    lane = _lane(jobs)
    return Dashboard(
        today=today,
        checked_in_today=len(first_today),
        checked_in_total=len(first),
        registrations=len(regs),
        today_by_role=by_role(first_today),
        total_by_role=by_role(first),
        sessions=lines,
        arrivals=arrivals,
        arrivals_start=start,
        lane_median_seconds=statistics.median(lane) if lane else None,
        lane_samples=len(lane),
    )


def _arrivals(times: list[datetime], tz: object) -> tuple[tuple[int, ...], datetime | None]:
    if not times:
        return (), None
    local = [t.astimezone(tz) if tz is not None else t for t in times]  # type: ignore[arg-type]
    start = min(local).replace(minute=min(local).minute // 15 * 15, second=0, microsecond=0)
    buckets = Counter(int((t - start) / timedelta(minutes=15)) for t in local)
    return tuple(buckets.get(i, 0) for i in range(max(buckets) + 1)), start


def _lane(jobs: Sequence[PrintJob], last: int = 20) -> list[float]:
    """Seconds from scan to printed badge for the last check-in badges."""
    done = [
        j for j in jobs if j.status == "done" and j.reason == "checkin" and j.printed_at is not None
    ]
    done.sort(key=lambda j: j.printed_at or j.created_at)
    return [
        max(0.0, ((j.printed_at or j.created_at) - j.created_at).total_seconds())
        for j in done[-last:]
    ]
