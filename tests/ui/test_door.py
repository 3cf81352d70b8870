"""Session door: entries counted against capacity, amber then red, refusals."""

from __future__ import annotations

import pytest

from kiosk.ui.screens.door import DoorScreen, SessionPicker, fill_level
from tests.ui.conftest import screen_text, wait_for
from tests.ui.test_attendee import scan

pytestmark = pytest.mark.anyio


def test_fill_level_turns_amber_near_and_red_at_capacity():
    assert fill_level(0, 40, 90) == "ok"
    assert fill_level(35, 40, 90) == "ok"
    assert fill_level(36, 40, 90) == "near"
    assert fill_level(40, 40, 90) == "full"
    assert fill_level(500, 0, 90) == "ok"  # no capacity: never full


async def test_door_reaches_capacity_then_refuses_with_session_full(make_kiosk):
    kiosk = make_kiosk(door={"amber_at_percent": 50}, kiosk={"mode": "door"})
    app = kiosk.app(session="W1", language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        box = app.screen.query_one("#door-count")
        assert isinstance(app.screen, DoorScreen) and box.has_class("-ok")
        await scan(pilot, app, "CODE-W1-A")
        assert "Enjoy the session, Nora Kettani" in screen_text(app)
        assert box.has_class("-near") and "1 / 2" in screen_text(app)
        await scan(pilot, app, "CODE-W1-B")
        assert box.has_class("-full") and "Session full" in screen_text(app)
        await scan(pilot, app, "CODE-W1-C")
        assert "This session is full" in screen_text(app)
        assert "is full (2/2)" in screen_text(app)  # the staff line
        await scan(pilot, app, "CODE-P1-ONLY")
        assert "does not include this session" in screen_text(app)
        assert app.sounds == ["ok", "ok", "refused", "refused"]
    rows = kiosk.log_rows()
    assert [(r.registration_id, r.reason) for r in rows] == [
        ("R9", "ok"),
        ("R10", "ok"),
        ("R11", "session_full"),
        ("R8", "session_not_allowed"),
    ]
    assert kiosk.runtime.store.session_inside("W1") == 2


async def test_exit_door_lets_people_out(make_kiosk):
    kiosk = make_kiosk(kiosk={"mode": "door"})
    entry = kiosk.app(session="W1", language="en")
    async with entry.run_test(size=(100, 30)) as pilot:
        await scan(pilot, entry, "CODE-W1-A")
    kiosk.runtime.config.door.direction = "exit"
    out = kiosk.app(session="W1", language="en")
    async with out.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "1 / 2" in screen_text(out))
        await scan(pilot, out, "CODE-W1-A")
        assert "Thank you, Nora Kettani" in screen_text(out)
        await wait_for(pilot, lambda: "0 / 2" in screen_text(out))
    assert kiosk.runtime.store.session_inside("W1") == 0


async def test_door_without_configured_session_asks_which(make_kiosk):
    app = make_kiosk(kiosk={"mode": "door"}).app(language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        assert isinstance(app.screen, SessionPicker)
        await pilot.press("enter")  # today's first session: P1
        await pilot.pause(0.1)
        assert isinstance(app.screen, DoorScreen) and app.screen.session_id == "P1"
        assert "Opening plenary" in screen_text(app)
