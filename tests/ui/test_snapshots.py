"""Snapshots of every screen in fr, en and ar at 80×24 and 160×48 (SVG under __snapshots__/).

The clock is fixed (a morning of day 1) and nothing drawn depends on chance, so the
pictures only change when words or layout do. After such a change, redraw them with
``make snapshots`` (``pytest tests/ui/test_snapshots.py --snapshot-update``) and look at
the report before committing.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import Input

from tests.conftest import TZ, FixedClock
from tests.ui.conftest import wait_for

NO_PRINTER = {"printer": {"kind": "none"}}
MORNING = datetime(2026, 12, 8, 9, 41, 0, tzinfo=TZ)  # day 1 of the test event
SIZES = {"80x24": (80, 24), "160x48": (160, 48)}
LANGS = ["fr", "en", "ar"]
WELCOME = {"fr": "CODE-OK-FR", "en": "CODE-OK-EN", "ar": "CODE-OK-AR"}


async def _settle(pilot) -> None:
    await wait_for(pilot, lambda: not pilot.app._status_busy, 10)
    await pilot.pause(0.2)


async def _steady(pilot) -> None:
    # A blinking cursor is drawn or not depending on the machine's load: keep it drawn.
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause(0.4)


def _typing(code: str):
    async def run(pilot) -> None:
        await _settle(pilot)
        before = len(pilot.app.sounds)
        await pilot.press(*code, "enter")
        await wait_for(pilot, lambda: len(pilot.app.sounds) > before, 10)
        await pilot.pause(0.2)

    return run


async def _desk(pilot) -> None:
    from kiosk.ui.screens.staff import DeskScreen

    await _settle(pilot)
    await pilot.press("f12")
    pilot.app.screen.query_one("#initials", Input).value = "AB"
    await pilot.press("tab", *"2468")
    await pilot.pause(0.1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DeskScreen), 10)


def _staff(then: str):
    async def run(pilot) -> None:
        await _desk(pilot)
        screen = pilot.app.screen
        if then == "search":
            search = screen.query_one("#search", Input)

            def found() -> bool:
                if search.value != "twin":  # the desk clears its box once it is shown
                    search.value = "twin"
                search.cursor_position = len(search.value)  # as if typed
                return bool(screen.query_one("#results").row_count == 2)

            await wait_for(pilot, found, 10)
        elif then == "detail":
            screen.open("R1")
            await wait_for(pilot, lambda: getattr(pilot.app.screen, "record", None), 10)
        elif then:
            await pilot.press(then)
            await pilot.pause(0.5)
        await _steady(pilot)

    return run


SCREENS = {
    "attendee-idle": (_settle, {}),
    "attendee-welcome": (None, {}),
    "attendee-refused": (_typing("NO-SUCH-CODE"), {}),
    "pin": (None, {}),
    "staff-search": (_staff("search"), {}),
    "detail": (_staff("detail"), {}),
    "walkin": (_staff("f2"), {}),
    "printer": (_staff("f3"), {}),
    "sync": (_staff("f4"), {}),
    "dashboard": (_staff("f5"), {}),
    "door": (_typing("CODE-W1-A"), {"mode": "door", "session": "W1"}),
}


async def _pin(pilot) -> None:
    await _settle(pilot)
    await pilot.press("f12")
    await _steady(pilot)


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGS)
def test_screen(make_kiosk, snap_compare, lang, size, screen):
    kiosk = make_kiosk(clock=FixedClock(MORNING), **NO_PRINTER)
    if screen in ("detail", "dashboard"):  # something to show: one check-in
        kiosk.runtime.checkin.check_in_by_hand("R1", "AB (steward)", {})
    run, options = SCREENS[screen]
    if screen == "attendee-welcome":
        run = _typing(WELCOME[lang])
    elif screen == "pin":
        run = _pin
    app = kiosk.app(staff_language=lang, language=lang, **options)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run)
