"""One set of attendance figures: the kiosk dashboard and the report never disagree."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.model import Registration, Role, Scan, ScanKind
from kiosk.core.ports import PrintJob
from kiosk.core.stats import dashboard, first_entries, live_scans, quarter_counts
from sync.reports.compute import compute
from sync.reports.source import ReportData
from tests.conftest import EVENT, SESSIONS, TZ

PEOPLE = [Registration(f"R{i}", "P", str(i), role=(Role.SPEAKER if i % 3 == 0 else Role.PARTICIPANT))
          for i in range(6)]  # fmt: skip
DAY_START = {1: datetime(2026, 12, 8, 8, 0, tzinfo=TZ), 2: datetime(2026, 12, 9, 8, 0, tzinfo=TZ)}
KINDS = [ScanKind.ENTRY, ScanKind.EXIT, ScanKind.SESSION_ENTRY, ScanKind.SESSION_EXIT]


@st.composite
def scan_logs(draw: st.DrawFn) -> list[Scan]:
    """Entries, exits and session moves over two days, some refused, some taken back."""
    scans: list[Scan] = []
    for i in range(draw(st.integers(0, 40))):
        day = draw(st.sampled_from([1, 2]))
        kind = draw(st.sampled_from(KINDS))
        at = DAY_START[day] + timedelta(seconds=draw(st.integers(0, 10 * 3600)))
        scans.append(
            Scan(
                f"n{i}",
                "k1",
                at,
                f"CODE-{i}",
                draw(st.sampled_from([p.id for p in PEOPLE] + ["UNKNOWN"])),
                kind,
                draw(st.booleans()),
                "ok",
                "P1" if kind in (ScanKind.SESSION_ENTRY, ScanKind.SESSION_EXIT) else None,
                day,
            )
        )
    for j, target in enumerate(draw(st.lists(st.sampled_from(scans), max_size=5)) if scans else []):
        scans.append(
            Scan(f"u{j}", "k1", target.at + timedelta(minutes=1), target.nonce,
                 target.registration_id, ScanKind.UNDO, True, "ok", day=target.day)
        )  # fmt: skip
    return scans


@settings(max_examples=150, deadline=None)
@given(scan_logs(), st.sampled_from([1, 2]))
def test_the_dashboard_counts_what_the_report_counts(scans: list[Scan], today: int) -> None:
    board = dashboard(scans, PEOPLE, SESSIONS, {}, [], today, TZ)
    data = ReportData("all", EVENT, SESSIONS, PEOPLE, scans, None, [])
    report = compute(data, None, now=datetime(2026, 12, 10, tzinfo=TZ))
    rows = report.tables["checkins"].rows
    assert board.checked_in_today == sum(1 for r in rows if r[0] == today)
    assert board.checked_in_total == len({r[2] for r in rows})
    assert sum(board.today_by_role.values()) == board.checked_in_today
    arrivals = report.arrivals[today]
    assert board.arrivals == tuple(n for _, n in arrivals)
    assert board.arrivals_start == (arrivals[0][0] if arrivals else None)


@settings(max_examples=150, deadline=None)
@given(scan_logs())
def test_an_undone_or_refused_scan_never_counts(scans: list[Scan]) -> None:
    live, undone = live_scans(scans)
    assert all(s.accepted and s.kind is not ScanKind.UNDO for s in live)
    assert not {s.nonce for s in live} & undone
    for (rid, day), first in first_entries(live).items():
        assert first.registration_id == rid and first.day == day and first in live
        assert all(
            s.at >= first.at
            for s in live
            if s.kind is ScanKind.ENTRY and s.registration_id == rid and s.day == day
        )


def test_quarters_run_from_the_first_to_the_last_with_empty_ones_and_stop_after_a_day() -> None:
    t0 = datetime(2026, 12, 8, 9, 7, tzinfo=TZ)
    counts = quarter_counts([t0, t0 + timedelta(minutes=2), t0 + timedelta(minutes=40)], TZ)
    assert [(s.strftime("%H:%M"), n) for s, n in counts] == [
        ("09:00", 2), ("09:15", 0), ("09:30", 0), ("09:45", 1),
    ]  # fmt: skip
    assert quarter_counts([], TZ) == []
    long = quarter_counts([t0, t0 + timedelta(days=3)], TZ)
    assert len(long) == 24 * 4 + 1


def test_lane_health_reads_only_printed_check_in_badges() -> None:
    t0 = datetime(2026, 12, 8, 9, 0, tzinfo=TZ)

    def job(i: int, seconds: float, reason: str = "checkin", status: str = "done") -> PrintJob:
        printed = t0 + timedelta(seconds=seconds) if status == "done" else None
        return PrintJob(i, "R1", reason, "", "", status, 1, None, "", t0, printed)

    jobs = [job(1, 4), job(2, 6), job(3, 60, reason="reprint"), job(4, 0, status="pending")]
    board = dashboard([], PEOPLE, [], {}, jobs, 1, TZ)
    assert (board.lane_median_seconds, board.lane_samples) == (5.0, 2)
