"""pretix's check-in questions say what to type in the staff language (issue 17 with 15).

The answer checks live in the pure core and raise English ``AnswerError``s; the form shows
the same sentence from the catalogues. Every kind of refusal is said in fr and ar, and the
count in "at least N characters" picks the language's plural form.
"""

from __future__ import annotations

from datetime import UTC, date

import pytest

from kiosk.core.questions import (
    BOOLEAN,
    COUNTRY,
    DATE,
    NUMBER,
    PHONE,
    STRING,
    AnswerError,
    CheckinQuestion,
    clean_answer,
)
from kiosk.locale import translator

CASES = [
    (CheckinQuestion(1, "Vegetarian?", BOOLEAN, required=True), "no"),
    (CheckinQuestion(2, "Age", NUMBER, number_min="18"), "12"),
    (CheckinQuestion(3, "Arrival", DATE, date_min=date(2026, 12, 1)), "2026-11-30"),
    (CheckinQuestion(4, "Country", COUNTRY), "Morocco"),
    (CheckinQuestion(5, "Phone", PHONE), "abc"),
    (CheckinQuestion(6, "Nickname", STRING, length_min=3), "ab"),
]


@pytest.mark.parametrize(("question", "typed"), CASES, ids=lambda c: getattr(c, "type", c))
def test_every_refusal_is_said_in_french_and_arabic(question, typed):
    with pytest.raises(AnswerError) as caught:
        clean_answer(question, typed, UTC)
    english = str(caught.value)
    assert caught.value.words.in_language(translator("en")) == english
    for lang in ("fr", "ar"):
        said = caught.value.words.in_language(translator(lang))
        assert said and said != english, (lang, english)
        assert "{" not in said  # every placeholder filled


def test_the_length_limit_takes_the_plural_form_of_its_count():
    one = CheckinQuestion(7, "Initial", STRING, length_min=2)
    with pytest.raises(AnswerError) as caught:
        clean_answer(one, "a", UTC)
    assert caught.value.words.in_language(translator("fr")) == "au moins 2 caractères"
    assert caught.value.words.in_language(translator("ar")) == "حرفان على الأقل"
