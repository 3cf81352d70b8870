"""Every screen laid out from 80×24 to large kiosk screens (issue 17.4).

At 120 columns the attendee detail drew its scans and print-jobs tables into each other
and the footer lost its last keys. Here every screen, at 80×24, 120×40, 160×48 and 240×67: no
widget is drawn over another, every key of the screen is shown whole at the bottom, and
from 120 columns up the detail's tables show every column without scrolling.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from kiosk.ui.screens.detail import DetailScreen
from tests.ui.conftest import wait_for
from tests.ui.layout_check import footer_cut, overlaps
from tests.ui.test_staff import open_detail, sign_in

pytestmark = pytest.mark.anyio

SIZES = [(80, 24), (120, 40), (160, 48), (240, 67)]
STAFF = ["desk", "detail", "f2", "f3", "f4", "f5", "f6"]


async def _open(pilot, app, where: str) -> None:
    if where == "attendee":
        return
    if where == "pin":
        await pilot.press("f12")
        return
    await sign_in(pilot, app)
    if where == "detail":
        await open_detail(pilot, app, "helene")
        await pilot.press("c")  # a scan and a print job in the tables
        await wait_for(pilot, lambda: app.screen.query_one("#prints", DataTable).row_count, 10)
    elif where != "desk":
        await pilot.press(where)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("where", ["attendee", "pin", *STAFF])
@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_nothing_overlaps_and_every_key_shows(make_kiosk, size, where, lang):
    app = make_kiosk().app(staff_language=lang, language=lang)
    async with app.run_test(size=size) as pilot:
        await _open(pilot, app, where)
        await pilot.pause(0.3)
        # Attendee screens show no keys; the PIN box and the session list are dialogs.
        keys = where in STAFF and where != "f6"
        await wait_for(pilot, lambda: not overlaps(app) and not footer_cut(app, keys), 5)


@pytest.mark.parametrize("size", SIZES[1:], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_detail_tables_show_every_column_from_120_columns(make_kiosk, size):
    app = make_kiosk().app(staff_language="fr")
    async with app.run_test(size=size) as pilot:
        await _open(pilot, app, "detail")
        assert isinstance(app.screen, DetailScreen)

        def whole() -> bool:
            tables = app.screen.query(DataTable)
            return all(t.virtual_size.width <= t.scrollable_content_region.width for t in tables)

        await wait_for(pilot, whole, 5)
