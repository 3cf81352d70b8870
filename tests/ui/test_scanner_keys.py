"""Key events at scanner speed through the real app: every suffix, bursts vs people, leftovers.

USB scanners type a code in a few milliseconds per key and end it with CR, LF, CR LF, Tab or
nothing; the keys are queued all at once, the way a terminal's input reader delivers them,
and stamped with their arrival times. People type 120 ms apart.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from kiosk.core.intake import typed_as
from kiosk.ui.screens.pin import PinScreen
from kiosk.ui.screens.staff import DeskScreen
from tests.ui.conftest import HUMAN_GAP, SCANNER_GAP, screen_text, send_keys, wait_for

pytestmark = pytest.mark.anyio


def typed_line(app) -> str:
    return str(app.screen.query_one("#typed").render())


async def checked(pilot, app, kiosk, count: int) -> None:
    """Wait (generously: the machine may be loaded) until ``count`` scans are logged."""
    await wait_for(pilot, lambda: len(kiosk.log_rows()) >= count and len(app.sounds) >= count, 15)


@pytest.mark.parametrize(
    "suffix", ["\r", "\n", "\r\n", "\t", ""], ids=["CR", "LF", "CRLF", "Tab", "none"]
)
async def test_each_scanner_suffix_ends_a_scan(make_kiosk, suffix):
    kiosk = make_kiosk()
    app = kiosk.app(language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await send_keys(pilot, "CODE-OK-EN" + suffix, SCANNER_GAP)
        await checked(pilot, app, kiosk, 1)
        assert "Welcome, John Smith" in screen_text(app)
        await wait_for(pilot, lambda: typed_line(app) == "", 5)
        await pilot.pause(0.3)  # the LF of CR LF, or a late quiet-gap timer, adds nothing
    assert [(r.code, r.accepted) for r in kiosk.log_rows()] == [("CODE-OK-EN", True)]


@pytest.mark.parametrize("suffix", ["\r", "\t", "\r\n"], ids=["CR", "Tab", "CRLF"])
async def test_two_scans_back_to_back_are_two_check_ins(make_kiosk, suffix):
    kiosk = make_kiosk()
    app = kiosk.app(language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await send_keys(pilot, f"CODE-OK-FR{suffix}CODE-OK-EN{suffix}", SCANNER_GAP)
        await checked(pilot, app, kiosk, 2)
        await pilot.pause(0.3)
    assert sorted(r.registration_id for r in kiosk.log_rows()) == ["R1", "R2"]
    assert all(r.accepted for r in kiosk.log_rows())


async def test_a_scan_then_a_person_typing_each_check_their_own_code(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app(language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await send_keys(pilot, "CODE-OK-FR\r", SCANNER_GAP)
        await checked(pilot, app, kiosk, 1)
        await send_keys(pilot, "CODE-OK-EN", HUMAN_GAP)
        await wait_for(pilot, lambda: typed_line(app).endswith("CODE-OK-EN"), 5)
        await pilot.pause(0.3)  # slower than a scanner: the silence does not end it
        assert len(kiosk.log_rows()) == 1
        await send_keys(pilot, "\r", HUMAN_GAP)
        await checked(pilot, app, kiosk, 2)
    assert [(r.code, r.accepted) for r in kiosk.log_rows()] == [
        ("CODE-OK-FR", True),
        ("CODE-OK-EN", True),
    ]


async def test_no_leftover_is_glued_to_the_next_code(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app(language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await send_keys(pilot, "xy", HUMAN_GAP)  # someone fiddled with the keyboard
        await pilot.pause(0.3)
        assert typed_line(app).endswith("xy")
        await send_keys(pilot, "CODE-OK-FR\r", SCANNER_GAP)
        await checked(pilot, app, kiosk, 1)
        assert typed_line(app) == ""  # the scan took the whole line with it
        await send_keys(pilot, "\r", HUMAN_GAP)  # a stray Enter checks nothing
        await pilot.pause(0.2)
        assert len(kiosk.log_rows()) == 1
        await send_keys(pilot, "CODE-OK-EN\r", HUMAN_GAP)
        await checked(pilot, app, kiosk, 2)
    assert [r.code for r in kiosk.log_rows()] == ["CODE-OK-FR", "CODE-OK-EN"]


async def test_a_pasted_code_leaves_nothing_on_the_line(make_kiosk):
    from textual import events

    kiosk = make_kiosk()
    app = kiosk.app(language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        app.screen.post_message(events.Paste("CODE-OK-EN\n"))
        await checked(pilot, app, kiosk, 1)
        await send_keys(pilot, "\r", HUMAN_GAP)
        await send_keys(pilot, "CODE-OK-FR\r", HUMAN_GAP)
        await checked(pilot, app, kiosk, 2)
        assert typed_line(app) == ""
    assert [r.code for r in kiosk.log_rows()] == ["CODE-OK-EN", "CODE-OK-FR"]


async def test_a_us_scanner_on_an_azerty_pc_checks_in_and_staff_are_told(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app(language="en", staff_language="en")
    shown = typed_as("CODE-OK-EN", "us", "azerty")
    assert shown == "CODE)OK)EN"
    async with app.run_test(size=(120, 32)) as pilot:
        await send_keys(pilot, shown + "\r", SCANNER_GAP)
        await checked(pilot, app, kiosk, 1)
        assert "Welcome, John Smith" in screen_text(app)
        alert = app.screen.query_one("#staff-alert")
        assert alert.display
        assert "scanner keyboard layout: set it to French (AZERTY)" in str(alert.render())
    (row,) = kiosk.log_rows()
    assert row.code == "CODE-OK-EN" and row.accepted and repr(shown) in row.note


async def test_sign_in_focus_goes_initials_then_pin_and_a_fast_pin_is_accepted(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, PinScreen))
        initials, pin = (
            app.screen.query_one("#initials", Input),
            app.screen.query_one("#pin", Input),
        )
        assert initials.has_focus
        await send_keys(pilot, "2468", HUMAN_GAP)  # the PIN in the wrong field: never a name
        assert initials.value == ""
        await send_keys(pilot, "HB\t", HUMAN_GAP)
        assert pin.has_focus and initials.value == "HB"
        assert pin.password  # drawn as dots, never in clear
        await send_keys(pilot, "2468\r", 0.02)  # faster than the scanner threshold (35 ms)
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen), 15)
        assert app.staff is not None and app.staff.name == "HB"
        assert app.staff.role.value == "steward"
        assert "2468" not in app.staff.who


async def test_keys_typed_on_the_pin_prompt_never_reach_the_code_line(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app(language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await send_keys(pilot, "CODE-", HUMAN_GAP)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, PinScreen))
        await send_keys(pilot, "HB", HUMAN_GAP)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PinScreen))
        assert typed_line(app) == ""
        await send_keys(pilot, "CODE-OK-EN\r", HUMAN_GAP)
        await checked(pilot, app, kiosk, 1)
    assert [(r.code, r.accepted) for r in kiosk.log_rows()] == [("CODE-OK-EN", True)]
