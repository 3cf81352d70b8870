"""Staff screens in French and Arabic: desk, detail, walk-in validation, printer panel, F7."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from kiosk.config import ConfigError, load_config
from kiosk.core.model import Lang
from kiosk.core.ports import PrintRequest
from kiosk.core.texts import staff_text
from kiosk.locale import translator
from kiosk.ui.i18n import has_arabic, ui_text, visual
from kiosk.ui.screens.panels import PrinterScreen
from kiosk.ui.screens.walkin import WalkinScreen
from kiosk.ui.widgets.sentence import Sentence
from tests.ui.conftest import screen_text, wait_for, write_config
from tests.ui.test_staff import open_detail, sign_in

pytestmark = pytest.mark.anyio

SHAPED = range(0xFE70, 0xFF00)  # Arabic presentation forms: letters joined for a terminal


def shaped(text: str) -> bool:
    return any(ord(c) in SHAPED for c in text)


def footer_words(app) -> list[str]:
    return [b.binding.description for b in app.screen.active_bindings.values() if b.binding.show]


def headers(table: DataTable) -> list[str]:
    return [str(c.label) for c in table.columns.values()]


async def test_desk_speaks_french(make_kiosk):
    app = make_kiosk().app(staff_language="fr")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        text = screen_text(app)
        assert "Accueil équipe — connecté : AB (agent d'accueil)" in text
        assert "Tapez au moins 2 lettres" in text
        assert {"Sur place", "Imprimante", "Sortir", "Langue", "Quitter", "Effacer"} <= set(
            footer_words(app)
        )
        assert headers(app.screen.query_one("#results", DataTable))[:3] == [
            "Nom",
            "Organisation",
            "Rôle",
        ]
        for ch in "zzzz":
            await pilot.press(ch)
        await wait_for(pilot, lambda: "Personne trouvé" in screen_text(app))


async def test_desk_speaks_arabic_shaped_for_the_terminal(make_kiosk):
    app = make_kiosk().app(staff_language="ar")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        hint = app.screen.query_one("#hint", Sentence)
        assert hint.text == ui_text("desk.min", Lang.AR, n=2) and hint.rtl
        drawn = str(hint.render())
        assert shaped(drawn) and drawn.strip() != hint.text
        words = footer_words(app)
        assert visual("تسجيل جديد") in words and all(shaped(w) for w in words if has_arabic(w))
        table = app.screen.query_one("#results", DataTable)
        await wait_for(pilot, lambda: visual("الاسم") in headers(table))
        for ch in "dupont":
            await pilot.press(ch)
        await wait_for(pilot, lambda: table.row_count == 1)
        row = table.get_row_at(0)
        assert str(row[2]) == visual("مشارك") and str(row[3]) == visual("مؤكد")


async def test_f7_switches_the_staff_language_and_later_screens_follow(make_kiosk):
    app = make_kiosk().app(staff_language="fr")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f7")
        await wait_for(pilot, lambda: "Staff desk — signed in as" in screen_text(app))
        assert app.staff_language is Lang.EN and "Walk-in" in footer_words(app)
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.staff_language is Lang.AR)
        await pilot.pause(0.1)
        assert visual("اللغة") in footer_words(app)
        await pilot.press("f2")
        assert isinstance(app.screen, WalkinScreen)
        assert visual("تسجيل مشارك جديد") in screen_text(app)
        await pilot.press("escape", "f7")
        await wait_for(pilot, lambda: app.staff_language is Lang.FR)
        assert "Langue" in footer_words(app)


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_attendee_detail_in_the_staff_language(make_kiosk, lang):
    app = make_kiosk().app(staff_language=lang)
    language = Lang(lang)
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        screen = await open_detail(pilot, app, "dupont")
        verdict = app.services.checkin.evaluate_registration(screen.record.registration)
        assert screen.record.today_ok == staff_text(verdict, translator(lang))  # core texts, reused
        who = str(screen.query_one("#who").render())
        summary = ui_text("detail.summary", language, role="", status="", days="", sessions="")
        if language is Lang.FR:
            assert "Rôle participant · statut confirmé" in who
            assert "Nom sur le badge : Hélène Dupont" in who
        else:
            assert shaped(who) and visual(summary.split()[0]) in who
        assert visual(ui_text("key.checkin", language)) in footer_words(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.query_one("#message", Sentence).text)
        message = screen.query_one("#message", Sentence)
        assert message.text.endswith(" " + ui_text("detail.sent", language))
        assert message.rtl is (language is Lang.AR)
        await pilot.press("u")
        question = app.screen.query_one("#question", Sentence)
        assert question.text == ui_text("confirm.undo", language)
        await pilot.press("n")


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_walkin_validation_messages_in_the_staff_language(make_kiosk, lang):
    app = make_kiosk().app(staff_language=lang)
    language = Lang(lang)
    async with app.run_test(size=(100, 36)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f2")
        form = app.screen
        assert isinstance(form, WalkinScreen)
        form.query_one("#email").value = "pas-un-email"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        first = form.query_one("#err-first_name", Sentence)
        email = form.query_one("#err-email", Sentence)
        assert first.text == ui_text("walkin.name_needed", language)
        assert email.text == ui_text("walkin.bad_email", language)
        assert form.query_one("#message", Sentence).text == ui_text("walkin.correct", language)
        if language is Lang.FR:
            assert "Un prénom ou un nom est nécessaire." in str(first.render())
        else:
            assert first.rtl and shaped(str(first.render()))
        assert kiosk_rows(app) == 0  # nothing registered from a bad form


def kiosk_rows(app) -> int:
    return len(app.services.store.scans())


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_printer_panel_in_the_staff_language(make_kiosk, lang):
    kiosk = make_kiosk(printer={"kind": "none"})
    kiosk.runtime.store.queue_print(PrintRequest("R1"))
    app = kiosk.app(staff_language=lang)
    language = Lang(lang)
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f3")
        assert isinstance(app.screen, PrinterScreen)
        table = app.screen.query_one("#jobs", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert headers(table)[1] == visual(ui_text("col.attendee", language))
        row = table.get_row_at(0)
        assert str(row[3]) == visual(ui_text("job.pending", language))
        state = str(app.screen.query_one("#printer-state").render())
        alert = app.screen.query_one("#alert", Sentence).text
        assert alert == ui_text("alert.no_printer", language)
        if language is Lang.FR:
            assert "Imprimante : aucune imprimante · 0 en attente" in state
            assert "Relancer" in footer_words(app)
        else:
            assert shaped(state) and visual(ui_text("printer.none", language)) in state
        await pilot.press("down", "x")
        await wait_for(pilot, lambda: app.screen.query_one("#message", Sentence).text)
        assert app.screen.query_one("#message", Sentence).text == ui_text(
            "printer.cancelled", language, job=1
        )


def test_staff_language_is_a_checked_config_key(tmp_path):
    assert load_config(write_config(tmp_path)).staff.language == "fr"  # the default
    config = load_config(write_config(tmp_path, {"staff": {"language": "ar"}}))
    assert config.staff.language == "ar"
    with pytest.raises(ConfigError, match="language"):
        load_config(write_config(tmp_path, {"staff": {"language": "de"}}))
