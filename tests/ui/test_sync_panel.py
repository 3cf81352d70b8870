"""The staff sync panel shows the entries pretix would have refused (issue 15)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.ui.screens.panels import SyncScreen
from tests.ui.conftest import screen_text, wait_for
from tests.ui.test_staff import sign_in

pytestmark = pytest.mark.anyio


async def test_sync_panel_lists_pretix_refusals_in_local_time(make_kiosk):
    kiosk = make_kiosk()
    at = datetime(2026, 12, 8, 8, 5, tzinfo=UTC)
    kiosk.runtime.store.add_sync_conflicts(
        [
            {
                "registration_id": "R7",
                "day": 1,
                "first_nonce": "n-7",
                "first_kiosk": "kiosk-1",
                "first_at": at.isoformat(),
                "second_nonce": "pretix-refused-n-7",
                "second_kiosk": "pretix",
                "second_at": at.isoformat(),
                "pretix_reason": "canceled",
                "reason": "cancelled",
                "detail": "This order position has been canceled.",
            },
            {"registration_id": "R8", "first_nonce": "a", "second_nonce": "b"},  # two doors
        ]
    )
    app = kiosk.app(staff_language="en")
    local = at.astimezone(kiosk.runtime.clock.now().tzinfo).strftime("%H:%M")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f4")
        assert isinstance(app.screen, SyncScreen)
        await wait_for(pilot, lambda: "pretix would have refused: 1" in screen_text(app))
        text = screen_text(app)
        assert f"{local} R7: canceled" in text and "R8" not in text


PRETIX = {
    "source": "pretix",
    "url": "http://127.0.0.1:9",  # nothing listens: the test needs no pretix, only its lists
    "pretix_organizer": "smartcity",
    "pretix_event": "sccs",
    "pretix_checkin_list": 1,
    "pretix_token": "t",
    "interval_seconds": 3600.0,
}


async def test_desk_asks_pretix_checkin_questions_and_uploads_the_answers(make_kiosk):
    import json

    from kiosk.core.checkin_list import CheckinList, TicketFacts
    from kiosk.core.questions import CheckinQuestion
    from kiosk.ui.screens.common import PromptScreen
    from tests.ui.test_staff import open_detail

    kiosk = make_kiosk(sync=PRETIX)
    store = kiosk.runtime.store
    question = CheckinQuestion(5, "ID checked?", "B", required=True)
    facts = TicketFacts(item=1, attention=True, questions=(question,))
    store.apply_pull("pretix", [], [], None, lists={"": CheckinList(1)}, facts={"R1": facts})
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        detail = await open_detail(pilot, app, "helene")
        assert "Ask : ID checked?" in screen_text(app) and "ATTENTION" in screen_text(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert "ID checked?" in screen_text(app)
        for key in ("n", "o", "enter"):  # pretix takes only yes to a required yes/no
            await pilot.press(key)
        await wait_for(pilot, lambda: "only yes" in screen_text(app))
        await pilot.press("ctrl+a", "ctrl+k")
        for key in ("y", "e", "s", "enter"):
            await pilot.press(key)
        await wait_for(pilot, lambda: app.screen is detail and store.count_scans() == 1)
    [item] = store.pending()
    assert json.loads(item.payload)["answers"] == [["5", "true"]]
