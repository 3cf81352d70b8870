"""Pure-core parts of pretix fidelity: add-on match, rule explanations, check-in answers.

The comparisons with a real pretix are in tests/sync/test_pretix_addons.py,
test_pretix_rules.py and test_pretix_questions.py; these pin the kinds without a server.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.checkin_list import CheckinList, RuleVars, TicketFacts, explain, match_addon, to_dnf
from kiosk.core.questions import (
    AnswerError,
    CheckinQuestion,
    Option,
    clean_answer,
    question_from_dict,
    question_to_dict,
)

TZ = ZoneInfo("Africa/Casablanca")
NOW = datetime(2026, 12, 8, 17, 30, tzinfo=TZ)
MAIN, WORKSHOP, OTHER = 1, 2, 3
LIST = CheckinList(9, all_products=False, products=frozenset({WORKSHOP}), addon_match=True)


# -- add-on match -------------------------------------------------------------------------

facts = st.builds(
    TicketFacts,
    item=st.sampled_from([MAIN, WORKSHOP, OTHER]),
    canceled=st.booleans(),
    valid_until=st.sampled_from([None, NOW - timedelta(days=1), NOW + timedelta(days=1)]),
)


@given(st.lists(facts, max_size=4))
def test_addon_match_picks_the_one_add_on_on_the_list_else_refuses_as_pretix(addons):
    chosen = match_addon(LIST, TicketFacts(item=MAIN), addons, NOW)
    live = [
        n
        for n, a in enumerate(addons, 1)
        if not a.canceled and a.item == WORKSHOP and (a.valid_until is None or a.valid_until > NOW)
    ]
    on_list = [n for n, a in enumerate(addons, 1) if not a.canceled and a.item == WORKSHOP]
    if len(on_list) == 1:
        assert chosen == on_list[0]
    elif len(live) == 1:
        assert chosen == live[0]  # of several on the list, the one valid now
    elif len(live) > 1:
        assert chosen is None  # ambiguous
    else:
        assert chosen is not None and chosen >= 0


def test_addon_match_reported_cases():
    workshop = TicketFacts(item=WORKSHOP)
    assert match_addon(LIST, TicketFacts(item=MAIN), [workshop], NOW) == 1
    assert match_addon(LIST, TicketFacts(item=MAIN), [workshop, workshop], NOW) is None
    assert match_addon(LIST, TicketFacts(item=MAIN), [TicketFacts(item=OTHER)], NOW) == 0
    assert match_addon(LIST, None, [workshop], NOW) == 1  # main ticket on no kiosk list
    # The main ticket on the list too: two candidates, as pretix says "ambiguous".
    both = CheckinList(9, all_products=True, addon_match=True)
    assert match_addon(both, TicketFacts(item=MAIN), [workshop], NOW) is None


# -- pretix's explanation of a rules refusal ------------------------------------------------


def _at(hour: int, minute: int = 0) -> dict:
    return {"buildTime": ["customtime", f"{hour:02d}:{minute:02d}"]}


def _window(product: int, start: int, end: int) -> dict:
    now = {"var": "now"}
    return {
        "and": [
            {
                "inList": [
                    {"var": "product"},
                    {"objectList": [{"lookup": ["product", str(product), "P"]}]},
                ]
            },
            {"isAfter": [now, _at(start)]},
            {"isBefore": [now, _at(end)]},
        ]
    }


def _why(rules: dict, item: int = MAIN, now: datetime = NOW) -> str:
    clist = CheckinList(9, rules=rules)
    return explain(rules, RuleVars(clist, TicketFacts(item=item), [], now, TZ))


def test_explanation_prefers_the_close_failure_as_pretix():
    # pretix's own example: regular 09:00-17:00, VIP 08:00-18:00; a regular ticket at 17:30.
    rules = {"or": [_window(MAIN, 9, 17), _window(OTHER, 8, 18)]}
    assert _why(rules) == "Only allowed before 17:00"
    assert _why(rules, now=NOW.replace(hour=3)) == "Only allowed after 09:00"
    assert _why({"<": [{"var": "entries_today"}, 0]}) == "Maximum number of entries today exceeded"
    assert _why({"==": [{"var": "now_isoweekday"}, 1]}) == "week day is not Monday"
    assert _why({"!": [{"var": "product"}]}) == "Ticket type not allowed"
    assert _why({"==": [{"if": [True, 1, 2]}, 3]}) == "Unknown reason"  # no variable on the left


def test_to_dnf_distributes_or_over_and():
    a, b, c = ({"var": n} for n in "abc")
    assert to_dnf({"and": [a, {"or": [b, c]}]}) == {"or": [{"and": [a, b]}, {"and": [a, c]}]}
    assert to_dnf({"or": [a, {"or": [b, c]}]}) == {"or": [a, b, c]}


# -- check-in answers ---------------------------------------------------------------------


@given(st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False))
def test_numbers_within_pretix_limits_only(value):
    q = CheckinQuestion(1, "How many?", "N", True, number_min="0", number_max="100")
    typed = str(value).replace(".", ",")
    if Decimal(0) <= value <= Decimal(100):
        assert Decimal(clean_answer(q, typed, TZ)) == value
    else:
        with pytest.raises(AnswerError):
            clean_answer(q, typed, TZ)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_typed_either_way_reach_pretix_as_iso(day):
    q = CheckinQuestion(1, "Born?", "D", True, date_min=date(1950, 1, 1))
    for typed in (day.isoformat(), f"{day:%d/%m/%Y}"):
        if day >= date(1950, 1, 1):
            assert clean_answer(q, typed, TZ) == day.isoformat()
        else:
            with pytest.raises(AnswerError):
                clean_answer(q, typed, TZ)


@given(st.sampled_from([c.alpha_2 for c in pycountry.countries]))
def test_every_iso_country_code_is_taken(code):
    q = CheckinQuestion(1, "Country", "CC", True)
    assert clean_answer(q, code.lower(), TZ) == code


def test_choices_booleans_and_the_rest():
    options = (Option(11, "red", "Rouge"), Option(12, "blue", "Bleu"))
    choice = CheckinQuestion(1, "Colour", "C", True, options=options)
    assert {clean_answer(choice, t, TZ) for t in ("2", "blue", "BLEU", "12")} == {"12"}
    with pytest.raises(AnswerError):
        clean_answer(choice, "3", TZ)
    many = CheckinQuestion(2, "Colours", "M", True, options=options)
    assert clean_answer(many, "1, blue", TZ) == "11,12"
    required = CheckinQuestion(3, "ID checked?", "B", True)
    assert clean_answer(required, "oui", TZ) == "true"
    with pytest.raises(AnswerError, match="only yes"):
        clean_answer(required, "non", TZ)  # pretix refuses anything but yes here
    assert clean_answer(CheckinQuestion(4, "Photo OK?", "B"), "non", TZ) == "false"
    assert clean_answer(CheckinQuestion(5, "Arrival", "H", True), "9h05", TZ) == "09:05"
    when = clean_answer(CheckinQuestion(6, "Flight", "W", True), "31/12/2026 23:15", TZ)
    assert datetime.fromisoformat(when) == datetime(2026, 12, 31, 23, 15, tzinfo=TZ)
    phone = CheckinQuestion(7, "Phone", "TEL", True)
    assert clean_answer(phone, "06 12 34 56 78", TZ, country="MA") == "+212612345678"
    with pytest.raises(AnswerError):
        clean_answer(phone, "06 12 34 56 78", TZ)  # national form without a country
    with pytest.raises(AnswerError, match="required"):
        clean_answer(CheckinQuestion(8, "Name", "S", True), "  ", TZ)
    assert clean_answer(CheckinQuestion(9, "Scan", "F", True), "", TZ) == ""


def test_questions_survive_the_store_and_old_rows():
    q = CheckinQuestion(
        5,
        "Flight",
        "W",
        True,
        options=(Option(1, "a", "A"),),
        number_min="1.5",
        date_max=date(2027, 1, 1),
        datetime_min=NOW,
        length_max=3,
    )
    assert question_from_dict(question_to_dict(q)) == q
    assert question_from_dict([7, "ID checked?", "B"]) == CheckinQuestion(7, "ID checked?", "B")


# -- check-in texts in the attendee's language ------------------------------------------


def test_checkin_texts_in_the_attendees_language_then_the_events_then_any():
    from kiosk.core.checkin_list import attendee_notes, local_texts
    from kiosk.core.model import Lang, ScanKind
    from kiosk.core.verdict import Reason, Verdict

    product = {"fr": "Cordon vert", "en": "Green lanyard", "ar": "الحبل الأخضر"}
    order = {"de": "Nur Deutsch"}  # no kiosk language, no event default: any
    variation = {"fr": "Badge orateur"}  # the event's default (fr) for everyone else
    texts, translated = local_texts([order, variation, product], "fr", ["fr", "en", "ar"])
    assert texts == ("Nur Deutsch", "Badge orateur", "Cordon vert")
    by_lang = dict(translated)
    assert by_lang["en"] == ("Nur Deutsch", "Badge orateur", "Green lanyard")
    assert by_lang["ar"] == ("Nur Deutsch", "Badge orateur", "الحبل الأخضر")
    verdict = Verdict(Reason.OK, ScanKind.ENTRY, notes=texts, translated_notes=translated)
    assert "Green lanyard" in attendee_notes(verdict, Lang.EN)
    assert "الحبل الأخضر" in attendee_notes(verdict, Lang.AR)
    assert "Cordon vert" in attendee_notes(verdict, Lang.FR)
    # pretix 2026.8's texts are plain: the same words for everyone, no per-language copy.
    assert local_texts(["Remettre le badge", ""], "fr", ["fr", "en"]) == (
        ("Remettre le badge",),
        (),
    )


def test_a_rule_pretix_cannot_explain_still_refuses_with_a_reason():
    from kiosk.core.checkin_list import check

    odd = {"==": [{"var": "entries_number"}, "five"]}  # pretix fails explaining it (a text)
    refusal = check(CheckinList(9, rules=odd), TicketFacts(item=MAIN), [], NOW, TZ)
    assert refusal is not None and refusal.code == "rules"
    assert refusal.explanation == "Unknown reason"
