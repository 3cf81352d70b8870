"""Screen texts of the kiosk app, looked up in the gettext catalogues, and Arabic for terminals.

Verdict sentences come from kiosk.core.texts; this module maps what only the screens say
(stable keys such as ``"door.ready"``) to English message ids, translated per language by
:func:`kiosk.locale.translator` (the ``.po`` files under ``kiosk/locale``).
Terminals lay out cells left to right and do not join Arabic letters, so Arabic lines are
shaped (presentation forms) and put in visual order here, one wrapped line at a time.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from kiosk.core.i18n import LANGUAGES, N_, Message, language, translate
from kiosk.core.model import Lang
from kiosk.locale import translator
from kiosk.ui.i18n_staff import STAFF_UI

UI: dict[str, str | Message] = {
    "ready.title": N_("Show your QR code to the camera"),
    "ready.hint": N_("Hold your phone or ticket about 20 cm away, code facing the screen."),
    "ready.no_camera": N_("No camera: please use the scanner or ask a member of staff."),
    "ready.checking": N_("Checking…"),
    "ok.help_desk_badge": N_("Welcome, {name}! Your badge will be printed at the help desk."),
    "error.try_again": N_("Something went wrong. Please try again or see the help desk."),
    "error.not_recorded": N_(
        "Not recorded: the check failed (details in the kiosk log). Scan again."
    ),
    "door.inside": N_("Inside"),
    "door.entry": N_("ENTRY"),
    "door.exit": N_("EXIT"),
    "door.ready": N_("Scan your badge"),
    "door.no_session": N_(
        "This door is not ready yet: please ask a member of staff to choose the session."
    ),
    "door.full": N_("Session full"),
    "door.near": N_("Almost full"),
    "door.hint": N_("F1/F2/F3 language · F12 staff"),
    "attendee.staff_hint": N_("F12 staff"),
}

UI.update(STAFF_UI)

LANG_NAMES = {Lang(code): lang.name for code, lang in LANGUAGES.items() if code in set(Lang)}


def ui_text(key: str, lang: Lang | str, **fields: object) -> str:
    """The screen text ``key`` in ``lang``, its ``str.format`` fields filled.

    :class:`KeyError` for an unknown key; a plural text takes its count from the field
    its :class:`~kiosk.core.i18n.Message` names.
    """
    return translate(translator(str(lang)), UI[key], **fields)


def is_rtl(lang: Lang | str) -> bool:
    """Whether ``lang`` is written right to left (a property of the language)."""
    return language(str(lang)).rtl


def code_word(prefix: str, value: str, lang: Lang) -> str:
    """A stored code word (role, scan kind, print status…) in words, or as stored if new."""
    key = f"{prefix}.{value}"
    return ui_text(key, lang) if key in UI else value


_WHO = re.compile(r"(?:(?P<name>.*) \()?(?P<role>steward|supervisor)\)?")


def staff_words(who: str, lang: Lang | str) -> str:
    """A staff member as the log keeps them ("NC (steward)") in ``lang``'s words.

    The log keeps the role in English so every kiosk and the hub read it alike; only
    the role is translated ("NC (agent d'accueil)"); anything else is shown as kept.
    """
    m = _WHO.fullmatch(who)
    if m is None:
        return who
    role = ui_text(f"staff_role.{m['role']}", lang)
    return f"{m['name']} ({role})" if m["name"] is not None else role


def next_lang(lang: Lang) -> Lang:
    """The language after this one (fr -> en -> ar -> fr), for a switch key."""
    order = list(Lang)
    return order[(order.index(lang) + 1) % len(order)]


def printer_words(printer: Any, lang: Lang) -> str:
    """A PrinterView's state in staff words; the queue's own message when it says more."""
    key = f"printer.{printer.state}"
    if key not in UI or (printer.level == "warn" and printer.state in ("ok", "unknown")):
        return str(printer.message or printer.state)
    return ui_text(key, lang)


def has_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in text)


def _visual_line(line: str) -> str:
    # Isolates, shaping and order: kiosk.ui.bidi (UAX #9 with isolates and mirroring).
    from kiosk.ui.bidi import display

    return display(line)


# Rich and Textual pass ESC and C1 controls through to the terminal (they strip only BEL,
# BS, VT, FF and CR): a name holding "ESC ] 52 ;…" would set the kiosk's clipboard, a CSI
# would move the cursor or clear the screen. Controls are drawn as their visible pictures
# (U+2400 block; C1 as U+FFFD); the line break stays.
_NO_ISOLATES: dict[int, int | None] = {ord(c): None for c in "\u2066\u2067\u2068\u2069"}
_CONTROL_PICTURES: dict[int, int | None] = {
    **{c: 0x2400 + c for c in range(0x20) if c != 0x0A},
    0x09: 0x20,
    0x7F: 0x2421,
    **{c: 0xFFFD for c in range(0x80, 0xA0)},
}


def drawable(text: str) -> str:
    """``text`` with no control character a terminal would act on (line breaks kept);
    bidi isolate controls are dropped (:func:`visual` honours them before)."""
    return text if text.isprintable() else text.translate(_CONTROL_PICTURES | _NO_ISOLATES)


def visual_lines(text: str, width: int) -> list[str]:
    """Wrap in reading order, then shape and reorder each line for a left-to-right terminal."""
    lines: list[str] = []
    for paragraph in _keep_isolates(text).split("\n"):
        wrapped = textwrap.wrap(paragraph, max(8, width)) or [""]
        lines.extend(_visual_line(line) if has_arabic(line) else drawable(line) for line in wrapped)
    return lines


def visual(text: str) -> str:
    """One line of mixed text as a terminal should draw it (names in lists, titles)."""
    text = _keep_isolates(text)
    return _visual_line(text) if has_arabic(text) else drawable(text)


def _keep_isolates(text: str) -> str:
    """``drawable`` but for the bidi isolate controls, which the reordering reads."""
    return text if text.isprintable() else text.translate(_CONTROL_PICTURES)
