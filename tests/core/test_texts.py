"""Each reason has attendee and staff text in French, English and Arabic."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.core.model import Lang, Registration, ScanKind
from kiosk.core.texts import ATTENDEE, STAFF, attendee_text, staff_text
from kiosk.core.verdict import Reason, Verdict
from tests.conftest import TZ

REG = Registration("R1", "Hélène", "Dupont")


@pytest.mark.parametrize("reason", [r for r in Reason if r is not Reason.OK])
@pytest.mark.parametrize("lang", list(Lang))
def test_every_refusal_has_both_texts_with_a_next_step(reason, lang):
    verdict = Verdict(reason, ScanKind.ENTRY, REG, previous_at=datetime(2026, 12, 8, 9, 12, tzinfo=TZ),
                      previous_kiosk="Kiosk 2", inside=40, capacity=40)  # fmt: skip
    for text in (attendee_text(verdict, lang), staff_text(verdict, lang)):
        assert text and "{" not in text
    assert reason.value in ATTENDEE and reason.value in STAFF


def test_arabic_text_is_arabic_and_names_the_kiosk():
    verdict = Verdict(Reason.ALREADY_CHECKED_IN, ScanKind.ENTRY, REG,
                      previous_at=datetime(2026, 12, 8, 9, 12, tzinfo=TZ), previous_kiosk="Kiosk 2")  # fmt: skip
    text = attendee_text(verdict, Lang.AR)
    assert "09:12" in text and "Kiosk 2" in text
    assert sum("\u0600" <= c <= "\u06ff" for c in text) > 20


def test_welcome_uses_the_corrected_badge_name():
    reg = Registration("R1", "Helene", "Dupont", badge_name="Hélène Dupont-Martin")
    assert "Hélène Dupont-Martin" in attendee_text(Verdict(Reason.OK, ScanKind.ENTRY, reg), Lang.FR)
