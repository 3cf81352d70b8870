"""Issue 17, item 1: no English in French staff screens, each case a new steward saw.

Each test drives the real app (Pilot) in French and looks for the French words and for
the English ones that used to leak: the undo message, the reprint note, the staff role,
the role beside the name, the yes/no keys, the door's key hint.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from kiosk.core.model import Registration
from kiosk.ui.screens.common import ConfirmScreen
from kiosk.ui.screens.door import DoorScreen
from tests.ui.conftest import screen_text, wait_for
from tests.ui.test_staff import _fields, open_detail, sign_in

pytestmark = pytest.mark.anyio


async def test_undo_says_what_it_took_back_in_french(make_kiosk):
    """Was "Annulé : undo entry of 20:55." (the log's English note)."""
    kiosk = make_kiosk()
    store = kiosk.runtime.store
    app = kiosk.app(staff_language="fr")
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot, app, initials="NC")
        await open_detail(pilot, app, "helene")
        await pilot.press("c")
        await wait_for(pilot, lambda: len(store.scans()) == 1, seconds=20)
        accepted = store.scans()[-1]
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), seconds=20)
        await pilot.press("o")  # "oui": the French yes key works as Y does
        await wait_for(pilot, lambda: len(store.scans()) == 2, seconds=20)
        assert store.scans()[-1].note.startswith("undo ")  # the log keeps its code
        when = f"{accepted.at.astimezone(kiosk.runtime.clock.now().tzinfo):%H:%M}"
        await wait_for(pilot, lambda: f"Annulé : entrée de {when}." in screen_text(app), 20)
        assert "undo entry" not in screen_text(app)
        table = app.screen.query_one("#scans", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, seconds=20)
        notes = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert notes == [f"NC (agent d'accueil) entrée de {when}", "NC (agent d'accueil) à la main"]


async def test_reprint_note_and_role_in_french(make_kiosk):
    """Was "Note : Badge of … already printed 1 time" and "(speaker)" beside "intervenant"."""
    kiosk = make_kiosk()
    store = kiosk.runtime.store
    reg = store.get("R2")  # John Smith, a speaker
    store.upsert_registrations([Registration(**{**_fields(reg), "print_count": 1})])
    app = kiosk.app(staff_language="fr")
    async with app.run_test(size=(160, 48)) as pilot:
        await sign_in(pilot, app)
        await open_detail(pilot, app, "john smith")
        await wait_for(pilot, lambda: "intervenant" in screen_text(app), seconds=20)
        assert "(intervenant)" in screen_text(app) and "speaker" not in screen_text(app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), seconds=20)
        question = str(app.screen.query_one("#question").render())
        assert "imprimé 1 fois pour cette personne" in question.replace("\n", " ")
        await pilot.press("o")
        await wait_for(pilot, lambda: "Réimpression en file" in screen_text(app), seconds=20)
        text = screen_text(app)
        assert "déjà imprimé 1 fois" in text and "impression n° 2" in text
        assert "already printed" not in text and "Badge of" not in text


async def test_confirm_help_names_the_french_yes_key(make_kiosk):
    """Was "Y / Entrée : oui": O for "oui" is shown, and works (see the undo test)."""
    app = make_kiosk().app(staff_language="fr")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await open_detail(pilot, app, "helene")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), seconds=20)
        assert "O ou Y / Entrée : oui" in screen_text(app)


async def test_door_hint_in_the_screen_language(make_kiosk):
    """Was "F1/F2/F3 language · F12 staff" under French words; it follows F1/F2/F3."""
    kiosk = make_kiosk(kiosk={"mode": "door"})
    app = kiosk.app(staff_language="fr", session="W1", language="fr")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DoorScreen), seconds=20)
        await pilot.press("f1")
        await wait_for(pilot, lambda: "F1/F2/F3 langue · F12 équipe" in screen_text(app), 20)
        await pilot.press("f2")
        await wait_for(pilot, lambda: "F1/F2/F3 language · F12 staff" in screen_text(app), 20)
