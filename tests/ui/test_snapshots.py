"""Snapshots of the main screens (SVG under __snapshots__/); --snapshot-update to accept."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.ui.conftest import wait_for

NO_PRINTER = {"printer": {"kind": "none"}}
SIZE = (100, 30)


def _kiosk(make_kiosk, **extra):
    return make_kiosk(**{**NO_PRINTER, **extra})


async def _settle(pilot) -> None:
    await wait_for(pilot, lambda: not pilot.app._status_busy)
    await pilot.pause(0.2)


def _typing(*codes: str):
    async def run(pilot) -> None:
        await _settle(pilot)
        for code in codes:
            before = len(pilot.app.sounds)
            await pilot.press(*code, "enter")
            await wait_for(pilot, lambda b=before: len(pilot.app.sounds) > b)
        await pilot.pause(0.1)

    return run


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_attendee_ready(make_kiosk, snap_compare, lang):
    app = _kiosk(make_kiosk).app(language=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


@pytest.mark.parametrize(
    ("lang", "code"), [("fr", "CODE-OK-FR"), ("en", "CODE-OK-EN"), ("ar", "CODE-OK-AR")]
)
def test_attendee_welcome(make_kiosk, snap_compare, lang, code):
    app = _kiosk(make_kiosk).app(language=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=_typing(code))


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_attendee_refusal(make_kiosk, snap_compare, lang):
    app = _kiosk(make_kiosk).app(language=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=_typing("NO-SUCH-CODE"))


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_door_near_capacity(make_kiosk, snap_compare, lang):
    app = _kiosk(make_kiosk, door={"amber_at_percent": 50}).app(
        mode="door", session="W1", language=lang, staff_language="en"
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=_typing("CODE-W1-A"))


def test_pin_prompt(make_kiosk, snap_compare):
    app = _kiosk(make_kiosk).app(staff_language="en", language="en")
    assert snap_compare(app, terminal_size=SIZE, press=["f12"], run_before=_settle)


async def _desk(pilot, then: str = "") -> None:
    await _settle(pilot)
    await pilot.press("f12")
    await pilot.press("tab", *"2468")
    await pilot.pause(0.1)
    await pilot.press("enter")
    from kiosk.ui.screens.staff import DeskScreen

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DeskScreen))
    if then == "search":
        pilot.app.screen.query_one("#search", Input).value = "twin"
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#results").row_count == 2)
    elif then:
        await pilot.press(then)
    # A blinking cursor is drawn or not depending on the machine's load: keep it drawn.
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause(0.5)


def test_staff_desk_search(make_kiosk, snap_compare):
    app = _kiosk(make_kiosk).app(staff_language="en", language="en")
    assert snap_compare(app, terminal_size=SIZE, run_before=lambda p: _desk(p, "search"))


def test_walkin_form(make_kiosk, snap_compare):
    app = _kiosk(make_kiosk).app(staff_language="en", language="en")
    assert snap_compare(app, terminal_size=(100, 36), run_before=lambda p: _desk(p, "f2"))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_staff_desk_search_in(make_kiosk, snap_compare, lang):
    app = _kiosk(make_kiosk).app(staff_language=lang, language="en")
    assert snap_compare(app, terminal_size=SIZE, run_before=lambda p: _desk(p, "search"))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_walkin_errors_in(make_kiosk, snap_compare, lang):
    async def errors(pilot) -> None:
        await _desk(pilot, "f2")
        pilot.app.screen.query_one("#email", Input).value = "not-an-email"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)

    app = _kiosk(make_kiosk).app(staff_language=lang, language="en")
    assert snap_compare(app, terminal_size=(100, 36), run_before=errors)


def test_dashboard_empty(make_kiosk, snap_compare):
    app = _kiosk(make_kiosk).app(staff_language="en", language="en")
    assert snap_compare(app, terminal_size=(100, 36), run_before=lambda p: _desk(p, "f5"))
