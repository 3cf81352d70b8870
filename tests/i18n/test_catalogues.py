"""The gettext catalogues: complete, not fuzzy, placeholders kept, plural rules, extraction.

Every word a person reads is meant to be in ``kiosk/locale/<lang>/LC_MESSAGES/accueil.po``.
These tests fail on an untranslated or fuzzy message, a placeholder a translation lost or
invented, a message in the code that no catalogue has (or one the code no longer uses),
and a user-visible literal written in a screen or a command instead of a catalogue.
"""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.i18n import EXTRACT_KEYWORDS, LANGUAGES, language
from kiosk.locale import languages_with_catalogues, po_path, translator
from tests.i18n.literals import find, find_in

babel_messages = pytest.importorskip("babel.messages")
from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# Where words shown to people are written: the whole product.
PROJECT = sorted(
    [*ROOT.glob("kiosk/**/*.py"), *ROOT.glob("printers/**/*.py"), *ROOT.glob("sync/**/*.py"),
     ROOT / "main.py"]
)  # fmt: skip
# Where the literal check looks: screens, widgets and the commands' replies.
FACING = sorted(
    [*ROOT.glob("kiosk/ui/**/*.py"), *ROOT.glob("kiosk/commands/*.py"), ROOT / "main.py"]
)
# Replies of commands still written in English in Python, one "path: literal" a line; the
# list may only shrink (a stale line fails too), so a new untranslated literal fails.
BASELINE = Path(__file__).with_name("untranslated_baseline.txt")
ARABIC_RULE = "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5"


def catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, abort_invalid=True)


def fields(text: str) -> set[str]:
    """The str.format field names in ``text`` ("{count}" -> "count")."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def numbers_of_each_form(cat: Catalog, upto: int = 1000) -> dict[int, set[int]]:
    """Plural form index -> the counts 0..upto the catalogue's Plural-Forms rule sends there."""
    rule = gettext.c2py(cat.plural_expr)
    forms: dict[int, set[int]] = {}
    for n in range(upto + 1):
        forms.setdefault(rule(n), set()).add(n)
    return forms


def placeholder_problems(cat: Catalog) -> list[str]:
    """Translations whose str.format fields differ from their message id's.

    A plural form that stands for exactly one number (Arabic's zero, one and two; English
    "one") may say that number in words and drop one field ("شارتان", not "2 شارتان");
    every other form keeps every field, and no form invents one.
    """
    single = {form for form, ns in numbers_of_each_form(cat).items() if len(ns) == 1}
    problems = []
    for m in cat:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = set().union(*(fields(i) for i in ids))
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for i, s in enumerate(strings):
            if not s:
                continue
            got = fields(s)
            lost = wanted - got
            if got - wanted or (lost and not (m.pluralizable and i in single and len(lost) == 1)):
                problems.append(f"{m.id!r} [{i}]: {sorted(got)} != {sorted(wanted)}")
    return problems


def extracted() -> set[tuple[str | tuple[str, ...], str | None]]:
    """(message id, context) of every message pybabel's extractor finds in the project."""
    found = set()
    for path in PROJECT:
        for _line, msg, _comments, ctx in extract_from_file("python", str(path), EXTRACT_KEYWORDS):
            found.add((msg if isinstance(msg, str) else tuple(msg), ctx or None))
    return found


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


def test_every_language_of_the_table_has_a_catalogue_and_back():
    assert languages_with_catalogues() == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_placeholders_match_between_msgid_and_msgstr(lang):
    problems = placeholder_problems(catalogue(lang))
    assert not problems, f"{po_path(lang)}:\n" + "\n".join(problems)


def test_the_placeholder_check_catches_a_mismatch():
    cat = Catalog(locale="ar")
    cat.add("{count} more rows in {file}.", "{count} سطر في {fichier}.")  # renamed field
    cat.add("Hello {name}", "مرحباً")  # lost field
    cat.add(("{n} badge waiting", "{n} badges waiting"),
            ("لا شارات", "شارة واحدة", "شارتان", "{n} شارات", "{n} شارةً", "شارة"))  # fmt: skip
    problems = placeholder_problems(cat)
    assert len(problems) == 3, problems  # the rename, the lost name, form 5 (100+) lost {n}
    assert "[5]" in problems[-1]


def test_plural_forms_are_the_languages_own():
    assert catalogue("ar").num_plurals == 6
    assert catalogue("fr").num_plurals == 2 and catalogue("en").num_plurals == 2


def test_arabic_plural_forms_are_written_not_copied():
    """Zero, one and two are said their own way in Arabic (شارتان), not as the general form."""
    copies = []
    for m in catalogue("ar"):
        if m.id and m.pluralizable and len(set(m.string[1:3]) | {m.string[5]}) < 3:
            copies.append(repr(m.id))
    assert not copies, copies


@given(st.integers(min_value=0, max_value=10**6))
def test_arabic_picks_the_form_its_rule_names(n):
    """The compiled catalogue agrees with Arabic's six-form rule for every count."""
    ar = catalogue("ar")
    assert ar.plural_expr.replace("(", "").replace(")", "") == ARABIC_RULE
    form = arabic_form(n)

    for ids in (
        ("{count} more row in {file}.", "{count} more rows in {file}."),
        ("Wrong PIN. {left} attempt left before a lockout.",
         "Wrong PIN. {left} attempts left before a lockout."),
    ):  # fmt: skip
        assert translator("ar").ngettext(*ids, n) == ar[ids].string[form]


def arabic_form(n: int) -> int:
    """CLDR's Arabic categories, written out: zero, one, two, few (3-10), many (11-99), other."""
    if n in (0, 1, 2):
        return n
    if 3 <= n % 100 <= 10:
        return 3
    if n % 100 >= 11:
        return 4
    return 5


def test_french_singular_covers_zero_and_one():
    tr = translator("fr")
    forms = [tr.ngettext("{count} more row in {file}.", "{count} more rows in {file}.", n)
             for n in (0, 1, 2)]  # fmt: skip
    assert forms[0] == forms[1] != forms[2]


def test_no_word_of_the_code_says_badge_s():
    """Plurals go through ngettext: no "badge(s)", "essai(s)", "trouvé(s)" in any catalogue."""
    for lang in LANGUAGES:
        hand_made = [m.id for m in catalogue(lang) if m.id and re.search(r"\w\(s\)", str(m.string))]
        assert not hand_made, f"{po_path(lang)}: {hand_made}"


def test_extraction_matches_the_catalogues():
    """pybabel's extractor over the whole project: no message missing, none left over."""
    found = extracted()
    assert len(found) > 300
    for lang in LANGUAGES:
        ids = {(m.id, m.context) for m in catalogue(lang) if m.id}
        missing = sorted(map(str, found - ids))
        assert not missing, f"{po_path(lang)} lacks: {missing}"
        unused = sorted(map(str, ids - found))
        assert not unused, f"{po_path(lang)} has messages no code uses: {unused}"


def test_no_marked_string_hides_where_the_extractor_cannot_see_it():
    """A _("…") inside an f-string is invisible to extraction; the literal must still be known."""
    ids = {m.id for m in catalogue("fr") if m.id}
    pattern = re.compile(r"""\b(?:_|N_|gettext)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")
    hidden = []
    for path in PROJECT:
        for literal in pattern.findall(path.read_text(encoding="utf-8")):
            if literal not in ids:
                hidden.append(f"{path.name}: {literal!r}")
    assert not hidden, hidden


def _baseline() -> set[str]:
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def test_no_new_user_visible_literal_outside_the_catalogues():
    """Screens and commands give people words only through the catalogues.

    Known leftovers (command replies not converted yet) are listed in the baseline; any
    literal not there fails, and so does a baseline line whose literal is gone.
    """
    found = {f"{lit.path}: {lit.text!r}" for lit in find_in(FACING, ROOT)}
    known = _baseline()
    new = sorted(found - known)
    assert not new, "words written in Python, not in the catalogues:\n" + "\n".join(new)
    stale = sorted(known - found)
    assert not stale, f"{BASELINE.name}: remove the lines no longer found:\n" + "\n".join(stale)


def test_the_literal_check_fails_on_a_new_untranslated_literal():
    """What a screen change would add: a label in English, beside ones looked up."""
    screen = """
from textual.widgets import Static
def compose(self):
    yield Static(self.v("dash.arrivals"))
    yield Static(ui_text("door.ready", self.lang), id="title")
    yield Static("", id="typed")
    yield Static("F12")
    yield Static(visual("Scan your badge here"))
    self.notify(f"Printer {name} is {state}", title=_("Printer alert"))
    print("wrote " + str(n) + " tickets")
    self.show(Shown(ui_text("error.try_again", lang), False, False, NOT_RECORDED))
NOT_RECORDED = "Not recorded: scan again."
"""
    found = [lit.text for lit in find(screen, "screen.py")]
    assert sorted(found) == sorted(
        [
            "Scan your badge here",
            "Printer ",
            " is ",
            "wrote ",
            " tickets",
            "Not recorded: scan again.",
        ]
    )
    # ...and the project check would report it: it is in no baseline.
    assert not {f"screen.py: {t!r}" for t in found} & _baseline()


def test_screens_hold_no_literal_at_all():
    """The screens and widgets are fully converted: none of their lines is in the baseline."""
    assert not [line for line in _baseline() if line.startswith("kiosk/ui/")]


def test_direction_is_a_property_of_the_language():
    assert [code for code, lang in LANGUAGES.items() if lang.rtl] == ["ar"]
    assert language("fr").direction == "ltr" and "Noto Sans Arabic" in language("ar").fonts
    with pytest.raises(KeyError, match="languages: fr, en, ar"):
        language("xx")


def test_no_code_compares_with_arabic_to_lay_out_text():
    """Right to left comes from language(code).rtl, never from `lang is Lang.AR`."""
    pattern = re.compile(
        r"""(?:\bis(?: not)?|[!=]=)\s*(?:Lang\.AR\b|["']ar["'])|(?:Lang\.AR|["']ar["'])\s*(?:\bis\b|[!=]=)"""
    )
    offenders = []
    for path in PROJECT:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders
    assert pattern.search("rtl = lang is Lang.AR") and pattern.search('if code == "ar":')
