"""The translator port and the language table: what the pure core knows about languages.

Words shown to people live in gettext catalogues (``kiosk/locale/<lang>/LC_MESSAGES/
accueil.po``); the adapter that reads them is :mod:`kiosk.locale`. The core only sees the
:class:`Translator` protocol, so it stays free of file IO, and tests can pass any object
with ``gettext``/``ngettext``.

Message ids are English. Placeholders are ``str.format`` named fields (``{count}``),
filled after translation: ``tr.gettext("Day {day}: checked in").format(day=2)``.

Direction and fonts are properties of a language, looked up in :data:`LANGUAGES`; code
that lays text out asks ``language(code).rtl`` instead of comparing with Arabic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Direction = Literal["ltr", "rtl"]


class Translator(Protocol):
    """GNU gettext's two calls, as :class:`gettext.GNUTranslations` has them.

    ``gettext(msgid)`` returns the translation, or ``msgid`` when the catalogue has none.
    ``ngettext(singular, plural, n)`` picks the plural form the language's ``Plural-Forms``
    rule gives for the integer ``n`` (Arabic has six, French and English two).
    """

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...

    def pgettext(self, context: str, message: str, /) -> str: ...

    def npgettext(self, context: str, singular: str, plural: str, n: int, /) -> str: ...


class SourceText:
    """The identity translator: the English message ids, English plural rule (n != 1)."""

    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str, /) -> str:
        return message

    def npgettext(self, context: str, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural


@dataclass(frozen=True, slots=True)
class Message:
    """A message id that needs more than ``gettext``: a plural, a context, or both.

    ``id``/``plural``: the English singular and plural (``plural`` empty: no plural);
    ``context``: gettext's ``msgctxt``, for one English word that other languages say in
    two ways (a cancelled *registration* and a cancelled *print job* differ in Arabic);
    ``count``: the name of the placeholder whose integer value picks the plural form.
    """

    id: str
    plural: str = ""
    context: str = ""
    count: str = "count"


def N_(message: str) -> str:
    """Marks a literal for extraction (pybabel's default ``N_`` keyword) without translating."""
    return message


def NP_(singular: str, plural: str, count: str = "count") -> Message:
    """Marks a plural message for extraction (keyword ``NP_:1,2``); ``count`` names the field."""
    return Message(singular, plural, count=count)


def C_(context: str, message: str) -> Message:
    """Marks a message with a context for extraction (keyword ``C_:1c,2``)."""
    return Message(message, context=context)


# The marker keywords as Babel's extractor takes them (pybabel extract -k ...).
EXTRACT_KEYWORDS: dict[str, object] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    "NP_": (1, 2),
    "C_": ((1, "c"), 2),
}


class Words(str):
    """Sentences said before anyone chose a language: English as a ``str``, any language
    through :meth:`in_language`.

    An adapter (the print queue, say) returns one where a screen will show it: the CLI and
    the logs print it as the English ``str`` it is, a screen calls ``in_language(tr)``.
    ``parts`` are (message id, fields) pairs joined by a space; a field that is itself a
    :class:`Message` is translated too (a job status inside a sentence).
    """

    parts: tuple[tuple[str | Message, dict[str, object]], ...]

    def __new__(cls, *parts: tuple[str | Message, dict[str, object]]) -> Words:
        self = super().__new__(cls, _joined(SourceText(), parts))
        self.parts = parts
        return self

    def in_language(self, tr: Translator) -> str:
        return _joined(tr, self.parts)


def _joined(tr: Translator, parts: tuple[tuple[str | Message, dict[str, object]], ...]) -> str:
    said = []
    for message, fields in parts:
        filled = {k: translate(tr, v) if isinstance(v, Message) else v for k, v in fields.items()}
        said.append(translate(tr, message, **filled))
    return " ".join(said)


def translate(tr: Translator, message: str | Message, /, **fields: object) -> str:
    """``message`` in ``tr``'s language, its ``str.format`` fields filled.

    A plural :class:`Message` takes its count from ``fields[message.count]`` (an integer;
    :class:`KeyError` when missing). With no fields the text is returned unformatted, so
    a literal brace needs no doubling.
    """
    if isinstance(message, str):
        text = tr.gettext(message) if message else ""
    elif message.plural:
        n = int(fields[message.count])  # type: ignore[call-overload]
        if message.context:
            text = tr.npgettext(message.context, message.id, message.plural, n)
        else:
            text = tr.ngettext(message.id, message.plural, n)
    elif message.context:
        text = tr.pgettext(message.context, message.id)
    else:
        text = tr.gettext(message.id)
    return text.format(**fields) if fields else text


@dataclass(frozen=True, slots=True)
class Language:
    """One language the project ships a catalogue for.

    ``code``: the catalogue folder (ISO 639-1); ``name``: the language's own name;
    ``direction``: ``"rtl"`` or ``"ltr"``, for text layout (HTML ``dir``, shaping);
    ``fonts``: font family names, first choice first, that hold its script (the badge and
    chart fonts come from the PyPI font packages of the same names).
    """

    code: str
    name: str
    direction: Direction
    fonts: tuple[str, ...]

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


LATIN_FONTS = ("Noto Sans", "DejaVu Sans")
ARABIC_FONTS = ("Noto Sans Arabic", "Noto Sans", "DejaVu Sans")

LANGUAGES: dict[str, Language] = {
    "fr": Language("fr", "Français", "ltr", LATIN_FONTS),
    "en": Language("en", "English", "ltr", LATIN_FONTS),
    "ar": Language("ar", "العربية", "rtl", ARABIC_FONTS),
}
SOURCE_LANGUAGE = "en"  # the language of the message ids


def language(code: str) -> Language:
    """The :class:`Language` for ``code``; :class:`KeyError` naming the known codes."""
    try:
        return LANGUAGES[code]
    except KeyError:
        known = ", ".join(LANGUAGES)
        raise KeyError(f"no language {code!r} (languages: {known})") from None
