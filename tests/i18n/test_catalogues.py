"""The gettext catalogues: complete, not fuzzy, placeholders kept, plural rules, extraction."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.i18n import LANGUAGES, language
from kiosk.locale import po_path, translator

babel_messages = pytest.importorskip("babel.messages")
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# The modules whose words are in the catalogues (more join as screens are converted).
CONVERTED = [
    *sorted((ROOT / "sync/reports").glob("*.py")),
    ROOT / "kiosk/commands/report.py",
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
ARABIC_RULE = "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5"


def catalogue(lang: str):
    with po_path(lang).open("rb") as f:
        return read_po(f, abort_invalid=True)


def fields(text: str) -> set[str]:
    """The str.format field names in ``text`` ("{count}" -> "count")."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_message_is_translated_and_not_fuzzy(lang):
    cat = catalogue(lang)
    problems = []
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy:
            problems.append(f"fuzzy: {m.id!r}")
        if len(strings) != (cat.num_plurals if m.pluralizable else 1) or not all(strings):
            problems.append(f"untranslated: {m.id!r}")
    assert not problems, f"{po_path(lang)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_placeholders_match_between_msgid_and_msgstr(lang):
    problems = []
    for m in catalogue(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = set().union(*(fields(i) for i in ids))
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for i, s in enumerate(strings):
            if s and fields(s) != wanted:
                problems.append(f"{m.id!r} [{i}]: {sorted(fields(s))} != {sorted(wanted)}")
    assert not problems, f"{po_path(lang)}:\n" + "\n".join(problems)


def test_the_placeholder_check_catches_a_mismatch():
    assert fields("{count} lignes dans {file}") != fields("{count} more rows in {fichier}")


def test_plural_forms_are_the_languages_own():
    assert catalogue("ar").num_plurals == 6
    assert catalogue("fr").num_plurals == 2 and catalogue("en").num_plurals == 2


@given(st.integers(min_value=0, max_value=10**6))
def test_arabic_picks_the_form_its_rule_names(n):
    """The compiled catalogue agrees with Arabic's six-form rule for every count."""
    rule = ARABIC_RULE.replace("&&", "and")
    rule = re.sub(r"(\S+) \? (\S+) : ", r"\2 if \1 else ", rule)
    form = eval(rule, {"n": n})  # the rule from the issue, as Python
    ar = catalogue("ar")
    msg = ar[("{count} more row in {file}.", "{count} more rows in {file}.")]
    got = translator("ar").ngettext(
        "{count} more row in {file}.", "{count} more rows in {file}.", n
    )
    assert got == msg.string[form]


def test_french_singular_covers_zero_and_one():
    tr = translator("fr")
    forms = [tr.ngettext("{count} more row in {file}.", "{count} more rows in {file}.", n)
             for n in (0, 1, 2)]  # fmt: skip
    assert forms[0] == forms[1] != forms[2]


def test_extraction_finds_nothing_missing_from_the_catalogues():
    """pybabel's extractor over the converted modules: every message is in every catalogue."""
    extracted = set()
    for path in CONVERTED:
        for _line, msg, _comments, _ctx in extract_from_file("python", str(path), KEYWORDS):
            extracted.add(msg if isinstance(msg, str) else tuple(msg))
    assert len(extracted) > 50
    for lang in LANGUAGES:
        ids = {m.id for m in catalogue(lang) if m.id}
        missing = sorted(map(str, extracted - ids))
        assert not missing, f"{po_path(lang)} lacks: {missing}"


def test_no_marked_string_hides_where_the_extractor_cannot_see_it():
    """A _("…") inside an f-string is invisible to extraction; the literal must still be known."""
    ids = {m.id for m in catalogue("fr") if m.id}
    pattern = re.compile(r"""\b(?:_|N_|gettext)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")
    hidden = []
    for path in CONVERTED:
        for literal in pattern.findall(path.read_text(encoding="utf-8")):
            if literal not in ids:
                hidden.append(f"{path.name}: {literal!r}")
    assert not hidden, hidden


def test_direction_is_a_property_of_the_language():
    assert [code for code, lang in LANGUAGES.items() if lang.rtl] == ["ar"]
    assert language("fr").direction == "ltr" and "Noto Sans Arabic" in language("ar").fonts
    with pytest.raises(KeyError, match="languages: fr, en, ar"):
        language("xx")
