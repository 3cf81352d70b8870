"""Name folding for search: case, accents and Arabic spelling variants are ignored."""

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


def fold(text: str) -> str:
    """Lower-case, accent-free, Arabic-normalised text with single spaces.

    >>> fold("Hélène  N'Diaye") == fold("HELENE n diaye")
    True
    """
    if text.isascii():  # most names: nothing to strip, only case and separators
        return _SEPARATORS.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_ARABIC).translate(_LIGATURES)
    # NFKD splits some Arabic hamza letters into letter + combining hamza; recompose the rest
    text = unicodedata.normalize("NFC", text)
    return _SEPARATORS.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    return [t for t in fold(text).split(" ") if t]
