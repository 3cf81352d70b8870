"""The staff PIN prompt: a failed check says what to do, the lockout counts down in memory."""

from __future__ import annotations

import pytest

from kiosk.ui.screens.pin import PinScreen
from tests.ui.conftest import OnUiThread, wait_for
from tests.ui.test_attendee import type_text

pytestmark = pytest.mark.anyio


def message(app) -> str:
    return str(app.screen.query_one("#pin-message").render())


async def test_a_sign_in_that_cannot_be_checked_tells_staff_what_to_do(make_kiosk, tmp_path):
    kiosk = make_kiosk()
    app = kiosk.app(staff_language="en", language="en")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    # The lockout file cannot be read or written: the check fails in its worker.
    app.services.staff_auth.state_path = blocker / "staff-lockout.json"
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f12", "tab")
        await type_text(pilot, "2468")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Checking" not in message(app))
        assert "Sign-in failed: tell a supervisor" in message(app)
        assert app.sounds == ["refused"]
        assert isinstance(app.screen, PinScreen) and app.staff is None
        assert app.errors and all("scrypt" not in e for e in app.errors)


async def test_lockout_countdown_never_reads_the_lockout_file_on_the_ui_thread(make_kiosk):
    kiosk = make_kiosk(staff={"max_attempts": 1, "lockout_seconds": 2.0})
    app = kiosk.app(staff_language="en", language="en")
    auth = OnUiThread(app.services.staff_auth, "locked_for", "attempt")
    app.services.staff_auth = auth
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f12", "tab")
        await type_text(pilot, "0000")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Locked" in message(app))
        assert not app.screen.query_one("#pin").disabled  # the supervisor PIN still works
        await wait_for(pilot, lambda: "Locked for 1 s" in message(app), 3)
        await wait_for(pilot, lambda: "You can try again" in message(app), 4)
    assert auth.on_ui() == []
    assert [name for name, _ in auth.calls].count("locked_for") == 1  # once, at mount
