"""Raw input to a code: extraction, keyboard-layout and case repair, refusal when ambiguous.

The layout tables follow the positions a USB HID scanner sends; the cases come from what
venue reports describe: a US-configured scanner on a French (AZERTY) PC types ``&é"'(`` for
digits, ``M`` for ``:``, and swaps A/Q and Z/W; on a German (QWERTZ) PC it swaps Y/Z.
"""

from __future__ import annotations

import csv
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiosk.core import intake, tickets
from kiosk.core.intake import IntakeRules, interpret, meant, typed_as
from kiosk.core.model import Registration, Role
from kiosk.core.service import CheckinService, KioskIdentity
from kiosk.core.verdict import Reason
from tests.conftest import EVENT, ROOT
from tests.core.test_tickets import KEY, VERIFY

BASE45 = tickets._ALPHABET


def demo_code_characters() -> str:
    """Every character of the demo's codes, of walk-in codes and of pretix-style secrets."""
    with (ROOT / "demo" / "registrations.csv").open(encoding="utf-8") as f:
        chars = {c for row in csv.DictReader(f) for code in row["codes"].split(";") for c in code}
    chars |= set("WALKIN-0123456789ABCDEF")  # CheckinService.register_walkin without a key
    chars |= set("abcdefghijklmnopqrstuvwxyz0123456789")  # pretix ticket secrets
    return "".join(sorted(chars))


CODE_CHARS = demo_code_characters()


# -- the layout tables ----------------------------------------------------------------------


@pytest.mark.parametrize("scanner,host", intake.LAYOUT_MIXUPS)
@pytest.mark.parametrize("char", sorted(set(BASE45) | set(CODE_CHARS)))
def test_every_code_character_round_trips_through_each_layout_mixup(char, scanner, host):
    shown = typed_as(char, scanner, host)
    assert shown is not None, f"{char!r} cannot be typed by a {scanner} scanner"
    assert meant(shown, scanner, host) == char


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=BASE45 + CODE_CHARS, min_size=1, max_size=120),
    mixup=st.sampled_from((*intake.LAYOUT_MIXUPS, intake.DIGIT_ROW_MIXUP)),
)
def test_whole_codes_round_trip_including_dead_keys(text, mixup):
    # QWERTZ: "+" is the dead grave key there, so "+A" arrives as "À" and must come back.
    shown = typed_as(text, *mixup)
    assert shown is not None
    assert meant(shown, *mixup) == text


def test_the_reported_azerty_digits_colon_and_letters():
    assert typed_as("1234567890", "us", "azerty") == "&é\"'(-è_çà"
    assert typed_as("A1:", "us", "azerty") == "Q&M"
    assert typed_as("AQZW", "us", "azerty") == "QAWZ"
    assert typed_as("YZ", "us", "qwertz") == "ZY"
    assert typed_as("+A", "us", "qwertz") == "À"


# -- extraction -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,code",
    [
        ("]Q1CODE-1", "CODE-1"),
        ("]C0CODE-1", "CODE-1"),
        ("\x02CODE-1\x03\r\n", "CODE-1"),
        ("\ufeffCODE-1\u200b", "CODE-1"),
        ("https://tickets.example.org/ticket?code=CODE-1", "CODE-1"),
        ("https://tickets.example.org/x?lang=fr&SECRET=CODE-1", "CODE-1"),
        ("https://example.org/order/ABC/?ticket=CODE-1#top", "CODE-1"),
        ("http://example.org/scan#barcode=CODE-1", "CODE-1"),
        ("https://example.org/t/CODE-1/", "CODE-1"),
        ("https://example.org/event/ticket/CODE-1", "CODE-1"),
        ("]Q1https://example.org/t/CODE-1/", "CODE-1"),
        ("https://example.org/t/CODE%2D1", "CODE-1"),
        ("https://example.org/?code=CODE%2D1", "CODE-1"),
    ],
)
def test_wrapped_codes_are_taken_out(raw, code, service):
    read = service.interpret(raw)
    assert read.code == code and read.matched == {"R1"}
    assert read.repaired and intake.clip(raw) in read.note
    assert intake.repair_in_note(read.note) == read.repair


def test_a_code_that_is_itself_a_url_is_not_cut(store, service):
    url = "https://example.org/t/XYZ/"
    store.upsert_registrations([Registration("U1", "Url", "Person", (url,))])
    read = service.interpret(url)
    assert (read.code, read.repair, read.note) == (url, "", "")


def test_configured_pattern_and_its_validation(store, clock):
    rules = IntakeRules(patterns=(intake.compile_pattern(r"REF:(?P<code>[A-Z0-9-]+);"),))
    service = CheckinService(store, store, clock, EVENT, KioskIdentity("k1", "K"), rules=rules)
    assert service.interpret("NAME:Dupont;REF:CODE-1;").code == "CODE-1"
    with pytest.raises(ValueError, match="regular expression"):
        intake.compile_pattern("REF:(")
    with pytest.raises(ValueError, match="named 'code'"):
        intake.compile_pattern("(a)(b)")


# -- repairs, through the real service and store ------------------------------------------


@pytest.fixture
def signed(store, clock):
    def make(*reg_ids: str) -> tuple[CheckinService, list[str]]:
        codes = [
            tickets.encode(r, Role.PARTICIPANT, frozenset(), EVENT.slug, KEY.sign) for r in reg_ids
        ]
        store.upsert_registrations(
            [Registration(r, "Signed", r, (c,)) for r, c in zip(reg_ids, codes, strict=True)]
        )
        kiosk = KioskIdentity("k1", "Kiosk 1")
        return CheckinService(store, store, clock, EVENT, kiosk, VERIFY), codes

    return make


@pytest.mark.parametrize("scanner,host", intake.LAYOUT_MIXUPS)
def test_a_signed_ticket_typed_through_a_wrong_layout_checks_in(signed, store, scanner, host):
    service, (code,) = signed("S0001")
    shown = typed_as(code, scanner, host)
    assert shown is not None and shown != code
    result = service.check(shown)
    assert result.verdict.ok and result.verdict.registration.id == "S0001"
    assert result.scan.code == code
    assert result.intake.layout == host
    row = store.scans()[-1]
    assert row.code == code and intake.clip(shown) in row.note and "113 characters" in row.note
    assert intake.repair_in_note(row.note) == f"layout:{scanner}-on-{host}"


def test_caps_lock_ticket_is_accepted_in_lower_case(signed):
    service, (code,) = signed("S0002")
    result = service.check(code.lower())
    assert result.verdict.ok and result.scan.code == code
    assert result.intake.repair == "case"


def test_lower_case_ticket_that_does_not_verify_is_not_accepted(signed):
    service, (code,) = signed("S0003")
    forged = code[:-6].lower() + "aaaaaa"
    result = service.check(forged)
    assert not result.verdict.ok and result.verdict.registration is None


def test_a_repair_is_tried_only_when_the_raw_text_matches_nothing(store, service):
    # "QBC" is a US "ABC" typed on AZERTY; with "QBC" itself registered, the raw text wins.
    store.upsert_registrations(
        [Registration("Q", "Raw", "Q", ("QBC-1",)), Registration("A", "Repaired", "A", ("ABC-1",))]
    )
    assert service.interpret("QBC-1").matched == {"Q"}


def test_a_repair_leading_to_two_registrations_is_refused_as_ambiguous(store, service):
    # "QZXKB" came in: a US scanner on AZERTY meant "AWXKB"; one on QWERTZ meant "QYXKB".
    store.upsert_registrations(
        [
            Registration("X1", "Only", "One", ("AWXKB",)),
            Registration("X2", "Other", "One", ("QYXKB",)),
        ]
    )
    assert typed_as("AWXKB", "us", "azerty") == typed_as("QYXKB", "us", "qwertz") == "QZXKB"
    result = service.check("QZXKB")
    assert result.verdict.reason is Reason.AMBIGUOUS and result.verdict.registration is None
    assert set(result.intake.ambiguous) == {"AWXKB", "QYXKB"}
    assert "'QZXKB'" in result.scan.note and "'AWXKB'" in result.scan.note
    assert intake.repair_in_note(result.scan.note) == (
        "ambiguous after layout:us-on-azerty/layout:us-on-qwertz"
    )
    assert service.log.history("X1").scans == () and service.log.history("X2").scans == ()


def test_a_repaired_code_held_by_two_registrations_is_ambiguous(store, service):
    # A code shared by two people, typed by a US scanner on AZERTY: repaired, still two.
    store.upsert_registrations(
        [Registration("T1", "Twin", "A", ("QUIZ-2",)), Registration("T2", "Twin", "B", ("QUIZ-2",))]
    )
    shown = typed_as("QUIZ-2", "us", "azerty")
    assert shown == "AUIW)é" and not service.leads_to(shown)
    result = service.check(shown)
    assert result.verdict.reason is Reason.AMBIGUOUS and result.scan.registration_id is None


def test_unknown_stays_unknown_with_the_cleaned_code_logged(service):
    result = service.check("]Q1NOT-A-CODE\x04")
    assert result.verdict.reason is Reason.UNKNOWN and result.scan.code == "NOT-A-CODE"


def test_layout_repair_can_be_switched_off(store, clock):
    service = CheckinService(
        store, store, clock, EVENT, KioskIdentity("k1", "K"), rules=IntakeRules(repair_layout=False)
    )
    assert service.check(typed_as("CODE-12", "us", "azerty")).verdict.reason is Reason.UNKNOWN


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(intake.LAYOUT_MIXUPS),
    st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ0123456789", min_size=6, max_size=12),
)
def test_property_one_opaque_code_through_any_mixup_finds_its_owner(mixup, code):
    known = {code: frozenset({"R"})}
    shown = typed_as(code, *mixup)
    assert shown is not None
    read = interpret(shown, lambda c: known.get(c, frozenset()))
    if shown == code:
        assert read.code == code and not read.repair
    else:
        assert read.code == code and read.matched == {"R"} and not read.ambiguous
    assert re.fullmatch(r"[^\x00-\x1f]*", read.note)


def test_guess_layout_names_the_mixup_from_characters_a_code_never_has(signed):
    _, (code,) = signed("S0004")
    assert intake.guess_layout(typed_as(code, "us", "azerty")) == ("us", "azerty")
    assert intake.guess_layout(typed_as("CODE-1:22", "us", "qwertz")) == ("us", "qwertz")
    assert intake.guess_layout(code) is None
    assert intake.guess_layout("CODE-OK-FR") is None


def test_the_public_number_row_case_is_repaired(store, service):
    # A keyboard emulator on an AZERTY PC turned "HA112" into "HA&&é": letters right,
    # number row unshifted.
    store.upsert_registrations([Registration("H1", "Number", "Row", ("HA112",))])
    assert typed_as("HA112", *intake.DIGIT_ROW_MIXUP) == "HA&&é"
    result = service.check("HA&&é")
    assert result.verdict.ok and result.scan.code == "HA112"
    assert result.intake.repair == "layout:digits-on-azerty"
    assert result.intake.advice_layout == "French (AZERTY)"


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=200)
    | st.builds(lambda a, b: f"https://{a}/t/{b}/?code={a}", st.text(), st.text())
)
@example("https://x.example/t/a%0Ab/?code=C%00D%0A")
def test_any_input_gives_a_clean_code_and_never_raises(raw):
    known = {"CODE-1": frozenset({"R1"})}
    read = interpret(raw, lambda c: known.get(c, frozenset()))
    assert not re.search(r"[\x00-\x1f\x7f]", read.code)
    assert read.code == read.code.strip()
    assert "\n" not in read.note and "\r" not in read.note


def test_a_signed_ticket_in_a_url_is_read_encoded_or_not(signed):
    # base45 has "+", "%", "$", "/" and ":": platforms paste it into URLs raw or %-encoded.
    from urllib.parse import quote

    service, (code,) = signed("S0005")
    for url in (
        "https://tickets.example.org/c?code=" + code,
        "https://tickets.example.org/c?lang=fr&ticket=" + quote(code, safe=""),
        "https://tickets.example.org/c?barcode=" + quote(code, safe="").replace("%20", "+"),
    ):
        read = service.interpret(url)
        assert (read.code, read.repair, read.matched) == (code, "url", {"S0005"}), url


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from((*intake.LAYOUT_MIXUPS, intake.DIGIT_ROW_MIXUP)),
    st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ0123456789-", min_size=6, max_size=16),
    st.data(),
)
def test_property_a_repair_with_two_owners_is_refused_never_guessed(mixup, code, data):
    shown = typed_as(code, *mixup)
    if shown is None or shown == code:
        return
    # Either the repaired code is shared, or another repair finds someone else.
    other = data.draw(st.sampled_from([None, *(c for c in _other_readings(shown) if c != code)]))
    known = {code: frozenset({"R1", "R2"})} if other is None else {code: {"R1"}, other: {"R2"}}
    read = interpret(shown, lambda c: frozenset(known.get(c, ())))
    assert read.ambiguous and not read.matched
    assert code in read.ambiguous


def _other_readings(shown: str) -> list[str]:
    readings = [meant(shown, *m) for m in (*intake.LAYOUT_MIXUPS, intake.DIGIT_ROW_MIXUP)]
    return [r for r in dict.fromkeys(readings) if r and r != shown]
