"""Screen texts of the kiosk app in French, English and Arabic, and Arabic for terminals.

Verdict sentences come from kiosk.core.texts; this module holds what only the screens say.
Terminals lay out cells left to right and do not join Arabic letters, so Arabic lines are
shaped (presentation forms) and put in visual order here, one wrapped line at a time.
"""

from __future__ import annotations

import textwrap
from typing import Any

from kiosk.core.model import Lang
from kiosk.ui.i18n_staff import STAFF_UI

UI: dict[str, dict[Lang, str]] = {
    "ready.title": {
        Lang.FR: "Présentez votre QR code à la caméra",
        Lang.EN: "Show your QR code to the camera",
        Lang.AR: "اعرض رمز QR الخاص بك أمام الكاميرا",
    },
    "ready.hint": {
        Lang.FR: "Tenez votre téléphone ou votre billet à 20 cm, code face à l'écran.",
        Lang.EN: "Hold your phone or ticket about 20 cm away, code facing the screen.",
        Lang.AR: "أمسك هاتفك أو تذكرتك على بعد 20 سم تقريباً والرمز مواجه للشاشة.",
    },
    "ready.no_camera": {
        Lang.FR: "Pas de caméra : utilisez le lecteur de codes ou adressez-vous à l'accueil.",
        Lang.EN: "No camera: please use the scanner or ask a member of staff.",
        Lang.AR: "لا توجد كاميرا: يرجى استخدام الماسح الضوئي أو سؤال أحد المنظمين.",
    },
    "ready.checking": {
        Lang.FR: "Vérification…",
        Lang.EN: "Checking…",
        Lang.AR: "جارٍ التحقق…",
    },
    "ok.help_desk_badge": {
        Lang.FR: "Bienvenue, {name} ! Votre badge sera imprimé à l'accueil.",
        Lang.EN: "Welcome, {name}! Your badge will be printed at the help desk.",
        Lang.AR: "أهلاً وسهلاً، {name}! ستتم طباعة شارتك في مكتب الاستقبال.",
    },
    "error.try_again": {
        Lang.FR: "Un problème est survenu. Merci de réessayer ou de vous adresser à l'accueil.",
        Lang.EN: "Something went wrong. Please try again or see the help desk.",
        Lang.AR: "حدث خطأ ما. يرجى المحاولة مرة أخرى أو التوجه إلى مكتب الاستقبال.",
    },
    "door.inside": {
        Lang.FR: "Présents",
        Lang.EN: "Inside",
        Lang.AR: "الحاضرون",
    },
    "door.entry": {Lang.FR: "ENTRÉE", Lang.EN: "ENTRY", Lang.AR: "دخول"},
    "door.exit": {Lang.FR: "SORTIE", Lang.EN: "EXIT", Lang.AR: "خروج"},
    "door.ready": {
        Lang.FR: "Scannez votre badge",
        Lang.EN: "Scan your badge",
        Lang.AR: "امسح شارتك",
    },
    "door.no_session": {
        Lang.FR: "Cette porte n'est pas encore prête : demandez à un membre de l'équipe "
        "de choisir la session.",
        Lang.EN: "This door is not ready yet: please ask a member of staff to choose the session.",
        Lang.AR: "هذا المدخل غير جاهز بعد: يرجى أن تطلب من أحد المنظمين اختيار الجلسة.",
    },
    "door.full": {
        Lang.FR: "Session complète",
        Lang.EN: "Session full",
        Lang.AR: "الجلسة ممتلئة",
    },
    "door.near": {
        Lang.FR: "Presque complète",
        Lang.EN: "Almost full",
        Lang.AR: "شبه ممتلئة",
    },
}

UI.update(STAFF_UI)

LANG_NAMES = {Lang.FR: "Français", Lang.EN: "English", Lang.AR: "العربية"}


def ui_text(key: str, lang: Lang, **fields: object) -> str:
    text = UI[key][lang]
    return text.format(**fields) if fields else text


def code_word(prefix: str, value: str, lang: Lang) -> str:
    """A stored code word (role, scan kind, print status…) in words, or as stored if new."""
    key = f"{prefix}.{value}"
    return ui_text(key, lang) if key in UI else value


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
_NO_ISOLATES: dict[int, None] = {ord(c): None for c in "\u2066\u2067\u2068\u2069"}
_CONTROL_PICTURES = {
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
