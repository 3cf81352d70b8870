"""Issue 17: adding a fourth language is a catalogue and a font (docs/languages.md).

Done here in a temporary folder, as docs/languages.md says: a catalogue made from the
English one the way ``pybabel init`` makes it (the plural rule from CLDR), a line in the
language table, and nothing else: screens, verdicts, badges and plurals speak it.
"""

from __future__ import annotations

import shutil

import pytest

import kiosk.locale
from kiosk.core.i18n import LANGUAGES, LATIN_FONTS, Language, language
from kiosk.core.model import Registration, Role, ScanKind
from kiosk.core.texts import attendee_text
from kiosk.core.verdict import Reason, Verdict
from kiosk.locale import po_path, translator
from printers.layout import role_label
from tests.i18n.test_catalogues import catalogue, placeholder_problems

babel_messages = pytest.importorskip("babel.messages")
from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import write_po  # noqa: E402

SPANISH = {
    "Scan your badge": "Escanee su acreditación",
    "Welcome, {name}! Take your badge below.": "¡Bienvenido/a, {name}! Tome su acreditación abajo.",
    ("badge role", "SPEAKER"): "PONENTE",
    ("Wrong PIN. {left} attempt left before a lockout.",
     "Wrong PIN. {left} attempts left before a lockout."): (
        "PIN incorrecto. Queda {left} intento antes del bloqueo.",
        "PIN incorrecto. Quedan {left} de intentos antes del bloqueo.",
        "PIN incorrecto. Quedan {left} intentos antes del bloqueo.",
    ),
}  # fmt: skip


def spanish_catalogue(translate_all: bool) -> Catalog:
    """``pybabel init -l es`` from the English catalogue, with the SPANISH entries filled."""
    es = Catalog(locale="es", domain="accueil")
    for m in catalogue("en"):
        if not m.id:
            continue
        key = (m.context, m.id) if m.context else m.id
        said = SPANISH.get(key)
        if said is None and translate_all:  # stands for a translator's work
            said = m.id if not m.pluralizable else (m.id[0],) + (m.id[1],) * (es.num_plurals - 1)
        empty = ("",) * es.num_plurals if m.pluralizable else ""
        es.add(m.id, said or empty, context=m.context, flags=m.flags)
    return es


@pytest.fixture
def with_spanish(tmp_path, monkeypatch):
    """The project's catalogues plus a Spanish one, in tmp_path; Spanish in the table."""
    locale = tmp_path / "locale"
    shutil.copytree(kiosk.locale.LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.py*"))
    monkeypatch.setattr(kiosk.locale, "LOCALE_DIR", locale)
    monkeypatch.setitem(LANGUAGES, "es", Language("es", "Español", "ltr", LATIN_FONTS))
    translator.cache_clear()
    yield locale
    translator.cache_clear()


def write(cat: Catalog) -> None:
    path = po_path("es")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, cat)


def test_a_fourth_language_is_a_catalogue_and_a_line_in_the_table(with_spanish):
    write(spanish_catalogue(translate_all=True))
    assert not placeholder_problems(catalogue("es"))
    es = translator("es")
    assert kiosk.locale.languages_with_catalogues() == ["ar", "en", "es", "fr"]
    assert language("es").fonts == LATIN_FONTS and not language("es").rtl

    from kiosk.ui.i18n import is_rtl, ui_text

    assert ui_text("door.ready", "es") == "Escanee su acreditación" and not is_rtl("es")
    reg = Registration("R1", "Lucía", "García", role=Role.SPEAKER)
    said = attendee_text(Verdict(Reason.OK, ScanKind.ENTRY, reg), es)
    assert said == "¡Bienvenido/a, Lucía García! Tome su acreditación abajo."
    assert role_label(Role.SPEAKER, "es") == "PONENTE"
    # Spanish has three plural forms in CLDR (one, many for millions, other): pybabel init
    # wrote that rule, and ngettext follows it.
    assert catalogue("es").num_plurals == 3
    wrong = ("Wrong PIN. {left} attempt left before a lockout.",
             "Wrong PIN. {left} attempts left before a lockout.")  # fmt: skip
    assert "Queda 1 intento" in ui_text("pin.wrong", "es", left=1)
    assert es.ngettext(*wrong, 3).startswith("PIN incorrecto. Quedan {left} intentos")
    assert es.ngettext(*wrong, 1_000_000).startswith("PIN incorrecto. Quedan {left} de intentos")


def test_the_checks_refuse_a_fourth_language_until_every_message_is_translated(with_spanish):
    write(spanish_catalogue(translate_all=False))
    cat = catalogue("es")
    untranslated = [m.id for m in cat if m.id and not all(
        m.string if isinstance(m.string, tuple) else (m.string,))]  # fmt: skip
    assert len(untranslated) > 300  # what test_every_message_is_translated_and_not_fuzzy lists
    # an untranslated message falls back to English rather than showing nothing
    from kiosk.ui.i18n import ui_text

    assert ui_text("door.inside", "es") == "Inside"
