"""Pure pieces of the UI: half-block preview, Arabic for terminals, dashboard figures."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from kiosk.core import stats
from kiosk.core.model import Registration, Role, Scan, ScanKind
from kiosk.core.ports import PrintJob
from kiosk.ui import halfblock
from kiosk.ui.i18n import visual, visual_lines
from kiosk.ui.screens.dashboard import DashboardScreen
from tests.conftest import SESSIONS, TZ
from tests.ui.conftest import wait_for
from tests.ui.test_attendee import scan as scan_code
from tests.ui.test_staff import sign_in


def test_half_blocks_draw_two_pixel_rows_per_line_and_outline_the_code():
    gray = np.zeros((40, 80), dtype=np.uint8)
    gray[:, 40:] = 255
    rows = halfblock.render(gray, [(10, 10), (30, 10), (30, 30), (10, 30)], 20, 5)
    assert len(rows) == 5 and all(len(r) == 20 for r in rows)
    assert {seg.text for r in rows for seg in r} == {"▀"}
    colors = {seg.style.color.triplet for r in rows for seg in r}
    assert halfblock.OUTLINE in colors  # the code's outline
    assert (0, 0, 0) in colors and (255, 255, 255) in colors
    plain = halfblock.render(gray, None, 20, 5)
    assert halfblock.OUTLINE not in {seg.style.color.triplet for r in plain for seg in r}


def test_arabic_is_shaped_and_reordered_line_by_line():
    text = "أهلاً وسهلاً"
    shown = visual(text)
    assert shown != text and all("\ufe70" <= c <= "\ufeff" or c in " ً" for c in shown)
    lines = visual_lines("مرحباً بعودتك " * 6, 30)
    assert len(lines) > 1 and all(len(line) <= 30 for line in lines)
    assert visual("Hélène") == "Hélène"


def _scan(rid: str, at: datetime, kind=ScanKind.ENTRY, day=1, session=None, nonce=None) -> Scan:
    return Scan(
        nonce or f"{rid}-{at:%H%M%S}-{kind}", "k", at, "c", rid, kind, True, "ok", session, day
    )


def test_dashboard_figures():
    t0 = datetime(2026, 12, 8, 9, 0, tzinfo=TZ)
    regs = [Registration("A", "a", "a"), Registration("B", "b", "b", role=Role.SPEAKER),
            Registration("C", "c", "c")]  # fmt: skip
    scans = [
        _scan("A", t0, day=1),
        _scan("A", t0 + timedelta(minutes=40), day=1),  # re-entry does not count twice
        _scan("B", t0 + timedelta(minutes=5), day=1),
        _scan("C", t0 - timedelta(days=1), day=0),  # another day
        _scan("A", t0 + timedelta(minutes=50), ScanKind.SESSION_ENTRY, session="P1"),
    ]
    jobs = [
        PrintJob(i, "A", "checkin", "", "", "done", 1, None, "", t0, t0 + timedelta(seconds=s))
        for i, s in enumerate((2, 3, 10), start=1)
    ]
    d = stats.dashboard(scans, regs, SESSIONS, {"P1": 1}, jobs, today=1, tz=TZ)
    assert d.checked_in_today == 2 and d.checked_in_total == 3
    assert d.today_by_role == {"participant": 1, "speaker": 1}
    assert d.arrivals == (2,) and d.arrivals_start == t0
    assert d.lane_median_seconds == pytest.approx(3.0) and d.lane_samples == 3
    p1 = next(s for s in d.sessions if s.id == "P1")
    assert (p1.inside, p1.capacity, p1.entries) == (1, 300, 1)


@pytest.mark.anyio
async def test_dashboard_screen_shows_checkins_and_lane_health(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app(staff_language="en", language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await scan_code(pilot, app, "CODE-OK-EN")
        await scan_code(pilot, app, "CODE-OK-FR")
        await wait_for(pilot, lambda: len(list(kiosk.badges.glob("*.png"))) == 2, 15)
        await sign_in(pilot, app)
        await pilot.press("f5")
        assert isinstance(app.screen, DashboardScreen)
        card = app.screen.query_one("#dash-checkins")
        await wait_for(pilot, lambda: "Checked in today" in str(card.render()))
        text = str(card.render())
        assert "(day 1): 2" in text and "participant 1, speaker 1" in text
        health = str(app.screen.query_one("#dash-health").render())
        assert "median of last 2" in health
        assert app.screen.query_one("#arrivals").data == [2]


def test_printer_view_sends_attendees_to_the_desk_only_when_the_printer_is_down():
    from types import SimpleNamespace

    from kiosk.ui.ports import printer_view

    def view(**state):
        queue = SimpleNamespace(state=lambda printer=None, max_age=None: SimpleNamespace(**state))
        return printer_view(queue).level

    base = {"jobs_waiting": 0, "message": "", "last_error": ""}
    assert view(state="ok", ok=True, **base) == "ok"
    # a badge that could not be drawn: staff must reprint it, the printer itself works
    assert view(state="ok", ok=False, **base) == "warn"
    assert view(state="paper_low", ok=True, **base) == "warn"
    assert view(state="paper_out", ok=False, **base) == "down"
    assert view(state="offline", ok=False, **base) == "down"
