"""Session door: entries counted against capacity, amber then red, refusals."""

from __future__ import annotations

import pytest

from kiosk.core.model import Lang
from kiosk.ui.i18n import ui_text
from kiosk.ui.screens.door import DoorScreen, SessionPicker, fill_level
from kiosk.ui.screens.pin import PinScreen
from tests.ui.conftest import OnUiThread, screen_text, wait_for
from tests.ui.test_attendee import scan, type_text

pytestmark = pytest.mark.anyio


def test_fill_level_turns_amber_near_and_red_at_capacity():
    assert fill_level(0, 40, 90) == "ok"
    assert fill_level(35, 40, 90) == "ok"
    assert fill_level(36, 40, 90) == "near"
    assert fill_level(40, 40, 90) == "full"
    assert fill_level(500, 0, 90) == "ok"  # no capacity: never full


async def test_door_reaches_capacity_then_refuses_with_session_full(make_kiosk):
    kiosk = make_kiosk(door={"amber_at_percent": 50}, kiosk={"mode": "door"})
    app = kiosk.app(staff_language="en", session="W1", language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, DoorScreen)
        await wait_for(pilot, lambda: app.screen.session is not None)  # read in a worker
        box = app.screen.query_one("#door-count")
        assert box.has_class("-ok")
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


async def test_door_without_configured_session_asks_staff_pin_then_which(make_kiosk):
    kiosk = make_kiosk(kiosk={"mode": "door"})
    app = kiosk.app(staff_language="en", language="en")
    store = OnUiThread(app.services.store, "sessions", "session")
    app.services.store = store
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PinScreen))
        await pilot.press("tab")  # past the initials
        await type_text(pilot, "0000")  # not a PIN: no session list
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "Wrong PIN" in str(app.screen.query_one("#pin-message").render())
        )
        await type_text(pilot, "2468")  # a steward is enough
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionPicker))
        await wait_for(pilot, lambda: app.screen.query_one("#sessions").option_count > 0)
        await pilot.press("enter")  # today's first session: P1
        await wait_for(pilot, lambda: isinstance(app.screen, DoorScreen) and app.screen.session)
        assert app.screen.session_id == "P1" and app.staff is None
        assert "Opening plenary" in screen_text(app)
        await scan(pilot, app, "CODE-W1-A")
        assert "Enjoy the session" in screen_text(app)
    assert store.on_ui() == []  # the session list and the session were read in workers
    assert {name for name, _ in store.calls} == {"sessions", "session"}


async def test_idle_door_without_session_asks_attendees_to_fetch_staff(make_kiosk):
    kiosk = make_kiosk(kiosk={"mode": "door", "idle_reset_seconds": 1.0})
    app = kiosk.app(staff_language="en", language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PinScreen))
        # Nobody signs in: the idle reset closes the PIN prompt…
        await wait_for(pilot, lambda: isinstance(app.screen, DoorScreen), 5)
        text = screen_text(app)
        # …and the door says, big, to ask staff; staff read how on top.
        assert ui_text("door.no_session", Lang.EN) in text
        assert "staff press F12" in text
        assert "Scan your badge" not in text
        await scan(pilot, app, "CODE-W1-A")  # a scan is answered, not silently dropped
        assert app.sounds == ["refused"]
        assert ui_text("door.no_session", Lang.EN) in screen_text(app)
        await pilot.press("f12")  # staff: PIN first, never the list straight away
        await wait_for(pilot, lambda: isinstance(app.screen, PinScreen))
    assert kiosk.log_rows() == []


async def test_door_without_session_and_without_pins_never_shows_the_list(make_kiosk):
    kiosk = make_kiosk(kiosk={"mode": "door"}, staff={"pin_hash": "", "supervisor_pin_hash": ""})
    app = kiosk.app(staff_language="en", language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert isinstance(app.screen, DoorScreen)
        await pilot.press("f12")
        await pilot.pause(0.2)
        assert isinstance(app.screen, DoorScreen)
        text = screen_text(app)
        assert ui_text("door.no_session", Lang.EN) in text and "set [door] session" in text


async def test_a_repeat_at_the_door_reshows_that_codes_own_verdict(make_kiosk):
    kiosk = make_kiosk(kiosk={"mode": "door"}, camera={"repeat_seconds": 30.0})
    app = kiosk.app(session="W1", language="en", staff_language="en")  # staff line: English
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, app, "CODE-W1-A")
        await scan(pilot, app, "CODE-W1-B")
        assert "Karim Berrada" in screen_text(app)
        await type_text(pilot, "CODE-W1-A")  # Nora again, within repeat_seconds
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Enjoy the session, Nora Kettani" in screen_text(app))
        assert "Karim" not in screen_text(app)
        assert app.sounds == ["ok", "ok"]  # a re-show, not a second entry
    assert [r.registration_id for r in kiosk.log_rows()] == ["R9", "R10"]
    assert kiosk.runtime.store.session_inside("W1") == 2


async def test_a_store_that_cannot_record_gets_an_answer_and_a_retry_works(make_kiosk):
    import sqlite3

    kiosk = make_kiosk(kiosk={"mode": "door"}, camera={"repeat_seconds": 30.0})
    app = kiosk.app(session="W1", language="en", staff_language="en")  # staff line: English
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.session is not None)
        # Another process holds the database's write lock past the busy timeout.
        other = sqlite3.connect(kiosk.runtime.config.store_path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            before = len(app.sounds)
            await type_text(pilot, "CODE-W1-A")
            await pilot.press("enter")
            await wait_for(pilot, lambda: len(app.sounds) > before, 15)
        finally:
            other.rollback()
            other.close()
        text = screen_text(app)
        assert ui_text("error.try_again", Lang.EN) in text and "Not recorded" in text
        assert app.sounds == ["refused"]
        assert app.screen.query_one("#result").has_class("refused")
        assert any("locked" in e for e in app.errors)
        await scan(pilot, app, "CODE-W1-A")  # the same code again: checked afresh
        assert "Enjoy the session, Nora Kettani" in screen_text(app)
    assert [(r.registration_id, r.accepted) for r in kiosk.log_rows()] == [("R9", True)]


async def test_door_asks_pretix_checkin_questions_before_the_entry(make_kiosk):
    """A session door asks pretix's check-in questions through the desk's form (issue 15);
    Escape records nothing."""
    import json

    from kiosk.core.checkin_list import CheckinList, TicketFacts
    from kiosk.core.questions import CheckinQuestion
    from kiosk.ui.screens.questions import QuestionScreen
    from tests.ui.test_sync_panel import PRETIX

    kiosk = make_kiosk(kiosk={"mode": "door"}, sync=PRETIX)
    store = kiosk.runtime.store
    asked = TicketFacts(item=1, questions=(CheckinQuestion(6, "T-shirt size?", "S", True),))
    store.apply_pull(
        "pretix",
        [],
        [],
        None,
        lists={"": CheckinList(1), "W1": CheckinList(2)},
        facts={"R9": asked, "R10": asked},
    )
    app = kiosk.app(staff_language="en", session="W1", language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.session is not None)
        door = app.screen
        await pilot.press(*"CODE-W1-A", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionScreen))
        assert store.count_scans() == 0  # nothing recorded while the question is open
        await pilot.press("enter")  # required: an empty answer is refused on the spot
        await wait_for(pilot, lambda: "required" in screen_text(app))
        await pilot.press("M", "enter")
        await wait_for(pilot, lambda: app.screen is door and store.count_scans() == 1)
        await wait_for(pilot, lambda: "Enjoy the session" in screen_text(app))
        assert "T-shirt" not in screen_text(app)  # answered: nothing left to ask
        await pilot.press(*"CODE-W1-B", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is door and "question" in screen_text(app))
    assert store.count_scans() == 1
    [item] = store.pending()
    assert json.loads(item.payload)["answers"] == [["6", "M"]]


async def test_staff_turn_a_door_back_into_the_attendee_kiosk_behind_the_pin(make_kiosk):
    from kiosk.ui.screens.attendee import AttendeeScreen
    from kiosk.ui.screens.staff import DeskScreen
    from tests.ui.test_staff import sign_in

    kiosk = make_kiosk()
    app = kiosk.app(staff_language="en", language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app)
        assert "End door mode" not in app.screen.query_one("KeyBar").render().plain
        await pilot.press("f8")  # nothing to end: the desk stays
        assert isinstance(app.screen, DeskScreen)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionPicker))
        await wait_for(pilot, lambda: app.screen.query_one("#sessions").option_count > 0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DoorScreen) and app.screen.session)
        await pilot.press("f8")  # attendees at the door cannot end it
        assert isinstance(app.screen, DoorScreen) and app.staff is None
        await sign_in(pilot, app)  # F12 and the PIN, as to open the door
        keys = app.screen.query_one("KeyBar")
        await wait_for(pilot, lambda: "End door mode" in keys.render().plain)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, AttendeeScreen))
        assert app.staff is None and len(app.screen_stack) == 2
        await scan(pilot, app, "CODE-OK-EN")  # the entrance check-in again, not a door entry
        assert "Welcome" in screen_text(app)
    [row] = kiosk.log_rows()
    assert row.kind.value == "entry" and row.session_id in ("", None)
