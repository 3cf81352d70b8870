"""Name folding for search and name cleaning for badges and screens.

Both treat invisible characters as a kind: Unicode's format characters (category Cf: zero
width space, soft hyphen, bidi marks and isolates, word joiner, a BOM inside a field…),
control characters (Cc) and the space separators (Zs: no-break, thin, narrow no-break…).
The one exception is ZWNJ/ZWJ between two letters of a script that uses them: Persian and
some Arabic spellings need them to choose a letter's form, Indic scripts (Sinhala,
Devanagari, Malayalam…) to form or break a conjunct, so ``clean`` keeps them there; between
Latin, Greek or Cyrillic letters they change nothing a reader sees and go.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic letters that people type interchangeably: hamza seats, alef variants, ta marbuta,
# alef maqsura. Tatweel (kashida) is decoration and goes.
_ARABIC = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ى": "ي",
        "ة": "ه",
        "ـ": None,
    }
)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
# Control characters (C0, DEL, C1) separate words too: a scanner or a paste can carry them,
# and they never belong to a name.
_SEPARATORS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\-‐‑_'’.,;:/()\"]+")
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
# Scripts where a joiner changes nothing a reader sees: there it is only a paste's residue.
_NO_JOINING = ("LATIN ", "GREEK ", "CYRILLIC ", "COMBINING ")


def _joining_letter(char: str) -> bool:
    """A letter or mark of a script whose spelling can need ZWNJ/ZWJ: Arabic (Persian
    mehr‌naz), Syriac, and the Indic scripts' conjuncts (Sinhala ශ්‍රී, Devanagari क्‍ष)."""
    return (
        not char.isascii()
        and unicodedata.category(char)[0] in "LM"
        and not unicodedata.name(char, "").startswith(_NO_JOINING)
    )


def _plain(text: str) -> bool:
    """ASCII with no control character: nothing invisible to remove."""
    return text.isascii() and text.isprintable()


def clean(text: str) -> str:
    """A name as a badge or a screen shows it: invisible characters gone, spaces single.

    Format characters (Cf) are dropped, except ZWNJ/ZWJ with a letter of a script that
    uses them (Arabic, Indic…; not Latin, Greek or Cyrillic) on both sides; every space separator, line break or tab becomes one plain space; other
    control characters are dropped. Letters, accents and case are left as typed.

    >>> clean("Sara\u00a0Ben\u200bAli\u00ad")
    'Sara BenAli'
    >>> clean("می\u200cخواهم") == "می\u200cخواهم"
    True
    """
    if text.isprintable():  # no Cf, Cc or Z* but the ASCII space: most names, any script
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            return " ".join(text.split())
        return text
    out: list[str] = []
    last = len(text) - 1
    for i, char in enumerate(text):
        kind = unicodedata.category(char)
        if kind == "Cf":
            if (
                char in _JOINERS
                and 0 < i < last
                and _joining_letter(text[i - 1])
                and _joining_letter(text[i + 1])
            ):
                out.append(char)
        elif kind in ("Zs", "Zl", "Zp") or char.isspace():
            out.append(" ")
        elif kind != "Cc":
            out.append(char)
    return " ".join("".join(out).split())


def fold(text: str) -> str:
    """Lower-case, accent-free, Arabic-normalised text with single spaces.

    Invisible characters fold away entirely (ZWNJ and ZWJ too: a name typed without them
    must still be found), so ``fold("Sara Ben\u200bAli") == fold("sara benali")``.

    >>> fold("Hélène  N'Diaye") == fold("HELENE n diaye")
    True
    """
    if _plain(text):  # most names: nothing to strip, only case and separators
        return _SEPARATORS.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(
        " " if unicodedata.category(c) == "Cc" else c
        for c in text
        if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    text = text.translate(_ARABIC).translate(_LIGATURES)
    # NFKD splits some Arabic hamza letters into letter + combining hamza; recompose the rest
    text = unicodedata.normalize("NFC", text)
    return _SEPARATORS.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    return [t for t in fold(text).split(" ") if t]
