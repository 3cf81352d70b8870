"""Invisible characters in names: folded away for search, cleaned for badges and screens.

The kind is Unicode's format characters (Cf) plus control characters and odd spaces; the
exception is ZWNJ/ZWJ between two Arabic-script letters, which a script needs.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.model import Registration
from kiosk.core.normalize import clean, fold, tokens
from printers.layout import BadgeOptions, badge_content

FORMAT_CHARS = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
ODD_SPACES = ["\u00a0", "\u202f", "\u2009", "\u2007", "\u3000"]
NAMES = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Lo", "Mn", "Zs")), min_size=1, max_size=20
)


@given(
    name=NAMES,
    inserts=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(FORMAT_CHARS)), max_size=6),
)
def test_format_characters_anywhere_never_change_what_search_matches(name, inserts):
    dirty = name
    for at, char in inserts:
        at = min(at, len(dirty))
        dirty = dirty[:at] + char + dirty[at:]
    assert fold(dirty) == fold(name)


@given(name=NAMES, space=st.sampled_from(ODD_SPACES))
def test_any_space_separator_searches_like_a_space(name, space):
    assert fold(name.replace(" ", space)) == fold(name)


@given(text=st.text(max_size=40))
def test_clean_keeps_only_what_a_reader_sees(text):
    out = clean(text)
    assert clean(out) == out  # idempotent
    assert "  " not in out and out == out.strip()
    for i, char in enumerate(out):
        kind = unicodedata.category(char)
        assert kind not in ("Cc", "Zl", "Zp") and (kind != "Zs" or char == " ")
        if kind == "Cf":  # only a joiner, and only between letters of a script that uses it
            assert char in "\u200c\u200d" and 0 < i < len(out) - 1
            for side in (out[i - 1], out[i + 1]):
                assert unicodedata.category(side)[0] in "LM" and not side.isascii()
                assert not unicodedata.name(side).startswith(("LATIN", "GREEK", "CYRILLIC"))


def test_the_reported_name_prints_and_searches_as_typed():
    reg = Registration(
        "R1", "Sara\u00a0", "Ben\u200bAli\u00ad", organisation="\u200fCasa\u00a0Tech\ufeff"
    )
    assert reg.full_name == "Sara BenAli" and reg.name_on_badge == "Sara BenAli"
    badge = badge_content(reg, None, BadgeOptions())
    assert (badge.name, badge.organisation) == ("Sara BenAli", "Casa Tech")
    assert tokens("sara benali") == tokens(reg.first_name + " " + reg.last_name)
    assert fold("\ufeffSARA Ben\u2060Ali") == "sara benali"


def test_joiners_stay_where_a_script_needs_them():
    persian = "مهر\u200cناز"  # Mehrnaz: the ZWNJ keeps ر and ن apart
    assert clean(persian) == persian
    assert clean("Ann\u200ce") == "Anne" and clean("\u200cمهر") == "مهر"
    assert clean("مهر\u200c ناز") == "مهر ناز"  # not between two letters
    assert fold(persian) == fold("مهرناز")  # typed without it, still found
    assert clean("Léa\tMartin\r\n") == "Léa Martin"


def test_indic_conjunct_joiners_are_part_of_the_spelling():
    """Sinhala Sri (ශ්‍රී) and Devanagari conjuncts use ZWJ/ZWNJ as Persian does: kept, like
    the Arabic script's, and still searchable without them."""
    for name in ("ශ්\u200dරී", "क्\u200dष", "മല\u200cയാളം", "मेहर\u200cनाज़"):
        assert clean(name) == name, name
        assert fold(name) == fold(name.replace("\u200d", "").replace("\u200c", ""))
    assert clean("Ж\u200dЖ") == "ЖЖ" and clean("Ελ\u200cλη") == "Ελλη"


@given(
    name=st.text(alphabet=st.characters(categories=("L", "M", "N")), min_size=1, max_size=20),
    inserts=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(FORMAT_CHARS)), max_size=6),
)
def test_clean_never_changes_a_letter_only_drops_invisible_characters(name, inserts):
    """Arabic hamza seats, Persian letters, accents, digits: all kept in order, unchanged."""
    dirty = name
    for at, char in inserts:
        at = min(at, len(dirty))
        dirty = dirty[:at] + char + dirty[at:]
    out = clean(dirty)
    assert [c for c in out if unicodedata.category(c) != "Cf"] == list(name)
