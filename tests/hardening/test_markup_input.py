"""The hostile attendee's text: Rich/Textual markup and terminal escapes as a name, an
organisation, a typed code.

A registration named ``[/b]Mallory`` (pretix and walk-in forms take any name) stopped the
help desk with MarkupError as soon as staff searched for it, opened it, looked at the
printer queue or the dashboard; an attendee who typed ``[/`` at the attendee screen
stopped the kiosk. Data is shown as typed, everywhere: it is never markup.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from textual.content import Content
from textual.widgets import DataTable

from kiosk.core.model import Lang, Registration
from kiosk.core.ports import PrintRequest
from kiosk.ui.screens.common import cell, plain, rich_lines, with_data
from kiosk.ui.screens.detail import DetailScreen
from kiosk.ui.screens.panels import PrinterScreen
from tests.ui.conftest import (  # noqa: F401  (fixtures)
    EVENT,
    SESSIONS,
    anyio_backend,
    make_kiosk,
    screen_text,
    wait_for,
)
from tests.ui.test_attendee import type_text
from tests.ui.test_staff import search, sign_in

FIRST, LAST, ORG = "[/b]Mallory[link=x]", "[/]Evil", "[@click=app.quit]Org[/]"
HOSTILE = Registration(
    "RX", FIRST, LAST, codes=("EVIL-CODE",), organisation=ORG, email="[/i]@x.example",
    lang=Lang.EN, badge_name="[b]",
)  # fmt: skip


def hostile_kiosk(make_kiosk):  # noqa: F811
    kiosk = make_kiosk()
    kiosk.runtime.store.upsert_registrations([HOSTILE])
    return kiosk


@pytest.mark.anyio
async def test_a_name_made_of_markup_is_found_and_shown_as_typed_at_the_desk(make_kiosk):  # noqa: F811
    app = hostile_kiosk(make_kiosk).app(staff_language="en")
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in(pilot, app)
        table = await search(pilot, app, "mallory")
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.pause(0.2)  # drawn
        assert app.is_running
        assert str(table.get_row_at(0)[0]) == f"{FIRST} {LAST} [[b]]"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        await wait_for(pilot, lambda: app.screen.record is not None)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert f"{FIRST} {LAST}" in text and ORG in text and "[/i]@x.example" in text, text


@pytest.mark.anyio
async def test_the_printer_queue_and_dashboard_show_a_markup_name(make_kiosk):  # noqa: F811
    kiosk = hostile_kiosk(make_kiosk)
    kiosk.runtime.store.queue_print(PrintRequest("RX"))
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f3")
        assert isinstance(app.screen, PrinterScreen)
        table = app.screen.query_one("#jobs", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.pause(0.2)
        assert app.is_running
        assert str(table.get_row_at(0)[1]) == f"{FIRST} {LAST}"
        await pilot.press("escape", "f5")
        await pilot.pause(0.5)
        assert app.is_running


@pytest.mark.anyio
async def test_a_markup_event_name_on_the_locked_staff_screen(make_kiosk):  # noqa: F811
    from kiosk.ui.screens.staff import StaffLockScreen

    kiosk = make_kiosk()
    kiosk.runtime.store.save_event(dataclasses.replace(EVENT, name="[/]Evil Event"), SESSIONS)
    app = kiosk.app(staff_language="en", mode="staff")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, StaffLockScreen))
        await pilot.pause(0.2)
        assert app.is_running and "[/]Evil Event" in screen_text(app)


@pytest.mark.anyio
async def test_typing_markup_at_the_attendee_screen_does_not_stop_the_kiosk(make_kiosk):  # noqa: F811
    app = make_kiosk().app()
    async with app.run_test(size=(100, 32)) as pilot:
        await type_text(pilot, "[/x]")
        await pilot.pause(0.2)
        assert app.is_running


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("[]/\\=@$ab#. \u0644\x1b"), max_size=30))
def test_data_in_a_line_is_shown_exactly_as_typed(text):
    """The kind: whatever a name holds, the line shows it and our own styles stay."""
    from kiosk.ui.i18n import drawable

    line = with_data("$data end", data=plain(text, "bold"))
    assert line.plain == f"{drawable(text)} end"
    assert bool(line.spans) == bool(drawable(text)) and cell(text).plain == drawable(text)
    shown = rich_lines([plain("head", "bold"), line, text], Lang.EN)
    assert isinstance(shown, Content)
    assert shown.plain == f"head\n{drawable(text)} end\n{drawable(text)}"


ESCAPES = "\x1b]52;c;aGk=\x1b\\Mallory\x1b[2J\x9b31m\x07"


@pytest.mark.anyio
async def test_an_organisation_with_terminal_escapes_reaches_the_screen_as_pictures(make_kiosk):  # noqa: F811
    """Names are cleaned by the model, but organisations, e-mails, notes, kiosk names and
    errors pulled from a hub or pretix are not; Rich passes ESC and C1 straight to the
    terminal (an OSC 52 sets the kiosk's clipboard, a CSI clears the screen)."""
    kiosk = make_kiosk()
    kiosk.runtime.store.upsert_registrations(
        [
            Registration(
                "RE", "Eve", "Doe", codes=("ESC-CODE",), organisation=ESCAPES,
                email=f"eve{ESCAPES}@x.example", lang=Lang.EN,
            )
        ]
    )  # fmt: skip
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in(pilot, app)
        table = await search(pilot, app, "eve doe")
        await wait_for(pilot, lambda: table.row_count == 1)
        organisation = str(table.get_row_at(0)[1])
        assert "Mallory" in organisation and "\x1b" not in organisation, repr(organisation)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        await wait_for(pilot, lambda: app.screen.record is not None)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "eve" in text and "Mallory" in text, text
        assert not {"\x1b", "\x9b", "\x07"} & set(text), repr(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
@example("\u0600\U00012544")  # a code point Python's Unicode 14 does not know: bidi asserted
def test_nothing_drawn_holds_a_control_a_terminal_acts_on(text):
    import unicodedata

    from kiosk.ui.i18n import drawable, visual, visual_lines

    def controls(s: str) -> set[str]:
        return {c for c in s if unicodedata.category(c) == "Cc" and c != "\n"}

    assert not controls(drawable(text)) and not controls(visual(text))
    assert not controls("".join(visual_lines(text, 20)))
    assert not controls(cell(text).plain) and not controls(with_data("$x", x=text).plain)


@pytest.mark.anyio
@pytest.mark.parametrize("typed", ["[/x]", "[link=http:", "[@click=app.quit]q"])
async def test_typing_markup_at_a_session_door_does_not_stop_it(make_kiosk, typed):  # noqa: F811
    app = make_kiosk().app(mode="door", session="W1", language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await type_text(pilot, typed)
        await pilot.pause(0.2)
        assert app.is_running
        assert typed in str(app.screen.query_one("#typed").render())


@pytest.mark.anyio
@pytest.mark.parametrize("what", ["kiosk name", "event name"])
async def test_a_markup_kiosk_or_event_name_does_not_stop_the_attendee_screen(make_kiosk, what):  # noqa: F811
    kiosk = make_kiosk(kiosk={"name": "Salle [/x]"}) if what == "kiosk name" else make_kiosk()
    if what == "event name":
        kiosk.runtime.store.save_event(dataclasses.replace(EVENT, name="[/]Evil"), SESSIONS)
    app = kiosk.app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.3)
        assert app.is_running
