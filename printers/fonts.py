"""Fonts per script, right-to-left ordering and shaped text drawing for badges.

Latin text uses Noto Sans, Arabic text Noto Sans Arabic; both come from PyPI font packages
so no system font is assumed. A line is split into runs of one direction (a small
implementation of the Unicode bidi rules that names need: strong letters, numbers,
neutrals), then into runs of one font; each piece is shaped by raqm (Arabic letters
joined) and the pieces are placed in visual order. Characters no font has are drawn as
the font's missing-glyph box and logged, never raised.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

from kiosk.errors import PrinterError

log = logging.getLogger(__name__)

LATIN = "latin"
ARABIC = "arabic"

_FONT_FILES = {
    LATIN: ("fontpkg_noto_sans", "NotoSans[wdth,wght].ttf"),
    ARABIC: ("fontpkg_noto_sans_arabic", "NotoSansArabic[wdth,wght].ttf"),
}
_PROBE_MISSING = "\U0010fffd"  # a private-use code point no font maps: its mask is .notdef


class FontMissingError(PrinterError, RuntimeError):
    """A font package is not installed: the badge cannot be rendered."""


def font_path(script: str) -> Path:
    package, name = _FONT_FILES[script]
    try:
        path = Path(str(resources.files(package) / "files" / name))
    except ModuleNotFoundError:
        raise FontMissingError(
            f"the font package {package.replace('_', '-')} is not installed "
            "(pip install -e . installs it)"
        ) from None
    if not path.exists():
        raise FontMissingError(f"{path}: font file missing from {package}")
    return path


@cache
def raqm_available() -> bool:
    """True when Pillow can shape Arabic (raqm with fribidi); warns once when not."""
    ok = bool(features.check("raqm")) and bool(features.check("fribidi"))
    if not ok:
        log.warning(
            "Pillow has no raqm/fribidi layout (install the Debian package libfribidi0): "
            "Arabic names print right-to-left but with unjoined letters"
        )
    return ok


@lru_cache(maxsize=256)
def font(script: str, size: int, bold: bool = False, basic: bool = False) -> ImageFont.FreeTypeFont:
    """A cached font of the script at a pixel size; basic=True skips raqm (fallback, tests)."""
    engine = ImageFont.Layout.BASIC if basic or not raqm_available() else ImageFont.Layout.RAQM
    f = ImageFont.truetype(str(font_path(script)), size, layout_engine=engine)
    if bold:
        f.set_variation_by_name("Bold")
    return f


@lru_cache(maxsize=4096)
def _covers(script: str, char: str) -> bool:
    f = font(script, 32, basic=True)
    probe = f.getmask(_PROBE_MISSING)
    mask = f.getmask(char)
    return not (mask.size == probe.size and bytes(mask) == bytes(probe))


def is_arabic(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("AL", "R") or "\u0600" <= char <= "\u06ff"


def script_of(char: str) -> str | None:
    """The font that draws this character: Arabic letters first to Arabic, the rest Latin."""
    order = (ARABIC, LATIN) if is_arabic(char) else (LATIN, ARABIC)
    for script in order:
        if _covers(script, char):
            return script
    return None


# -- bidi ------------------------------------------------------------------------------

_STRONG_R = {"R", "AL"}
_NUMBER = {"EN", "AN"}


def _classes(text: str) -> list[str]:
    out = []
    for ch in text:
        b = unicodedata.bidirectional(ch)
        out.append(
            "R"
            if b in _STRONG_R
            else "L"
            if b == "L"
            else "D"
            if b in _NUMBER
            else "S"
            if b in ("CS", "ES", "ET")
            else "N"
        )
    # A separator between two numbers (08/12, 1.5, 10:30) belongs to the number.
    for i, c in enumerate(out):
        if c == "S":
            joined = 0 < i < len(out) - 1 and out[i - 1] == "D" and out[i + 1] == "D"
            out[i] = "D" if joined else "N"
    return out


def base_is_rtl(text: str) -> bool:
    """The paragraph direction: that of the first strong letter (LTR when none)."""
    for c in _classes(text):
        if c in ("L", "R"):
            return c == "R"
    return False


def bidi_levels(text: str, rtl: bool | None = None) -> list[int]:
    """Embedding level per character (even: left to right, odd: right to left)."""
    if rtl is None:
        rtl = base_is_rtl(text)
    base = 1 if rtl else 0
    cls = _classes(text)
    # Numbers after a left-to-right letter read as left-to-right letters.
    last = "R" if rtl else "L"
    for i, c in enumerate(cls):
        if c in ("L", "R"):
            last = c
        elif c == "D" and last == "L":
            cls[i] = "L"
    # Neutrals take the direction around them when both sides agree, else the paragraph's.
    i = 0
    while i < len(cls):
        if cls[i] != "N":
            i += 1
            continue
        j = i
        while j < len(cls) and cls[j] == "N":
            j += 1
        before = ("R" if cls[i - 1] == "D" else cls[i - 1]) if i > 0 else ("R" if rtl else "L")
        after = ("R" if cls[j] == "D" else cls[j]) if j < len(cls) else ("R" if rtl else "L")
        fill = before if before == after else ("R" if rtl else "L")
        for k in range(i, j):
            cls[k] = fill
        i = j
    levels = []
    for c in cls:
        if base == 0:
            levels.append(0 if c == "L" else 1 if c == "R" else 2)
        else:
            levels.append(1 if c == "R" else 2)
    return levels


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of one direction and one font, in visual (left-to-right) order."""

    text: str
    script: str
    rtl: bool


def visual_pieces(text: str) -> tuple[list[Piece], list[str]]:
    """Split a line into pieces in display order; also return characters no font has."""
    text = unicodedata.normalize("NFC", text)
    if not text:
        return [], []
    levels = bidi_levels(text)
    missing: list[str] = []
    scripts: list[str] = []
    for ch in text:
        s = script_of(ch)
        if s is None:
            missing.append(ch)
            s = scripts[-1] if scripts else LATIN
        scripts.append(s)
    # Neutral characters (spaces, punctuation) stay with the font of their neighbours.
    for i, ch in enumerate(text):
        neutral = unicodedata.bidirectional(ch) in ("WS", "ON", "CS", "ES", "ET", "BN", "NSM")
        if neutral and i > 0 and _covers(scripts[i - 1], ch):
            scripts[i] = scripts[i - 1]
    runs: list[tuple[int, str, str]] = []  # (level, script, text) in logical order
    for ch, lv, sc in zip(text, levels, scripts, strict=True):
        if runs and runs[-1][0] == lv and runs[-1][1] == sc:
            runs[-1] = (lv, sc, runs[-1][2] + ch)
        else:
            runs.append((lv, sc, ch))
    # Reverse every maximal sequence at or above each level, highest level first (rule L2).
    order = list(range(len(runs)))
    for level in range(max(r[0] for r in runs), 0, -1):
        i = 0
        while i < len(order):
            if runs[order[i]][0] >= level:
                j = i
                while j < len(order) and runs[order[j]][0] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    pieces = [Piece(runs[k][2], runs[k][1], runs[k][0] % 2 == 1) for k in order]
    return pieces, missing


# -- measuring and drawing --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextStyle:
    size: int
    bold: bool = False
    basic: bool = False  # no raqm (the fallback path, forced in tests)


def _draw_args(piece: Piece, style: TextStyle) -> tuple[str, ImageFont.FreeTypeFont, str | None]:
    f = font(piece.script, style.size, style.bold, style.basic)
    if f.layout_engine == ImageFont.Layout.RAQM:
        return piece.text, f, "rtl" if piece.rtl else "ltr"
    # Without raqm Pillow lays out left to right: reverse right-to-left runs by hand.
    return (piece.text[::-1] if piece.rtl else piece.text), f, None


def text_width(text: str, style: TextStyle) -> float:
    pieces, _ = visual_pieces(text)
    total = 0.0
    for p in pieces:
        s, f, direction = _draw_args(p, style)
        total += f.getlength(s, direction=direction)
    return total


def draw_line(
    draw: ImageDraw.ImageDraw,
    x: float,
    baseline: float,
    text: str,
    style: TextStyle,
    fill: int = 0,
    *,
    context: str = "",
) -> float:
    """Draw one line starting at x on a baseline; return its width. Logs missing glyphs."""
    pieces, missing = visual_pieces(text)
    if missing:
        log.warning(
            "no font has %s%s; printed as boxes",
            ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(missing)),
            f" ({context})" if context else "",
        )
    start = x
    for p in pieces:
        s, f, direction = _draw_args(p, style)
        draw.text((x, baseline), s, font=f, fill=fill, anchor="ls", direction=direction)
        x += f.getlength(s, direction=direction)
    return x - start


def wrap(text: str, style: TextStyle, width: float, max_lines: int) -> list[str] | None:
    """Greedy word wrap into at most max_lines lines of at most width; None if it cannot."""
    words = text.split()
    if not words:
        return [""]
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, style) <= width:
            current = candidate
            continue
        if not current or text_width(word, style) > width:
            return None
        lines.append(current)
        current = word
    lines.append(current)
    return lines if len(lines) <= max_lines else None


def ellipsize(text: str, style: TextStyle, width: float) -> str:
    """The longest prefix (in reading order) that fits, with an ellipsis."""
    if text_width(text, style) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + "…", style) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"
