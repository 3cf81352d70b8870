"""Attendee kiosk flows through the Pilot, on the real app built by Runtime.build_app."""

from __future__ import annotations

import pytest

from tests.ui.conftest import screen_text, wait_for

pytestmark = pytest.mark.anyio


async def type_code(pilot, code: str) -> None:
    for ch in code:
        await pilot.press(ch if ch != " " else "space")
    await pilot.press("enter")


async def test_valid_code_welcomes_in_the_attendees_language(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app()
    async with app.run_test(size=(100, 32)) as pilot:
        await type_code(pilot, "CODE-OK-FR")
        await wait_for(pilot, lambda: app.last_verdict is not None)
        text = screen_text(app)
        assert "Bienvenue, Hélène Dupont" in text
    rows = kiosk.log_rows()
    assert len(rows) == 1 and rows[0].accepted and rows[0].registration_id == "R1"
