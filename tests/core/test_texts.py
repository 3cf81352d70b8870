"""Each reason has attendee and staff text in French, English and Arabic (the catalogues)."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.core.i18n import SourceText
from kiosk.core.model import Lang, Registration, Role, ScanKind
from kiosk.core.texts import ATTENDEE, STAFF, attendee_text, days_text, role_word, staff_text
from kiosk.core.verdict import Reason, Verdict
from kiosk.locale import translator
from tests.conftest import TZ

REG = Registration("R1", "Hélène", "Dupont")


@pytest.mark.parametrize("reason", [r for r in Reason if r is not Reason.OK])
@pytest.mark.parametrize("lang", list(Lang))
def test_every_refusal_has_both_texts_with_a_next_step(reason, lang):
    verdict = Verdict(reason, ScanKind.ENTRY, REG, previous_at=datetime(2026, 12, 8, 9, 12, tzinfo=TZ),
                      previous_kiosk="Kiosk 2", inside=40, capacity=40)  # fmt: skip
    for text in (attendee_text(verdict, translator(lang)), staff_text(verdict, translator(lang))):
        assert text and "{" not in text
    assert reason.value in ATTENDEE and reason.value in STAFF


def test_arabic_text_is_arabic_and_names_the_kiosk():
    verdict = Verdict(Reason.ALREADY_CHECKED_IN, ScanKind.ENTRY, REG,
                      previous_at=datetime(2026, 12, 8, 9, 12, tzinfo=TZ), previous_kiosk="Kiosk 2")  # fmt: skip
    text = attendee_text(verdict, translator(Lang.AR))
    assert "09:12" in text and "Kiosk 2" in text
    assert sum("\u0600" <= c <= "\u06ff" for c in text) > 20


def test_welcome_uses_the_corrected_badge_name():
    reg = Registration("R1", "Helene", "Dupont", badge_name="Hélène Dupont-Martin")
    assert "Hélène Dupont-Martin" in attendee_text(
        Verdict(Reason.OK, ScanKind.ENTRY, reg), translator(Lang.FR)
    )


def test_staff_sentence_names_the_role_in_the_staff_language():
    """Issue 17, item 1: "Accepté : Hélène (speaker)." beside "intervenant" on a French screen."""
    reg = Registration("R1", "Hélène", "Dupont", role=Role.SPEAKER)
    verdict = Verdict(Reason.OK, ScanKind.ENTRY, reg)
    assert staff_text(verdict, translator("fr")) == "Accepté : Hélène Dupont (intervenant)."
    assert "(speaker)" in staff_text(verdict, translator("en"))
    assert "speaker" not in staff_text(verdict, translator("ar"))


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_every_role_has_a_word_in_every_language(lang):
    words = {role_word(role, translator(lang)) for role in Role}
    assert len(words) == len(Role)  # none shares another's word, none left blank
    assert all(words)


def test_days_agree_with_their_number():
    fr, ar = translator("fr"), translator("ar")
    assert days_text(frozenset({2}), fr) == "jour 2"
    assert days_text(frozenset({1, 2}), fr) == "jours 1 et 2"
    assert days_text(frozenset({1, 2, 3}), SourceText()) == "days 1, 2 & 3"
    assert days_text(frozenset(), fr) == "tous les jours"
    assert (
        days_text(frozenset({1}), ar) == "اليوم 1"
        and days_text(frozenset({1, 2}), ar) == "اليومان 1 و 2"
    )
