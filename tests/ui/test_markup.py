"""Names, notes, config values and errors are shown as typed, brackets and all (issue 17.2).

Rich/Textual markup read any text with brackets as styles and links: the sync panel lost
"[sync]" from its own sentence, a name "[/b]" stopped the desk. Every such text is Content
or Text from the start; these tests put markup-like text in every field a screen shows.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content
from textual.widgets import Input

from kiosk.core.model import Lang, Registration, Session
from kiosk.ui.i18n import drawable
from kiosk.ui.ports import SyncView
from kiosk.ui.screens.common import PromptScreen, plain, rich_lines, with_data
from kiosk.ui.screens.dashboard import DashboardScreen
from kiosk.ui.screens.panels import PrinterScreen, SyncScreen
from tests.conftest import EVENT, SESSIONS
from tests.ui.conftest import drawn, wait_for
from tests.ui.test_staff import open_detail, sign_in

FIRST, LAST = "[b]Anne[sync]", "[/]Roy[@click=app.quit]"
ORG = "[i]Acme[/i] [link=http://x]"
EMAIL = "a[b]@x.example"


# -- the kind: any text, through the helpers every screen uses --------------------------

_TOKENS = [*"[]/@=$\\ab :.", "[b]", "[/]", "[sync]", "$y", "\\[", "[@click=app.quit]"]
markupish = st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join)


@given(markupish, st.lists(st.sampled_from([*_TOKENS, "$x"]), max_size=12).map("".join))
def test_with_data_shows_template_and_data_as_written(template, data):
    shown = with_data(template + " $x", x=data)
    assert shown.plain == drawable(template) + " " + drawable(data)


@given(st.lists(markupish, max_size=4), st.sampled_from(list(Lang)))
def test_rich_lines_show_plain_strings_as_written(lines, lang):
    shown = rich_lines(list(lines), lang, 0)
    if lang is Lang.AR:  # no Arabic letters: nothing to shape
        assert [line.strip() for line in shown.plain.split("\n")] == [
            drawable(line).strip() for line in lines
        ] or not lines
    else:
        assert shown.plain == "\n".join(drawable(line) for line in lines)


def test_plain_keeps_a_style_without_reading_the_text():
    bold = plain("[/b] [sync]", "bold")
    assert bold.plain == "[/b] [sync]" and isinstance(bold, Content)
    assert with_data("$a and $b", a=bold, b="[/]").plain == "[/b] [sync] and [/]"


# -- the case, on every screen ----------------------------------------------------------

pytestmark = pytest.mark.anyio


def _kiosk(make_kiosk, **extra):
    kiosk = make_kiosk(**extra)
    store = kiosk.runtime.store
    reg = Registration(
        "RM", FIRST, LAST, codes=("CODE-MARKUP",), organisation=ORG, email=EMAIL, lang=Lang.EN
    )
    store.upsert_registrations([reg])
    odd = Session(
        "S[b]", "[b]Smart[/b] grids [sync]", "[/]Room", 1,
        datetime(2026, 12, 8, 14, 0, tzinfo=SESSIONS[0].start.tzinfo),
        datetime(2026, 12, 8, 15, 0, tzinfo=SESSIONS[0].start.tzinfo), 10,
    )  # fmt: skip
    store.save_event(EVENT, [*SESSIONS, odd])
    return kiosk


async def test_desk_and_detail_show_markup_like_names_as_typed(make_kiosk):
    app = _kiosk(make_kiosk).app(staff_language="en")
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot, app, initials="[/]")
        await wait_for(pilot, lambda: "signed in as [/] (steward)" in drawn(app), 10)
        await open_detail(pilot, app, "anne")
        # What is drawn follows the widgets by a frame: wait for it, boundedly.
        await wait_for(pilot, lambda: all(t in drawn(app) for t in (FIRST, LAST, ORG, EMAIL)), 10)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one("#answer", Input).value = "[@click=app.quit]"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Badge name: [@click=app.quit]" in drawn(app), 10)
        assert app.is_running  # the "link" was text, not an action


async def test_sync_panel_shows_config_keys_and_errors_in_brackets(make_kiosk):
    app = _kiosk(make_kiosk).app(staff_language="en")
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
        await wait_for(pilot, lambda: '([sync] source = "none")' in drawn(app), 10)
        screen = app.screen
        screen._state(SyncView(True, last_error="hub said [b]no[/] at [@click=app.quit]"))
        error = "Last error: hub said [b]no[/] at [@click=app.quit]"
        await wait_for(pilot, lambda: error in drawn(app), 10)


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_sync_panel_names_the_config_key_in_every_language(make_kiosk, lang):
    app = _kiosk(make_kiosk).app(staff_language=lang)
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f4")
        await wait_for(pilot, lambda: '[sync] source = "none"' in drawn(app), 10)


async def test_printer_panel_and_dashboard_show_names_and_titles_as_typed(make_kiosk):
    kiosk = _kiosk(make_kiosk)
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot, app)
        await open_detail(pilot, app, "anne")
        await pilot.press("c")
        await wait_for(pilot, lambda: kiosk.runtime.store.count_scans() == 1, 10)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, PrinterScreen))
        await wait_for(pilot, lambda: f"{FIRST} {LAST}" in drawn(app), 10)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: "[b]Smart[/b] grids [sync]" in drawn(app), 10)
        assert "[/]Room" in drawn(app)


async def test_notifications_show_errors_as_written(make_kiosk):
    app = _kiosk(make_kiosk).app(staff_language="en")
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await sign_in(pilot, app)
        app.report_error("sync", RuntimeError("[b]boom[/] [@click=app.quit]"))
        await wait_for(pilot, lambda: "sync: [b]boom[/] [@click=app.quit]" in drawn(app), 10)


async def test_door_shows_a_session_title_as_typed(make_kiosk):
    app = _kiosk(make_kiosk).app(mode="door", session="S[b]", staff_language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "[b]Smart[/b] grids [sync] — [/]Room" in drawn(app), 10)
