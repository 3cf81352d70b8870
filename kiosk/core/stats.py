"""Attendance figures from the scan log, computed one way for the kiosk dashboard and the
reports (sync.reports.compute) and the hub's organiser page.

Every number comes from the scan log: an accepted scan counts unless an accepted undo
names it (``live_scans``); a check-in is a person's first live entry of a day
(``first_entries``); arrivals are those first entries per quarter hour in the event's
time zone (``quarter_counts``). Pure: no IO, no clock.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from kiosk.core.model import Registration, Scan, ScanKind, Session
from kiosk.core.ports import PrintJob

QUARTER = timedelta(minutes=15)
MAX_QUARTERS = 24 * 4 + 1  # one day of quarters at most in one arrivals series
LANE_BADGES = 20  # lane health: the last this many printed check-in badges


def live_scans(scans: Iterable[Scan]) -> tuple[list[Scan], set[str]]:
    """Accepted scans no undo took back, and the nonces that were undone.

    An undo is an accepted ``ScanKind.UNDO`` scan whose ``code`` is the nonce of the scan
    it takes back (CheckinService.undo_last); the order of the input is kept.
    """
    scans = list(scans)
    undone = {s.code for s in scans if s.accepted and s.kind is ScanKind.UNDO}
    live = [
        s for s in scans if s.accepted and s.kind is not ScanKind.UNDO and s.nonce not in undone
    ]
    return live, undone


def first_entries(live: Iterable[Scan]) -> dict[tuple[str, int], Scan]:
    """(registration id, event day) -> the first live venue entry of that person that day.

    ``live`` must already be live (:func:`live_scans`); entries without a registration or a
    day are not check-ins.
    """
    first: dict[tuple[str, int], Scan] = {}
    for scan in sorted(live, key=lambda s: s.at):
        if scan.kind is ScanKind.ENTRY and scan.registration_id and scan.day is not None:
            first.setdefault((scan.registration_id, scan.day), scan)
    return first


def checked_in_now(live: Iterable[Scan], day: int) -> int:
    """People whose last live venue move (entry or exit) of ``day`` was an entry."""
    last: dict[str, Scan] = {}
    for scan in sorted(live, key=lambda s: s.at):
        if (
            scan.day == day
            and scan.registration_id
            and scan.kind in (ScanKind.ENTRY, ScanKind.EXIT)
        ):
            last[scan.registration_id] = scan
    return sum(s.kind is ScanKind.ENTRY for s in last.values())


def floor_quarter(when: datetime) -> datetime:
    """The start of the quarter hour ``when`` falls in (same time zone)."""
    return when.replace(minute=when.minute - when.minute % 15, second=0, microsecond=0)


def quarter_counts(times: Iterable[datetime], tz: tzinfo | None) -> list[tuple[datetime, int]]:
    """(quarter start, count) from the first quarter to the last, empty quarters included.

    Times are read in ``tz`` (None: as given). At most MAX_QUARTERS quarters from the
    first one; an empty input gives an empty list.
    """
    starts = [floor_quarter(t.astimezone(tz) if tz is not None else t) for t in times]
    if not starts:
        return []
    counts = Counter(starts)
    slot, last = min(starts), max(starts)
    out = []
    for _ in range(MAX_QUARTERS):
        out.append((slot, counts.get(slot, 0)))
        if slot >= last:
            break
        slot += QUARTER
    return out


def lane_seconds(jobs: Iterable[PrintJob], last: int = LANE_BADGES) -> list[float]:
    """Seconds from check-in to printed badge for the ``last`` printed check-in badges,
    oldest first (a badge is queued in the check-in's own transaction)."""
    done = [
        j for j in jobs if j.status == "done" and j.reason == "checkin" and j.printed_at is not None
    ]
    done.sort(key=lambda j: j.printed_at or j.created_at)
    return [
        max(0.0, ((j.printed_at or j.created_at) - j.created_at).total_seconds())
        for j in done[-last:]
    ]


@dataclass(frozen=True, slots=True)
class SessionLine:
    id: str
    title: str
    room: str
    day: int
    inside: int
    capacity: int  # 0: unlimited
    entries: int  # live session entries (a person entering twice counts twice)


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The organisers' dashboard on a kiosk: who came, sessions, arrivals, lane health."""

    today: int | None
    checked_in_today: int = 0
    checked_in_total: int = 0  # distinct people checked in on any day
    registrations: int = 0
    today_by_role: dict[str, int] = field(default_factory=dict)
    total_by_role: dict[str, int] = field(default_factory=dict)
    sessions: tuple[SessionLine, ...] = ()
    arrivals: tuple[int, ...] = ()  # first entries per 15 minutes, today
    arrivals_start: datetime | None = None
    lane_median_seconds: float | None = None
    lane_samples: int = 0


def dashboard(
    scans: Sequence[Scan],
    registrations: Iterable[Registration],
    sessions: Sequence[Session],
    session_inside: dict[str, int],
    jobs: Sequence[PrintJob],
    today: int | None,
    tz: tzinfo | None = None,
) -> Dashboard:
    """Checked in (today, total, by role), sessions, arrivals per 15 min and lane health.

    ``session_inside``: session id -> people inside now (the scan log's own count);
    ``jobs``: the newest print jobs, any status; ``tz``: the event's time zone for the
    arrival quarters.
    """
    regs = {r.id: r for r in registrations}
    live, _ = live_scans(scans)
    first = first_entries(live)
    first_any: dict[str, Scan] = {}
    for (rid, _day), scan in sorted(first.items(), key=lambda kv: kv[1].at):
        first_any.setdefault(rid, scan)
    first_today = {rid: s for (rid, day), s in first.items() if today is not None and day == today}

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
    quarters = quarter_counts((s.at for s in first_today.values()), tz)
    lane = lane_seconds(jobs)
    return Dashboard(
        today=today,
        checked_in_today=len(first_today),
        checked_in_total=len(first_any),
        registrations=len(regs),
        today_by_role=by_role(first_today),
        total_by_role=by_role(first_any),
        sessions=lines,
        arrivals=tuple(n for _, n in quarters),
        arrivals_start=quarters[0][0] if quarters else None,
        lane_median_seconds=statistics.median(lane) if lane else None,
        lane_samples=len(lane),
    )
