"""The attendee detail follows every change while it is open (issue 17.3).

It read the attendee once, after the action: a badge printed a moment later still said
"printed 0 times" and "printing" until staff reopened it. The print queue now reports each
change of a job or printer to the app, and the detail reads again on each.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable

from tests.ui.conftest import screen_text, wait_for
from tests.ui.test_staff import open_detail, sign_in

pytestmark = pytest.mark.anyio


def _print_states(app) -> list[str]:
    table = app.screen.query_one("#prints", DataTable)
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


async def test_detail_shows_the_badge_printed_after_a_check_in_by_hand(make_kiosk):
    kiosk = make_kiosk()
    store = kiosk.runtime.store
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot, app)
        detail = await open_detail(pilot, app, "helene")
        assert "printed 0 times" in screen_text(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: store.get("R1").print_count == 1, 20)
        # No key pressed since: the detail follows the queue by itself.
        await wait_for(pilot, lambda: "printed 1 time" in screen_text(app), 10)
        await wait_for(pilot, lambda: _print_states(app) == ["done"], 10)
        assert app.screen is detail


async def test_detail_follows_a_reprint_made_elsewhere_and_an_undo(make_kiosk):
    app = make_kiosk().app(staff_language="en")
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot, app)
        await open_detail(pilot, app, "helene")
        await pilot.press("c")
        await wait_for(pilot, lambda: "printed 1 time" in screen_text(app), 20)
        queue = app.services.print_queue
        # Another desk reprints this badge: nothing happens on this screen but the queue.
        await asyncio.to_thread(queue.reprint, "R1", "CD (steward)")
        queue.wake()
        await wait_for(pilot, lambda: "printed 2 times" in screen_text(app), 20)
        await wait_for(pilot, lambda: _print_states(app) == ["done", "done"], 10)
        await pilot.press("u", "y")
        scans = app.screen.query_one("#scans", DataTable)
        await wait_for(pilot, lambda: scans.row_count == 2, 10)
        assert str(scans.get_row_at(0)[2]) == "undo"
