"""From what a reader delivered to the code to check: the one place codes are cleaned and repaired.

Codes rarely arrive clean at a venue. A USB scanner types through the host's keyboard
layout, may prefix an AIM symbology identifier and send control characters; phones and
ticketing platforms wrap codes in URLs; Caps Lock changes a signed ticket's case. This
module turns the raw text into the code a registration list knows, in two kinds of steps:

* **Extractions** (always tried, in order, first match wins): control characters and
  surrounding spaces removed, an AIM symbology identifier (``]Q1``, ``]C0``, ``]d2``…,
  ISO/IEC 15424) stripped, the code taken out of a URL (query keys ``code``, ``secret``,
  ``ticket``, ``barcode``; path forms ``…/t/CODE/``, ``…/ticket/CODE``) or out of a
  configured pattern.
* **Repairs**, tried only when no extraction matches anything: the keyboard layout
  (a US-configured scanner on a French AZERTY or German QWERTZ host, or the reverse) and,
  for signed tickets (``A1:`` + base45, upper case only), the case. A repair is accepted
  only when it leads to exactly one registration or a ticket whose signature verifies;
  when two repairs lead to different registrations nothing is guessed: the scan is
  refused as ambiguous.

Pure: the lookup is a callable handed in (the check-in service's store and verifier).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus, urlsplit

# -- keyboard layouts -----------------------------------------------------------------------

# The keys every PC keyboard shares, by position (ANSI names; ISO keyboards have the same
# scan codes there), unshifted then shifted. "\0" marks a key that gives no character.
# A USB HID scanner sends key positions, not characters: the host's layout decides what
# character each position gives, so a scanner set up for one layout on a host using
# another types the host's character at each position the scanner meant.
_ROWS: dict[str, tuple[str, str]] = {
    "us": (
        "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./ ",
        '~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:"ZXCVBNM<>? ',
    ),
    "azerty": (  # French (fr), as Windows and X11 lay it out
        "²&é\"'(-è_çà)=azertyuiop^$*qsdfghjklmùwxcvbn,;:! ",
        "\x001234567890°+AZERTYUIOP¨£µQSDFGHJKLM%WXCVBN?./§ ",
    ),
    "qwertz": (  # German (de)
        "^1234567890ß´qwertzuiopü+#asdfghjklöäyxcvbnm,.- ",
        "°!\"§$%&/()=?`QWERTZUIOPÜ*'ASDFGHJKLÖÄYXCVBNM;:_ ",
    ),
}

LAYOUT_NAMES = {
    "us": "US (QWERTY)",
    "azerty": "French (AZERTY)",
    "qwertz": "German (QWERTZ)",
    "digits": "US digits (number row unshifted)",
}

# Dead keys: pressed alone they wait for the next key and put their accent on it.
_DEAD = {"^": "\u0302", "¨": "\u0308", "´": "\u0301", "`": "\u0300"}
_DEAD_KEYS = {"azerty": {"^", "¨"}, "qwertz": {"^", "´", "`"}, "us": set()}

# (scanner set up for, host keyboard layout): the mix-ups we repair, most common first.
LAYOUT_MIXUPS: tuple[tuple[str, str], ...] = (
    ("us", "azerty"),
    ("azerty", "us"),
    ("us", "qwertz"),
    ("qwertz", "us"),
)


def _positions(layout: str) -> dict[str, int]:
    plain, shifted = _ROWS[layout]
    where: dict[str, int] = {}
    for i, (a, b) in enumerate(zip(plain, shifted, strict=True)):
        where.setdefault(a, 2 * i)
        if b != "\0":
            where.setdefault(b, 2 * i + 1)
    return where


def _at(layout: str, position: int) -> str:
    plain, shifted = _ROWS[layout]
    return (shifted if position % 2 else plain)[position // 2]


_WHERE = {name: _positions(name) for name in _ROWS}


def typed_as(text: str, scanner: str, host: str) -> str | None:
    """What a host with keyboard layout ``host`` shows when a scanner set up for ``scanner``
    types ``text``; None when the scanner's layout cannot type some character.

    Dead keys of the host combine with the next character when Unicode has the composed
    letter (``^`` + ``e`` gives ``ê``), else both characters appear, as Windows and X11 do.
    """
    if (scanner, host) == DIGIT_ROW_MIXUP:
        return text.translate(_DIGIT_ROW_TYPED)
    out: list[str] = []
    dead = ""
    for char in text:
        position = _WHERE[scanner].get(char)
        if position is None:
            return None
        shown = _at(host, position)
        if shown == "\0":
            return None
        if dead:
            composed = unicodedata.normalize("NFC", shown + _DEAD[dead])
            out.append(composed if len(composed) == 1 else dead + shown)
            dead = ""
        elif shown in _DEAD_KEYS[host]:
            dead = shown
        else:
            out.append(shown)
    if dead:
        out.append(dead)
    return "".join(out)


# Key-typing tools that send letters by character but the number row by position give
# "HA&&é" for "HA112" on AZERTY (a public barcode-to-PC report): only digits are off.
# "-" and "_" (the 6 and 8 keys) stay: they are common in codes themselves.
DIGIT_ROW_MIXUP = ("digits", "azerty")
_DIGIT_ROW = str.maketrans("&é\"'(èçà", "12345790")
_DIGIT_ROW_TYPED = str.maketrans("12345790", "&é\"'(èçà")


def meant(text: str, scanner: str, host: str) -> str | None:
    """The text a scanner set up for ``scanner`` meant, from what a ``host`` layout showed.

    The inverse of ``typed_as``: None when the text holds a character that layout mix-up
    cannot produce (then it was not typed that way). ``("digits", "azerty")`` undoes only
    the number row of an AZERTY keyboard.
    """
    if (scanner, host) == DIGIT_ROW_MIXUP:
        return text.translate(_DIGIT_ROW)
    out: list[str] = []
    for char in text:
        keys = _host_keys(char, host)
        if keys is None:
            return None
        for position in keys:
            wanted = _at(scanner, position)
            if wanted == "\0":
                return None
            out.append(wanted)
    return "".join(out)


def _host_keys(char: str, host: str) -> list[int] | None:
    position = _WHERE[host].get(char)
    if position is not None:
        return [position]
    # A letter the host composed from a dead key and the next key (``À`` from `` ` `` + A).
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) == 2:
        base, accent = decomposed[0], decomposed[1]
        dead = next((d for d, mark in _DEAD.items() if mark == accent), None)
        if dead in _DEAD_KEYS[host] and base in _WHERE[host]:
            return [_WHERE[host][dead], _WHERE[host][base]]
    return None


_CODE_LIKE = re.compile(r"[0-9A-Za-z $%*+\-./:?=&_#~]*")


def guess_layout(text: str) -> tuple[str, str] | None:
    """``(scanner, host)`` when ``text`` reads like codes typed through exactly one of the
    layout mix-ups (it holds characters a code does not, and that mix-up undoes them all);
    None when it looks typed right or the layouts cannot be told apart from it."""
    text = strip_controls(text)
    if not text or _CODE_LIKE.fullmatch(text):
        return None
    fits = [
        mixup
        for mixup in LAYOUT_MIXUPS
        if (fixed := meant(text, *mixup)) is not None and _CODE_LIKE.fullmatch(fixed)
    ]
    return fits[0] if len(fits) == 1 else None


# -- extraction -----------------------------------------------------------------------------

URL_KEYS: tuple[str, ...] = ("code", "secret", "ticket", "barcode")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
# ISO/IEC 15424 symbology identifier: "]" + code character + modifier character.
_AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_PATH_CODE = re.compile(r"/(?:t|ticket|tickets|c|code|checkin|check-in|b)/([^/?#]+)/?$", re.I)


def strip_controls(text: str) -> str:
    """The text without control and invisible format characters, trimmed of spaces."""
    return _CONTROL.sub("", text).strip()


def strip_aim(text: str) -> str:
    """The text without a leading AIM symbology identifier (``]Q1``, ``]C0``…)."""
    return _AIM.sub("", text, count=1)


def from_url(text: str, keys: Sequence[str] = URL_KEYS) -> list[str]:
    """The code inside a URL, as it may have been meant: the first of ``keys`` in the query
    (or fragment), else the segment after ``/t/``, ``/ticket/``, ``/code/``…; [] when the
    text is not such a URL.

    Several readings, most literal first: platforms often put a code in a URL without
    %-encoding it, and base45 has ``+``, ``%``, ``$``, ``/`` and ``:``, so the value as
    written comes before its %-decoded and its form-decoded (``+`` for space) readings.
    """
    if "://" not in text[:12]:
        return []
    try:
        parts = urlsplit(text)
    except ValueError:
        return []
    if not parts.netloc:
        return []
    raw = ""
    for query in (parts.query, parts.fragment):
        pairs = [pair.partition("=") for pair in query.split("&")]
        values: dict[str, str] = {}
        for key, _, value in pairs:
            values.setdefault(unquote_plus(key).strip().lower(), value)
        raw = next((values[k.lower()] for k in keys if values.get(k.lower(), "").strip()), "")
        if raw:
            break
    if not raw:
        match = _PATH_CODE.search(parts.path)
        raw = match.group(1) if match else ""
    readings = (raw, unquote(raw), unquote_plus(raw))
    return [r for r in dict.fromkeys(r.strip() for r in readings) if r]


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A ``[scanner] code_pattern``: a regular expression with a group named ``code`` or
    exactly one group. Raises ValueError saying what is wrong."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    if "code" not in compiled.groupindex and compiled.groups != 1:
        raise ValueError("expected a group named 'code', (?P<code>...), or exactly one group")
    return compiled


def from_pattern(text: str, pattern: re.Pattern[str]) -> str | None:
    match = pattern.search(text)
    if match is None:
        return None
    value = match.group("code") if "code" in pattern.groupindex else match.group(1)
    return value.strip() if value and value.strip() else None


def extractions(
    text: str, patterns: Sequence[re.Pattern[str]] = (), url_keys: Sequence[str] = URL_KEYS
) -> list[tuple[str, str]]:
    """The forms of ``text`` worth looking up, in order: ``(code, how)`` pairs, distinct.

    ``how`` is "" for the text as it came (spaces trimmed), "controls" when control
    characters were removed, else "aim", "url" or "pattern".
    """
    base = strip_controls(text)
    forms: dict[str, str] = {}

    def add(code: str | None, how: str) -> None:
        code = strip_controls(code) if code else code  # a URL may %-encode control characters
        if code and code not in forms:
            forms[code] = how

    add(base, "" if base == text.strip() else "controls")
    without_aim = strip_aim(base)
    add(without_aim, "aim")
    for source in dict.fromkeys((base, without_aim)):
        for code in from_url(source, url_keys):
            add(code, "url")
        for pattern in patterns:
            add(from_pattern(source, pattern), "pattern")
    return list(forms.items())


@dataclass(frozen=True, slots=True)
class IntakeRules:
    """How this kiosk reads raw input ([scanner] in config.toml)."""

    patterns: tuple[re.Pattern[str], ...] = ()
    url_keys: tuple[str, ...] = URL_KEYS
    repair_layout: bool = True


# -- the decision -----------------------------------------------------------------------------

Lookup = Callable[[str], frozenset[str]]
"""lookup(code) -> the ids the code leads to: registrations that hold it, or the registration
of a signed ticket whose signature verifies. Empty when it leads nowhere."""

SIGNED_PREFIX = "A1:"


@dataclass(frozen=True, slots=True)
class Interpretation:
    """What to check for a raw input, and how it was obtained.

    ``code`` is the code to check (the cleaned raw text when nothing matched); ``repair``
    names what changed it ("" when the text came clean: "aim", "url", "pattern",
    "case", "layout:us-on-azerty"…; joined by "+"); ``ambiguous`` lists the
    candidates that led to different registrations (then nothing is checked in);
    ``layout`` is the host layout a scanner should be set to, when a layout repair was
    needed or tried and ambiguous.
    """

    raw: str
    code: str
    repair: str = ""
    ambiguous: tuple[str, ...] = ()
    layout: str = ""
    matched: frozenset[str] = field(default_factory=frozenset)

    @property
    def advice_layout(self) -> str:
        """The keyboard layout to set the scanner to ("" when its layout looked right)."""
        return LAYOUT_NAMES.get(self.layout, "")

    @property
    def repaired(self) -> bool:
        return bool(self.repair) or self.code != self.raw.strip()

    @property
    def note(self) -> str:
        """One line for the scan log: what came in, and how it became the row's code
        ("" when it came clean). Starts with ``NOTE_PREFIX`` (see ``repair_in_note``)."""
        came = f"came in as {clip(self.raw)}"
        if self.ambiguous:
            could = " or ".join(clip(c) for c in self.ambiguous)
            return (
                f"{NOTE_PREFIX}ambiguous after {self.repair or 'repair'}: {came}, could be {could}"
            )
        if not self.repaired:
            return ""
        return f"{NOTE_PREFIX}{self.repair or 'cleaned'}: {came}"


NOTE_PREFIX = "input "
_NOTE = re.compile(r"^input (ambiguous after )?(\S+): came in as ")
CLIP = 24


def clip(text: str) -> str:
    """A code for a log line: its start, quoted, and its length when cut (codes are
    credentials; the start shows a layout or case problem just as well)."""
    if len(text) <= CLIP:
        return repr(text)
    return f"{text[:CLIP]!r}… ({len(text)} characters)"


def repair_in_note(note: str) -> str | None:
    """The repair a scan-log note records ("layout:us-on-azerty", "url", "ambiguous after
    case"…), or None when the note is not about input."""
    match = _NOTE.match(note)
    if match is None:
        return None
    return ("ambiguous after " if match.group(1) else "") + match.group(2)


def interpret(
    raw: str,
    lookup: Lookup,
    *,
    patterns: Sequence[re.Pattern[str]] = (),
    url_keys: Sequence[str] = URL_KEYS,
    repair_layout: bool = True,
) -> Interpretation:
    """The code to check for ``raw``: extractions first, then case and layout repairs.

    Extractions are deterministic: the first that ``lookup`` knows wins. A repair is used
    only when every repair that leads anywhere leads to the same single registration;
    repairs leading to two or more registrations give an ``ambiguous`` interpretation.
    """
    forms = extractions(raw, patterns, url_keys)
    if not forms:
        return Interpretation(raw, "")
    fallback = forms[-1]  # the most extracted form: what an unknown scan is logged as
    for code, how in forms:
        found = lookup(code)
        if found:
            return Interpretation(raw, code, how, matched=found)

    candidates: list[tuple[str, str, str]] = []  # (code, repair, host layout to advise)
    for code, how in forms:
        candidates.extend(_case_repairs(code, how))
    if repair_layout:
        for scanner, host in (*LAYOUT_MIXUPS, DIGIT_ROW_MIXUP):
            repaired = meant(strip_controls(raw), scanner, host)
            if repaired is None or repaired == strip_controls(raw):
                continue
            step = f"layout:{scanner}-on-{host}"
            for code, how in extractions(repaired, patterns, url_keys):
                label = "+".join(s for s in (step, how) if s)
                candidates.append((code, label, host))
                candidates.extend((c, f"{label}+case", host) for c, _, _ in _case_repairs(code, ""))

    hits: dict[str, tuple[str, str, frozenset[str]]] = {}
    ids: set[str] = set()
    for code, repair, host in candidates:
        if code in hits:
            continue
        found = lookup(code)
        if found:
            hits[code] = (repair, host, found)
            ids |= found
    if not hits:
        return Interpretation(raw, fallback[0], fallback[1])
    if len(ids) == 1:
        code, (repair, host, found) = next(iter(hits.items()))
        return Interpretation(raw, code, repair, layout=host, matched=found)
    repairs = "/".join(dict.fromkeys(repair for repair, _, _ in hits.values()))
    hosts = {host for _, host, _ in hits.values() if host}
    return Interpretation(
        raw,
        fallback[0],
        repairs,
        ambiguous=tuple(hits),
        layout=hosts.pop() if len(hosts) == 1 else "",
    )


def _case_repairs(code: str, how: str) -> Iterable[tuple[str, str, str]]:
    """A signed ticket typed with Caps Lock on: base45 has upper-case letters only."""
    upper = code.upper()
    if upper != code and upper.startswith(SIGNED_PREFIX):
        yield upper, "+".join(s for s in (how, "case") if s), ""
