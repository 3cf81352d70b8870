"""Draw a badge as a 1-bit image exactly as wide as the printer's print head."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_M

from printers.fonts import TextStyle, draw_line, ellipsize, is_arabic, text_width, wrap
from printers.layout import BadgeContent

log = logging.getLogger(__name__)

REFERENCE_WIDTH = 576  # sizes below are in dots for an 80 mm head; scaled for others


@dataclass(frozen=True, slots=True)
class Fit:
    """The size and lines chosen for a text block."""

    size: int
    lines: tuple[str, ...]


@lru_cache(maxsize=64)
def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules (no quiet zone) at level M, the smallest version that holds data."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(dark) for dark in row] for row in code.get_matrix()]


def qr_module_dots(modules: int, width: int) -> int:
    """Dots per QR module: about half the paper width, at least 3 dots for a camera."""
    return max(3, min(10, (width // 2) // modules))


def fit_text(
    text: str, width: float, max_size: int, min_size: int, max_lines: int, bold: bool = False
) -> Fit:
    """The largest size (down to min_size) at which text fits max_lines lines within width.

    One line is preferred when it costs at most a fifth of the size of two.
    """
    if not text:
        return Fit(max_size, ())
    reference = text_width(text, TextStyle(100, bold)) or 1.0
    if max_lines > 1:
        one = int(min(max_size, 100 * width / reference))
        one -= one % 2
        two = _fit_lines(text, width, max_size, min_size, max_lines, bold, reference)
        if one >= max(min_size, 0.8 * two.size) and wrap(text, TextStyle(one, bold), width, 1):
            return Fit(one, (text,))
        return two
    return _fit_lines(text, width, max_size, min_size, max_lines, bold, reference)


def _fit_lines(
    text: str,
    width: float,
    max_size: int,
    min_size: int,
    max_lines: int,
    bold: bool,
    reference: float,
) -> Fit:
    # Widths scale with size: start from the size that fills max_lines, then step down.
    size = int(min(max_size, 100 * width * max_lines / reference))
    size -= size % 2  # even sizes only: fewer fonts to load and cache
    while size >= min_size:
        lines = wrap(text, TextStyle(size, bold), width, max_lines)
        if lines is not None:
            return Fit(size, tuple(lines))
        size -= max(2, size // 16 // 2 * 2)
    style = TextStyle(min_size, bold)
    lines = wrap(text, style, width, max_lines + 1)
    if lines is not None:
        return Fit(min_size, tuple(lines))
    # One unbreakable word longer than the line: cut it rather than overflow the paper.
    words = text.split()
    out: list[str] = []
    for word in words:
        candidate = f"{out[-1]} {word}" if out else word
        if out and text_width(candidate, style) <= width:
            out[-1] = candidate
        else:
            out.append(word)
    out = [ellipsize(line, style, width) for line in out[: max_lines + 1]]
    return Fit(min_size, tuple(out))


class Canvas:
    """A white strip the width of the paper that grows downwards as blocks are added."""

    def __init__(self, width: int, context: str) -> None:
        self.width = width
        self.scale = width / REFERENCE_WIDTH
        self.margin = max(8, round(14 * self.scale))
        self.image = Image.new("L", (width, 2400), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = self.margin
        self.context = context

    def dots(self, reference: float) -> int:
        return max(1, round(reference * self.scale))

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin

    def lines(self, fit: Fit, bold: bool = False, fill: int = 0, gap: float = 0.12) -> None:
        style = TextStyle(fit.size, bold)
        for line in fit.lines:
            ascent, descent = _metrics(fit.size, bold, line)
            w = text_width(line, style)
            x = (self.width - w) / 2
            draw_line(self.draw, x, self.y + ascent, line, style, fill, context=self.context)
            self.y += ascent + descent + round(fit.size * gap)

    def rule(self) -> None:
        self.y += self.dots(6)
        self.draw.rectangle(
            (self.margin, self.y, self.width - self.margin - 1, self.y + self.dots(3) - 1), fill=0
        )
        self.y += self.dots(3) + self.dots(10)

    def space(self, reference: float) -> None:
        self.y += self.dots(reference)

    def finish(self) -> Image.Image:
        bottom = min(self.image.height, self.y + self.margin)
        cropped = self.image.crop((0, 0, self.width, bottom))
        return cropped.point(lambda v: 255 if v >= 128 else 0, mode="1")


def _metrics(size: int, bold: bool, text: str = "") -> tuple[int, int]:
    """(ascent, descent) for a line: room for accents, and deeper for Arabic descenders."""
    arabic = any(is_arabic(ch) for ch in text)
    return round(size * (1.0 if arabic else 0.98)), round(size * (0.42 if arabic else 0.26))


def render_badge(
    content: BadgeContent, width: int, *, logo: Image.Image | None = None
) -> Image.Image:
    """The badge as a 1-bit image of exactly `width` dots (pure: no IO besides fonts)."""
    c = Canvas(width, context=content.name)
    name_fit = name_fit_for(content, c)
    # The name is the largest line on the badge: every other text is at most 3/4 of it.
    cap = max(2, int(name_fit.size * OTHERS_OF_NAME)) if content.name else 10**6

    def size(reference: float) -> int:
        return min(c.dots(reference), cap)

    if logo is not None:
        _paste_logo(c, logo)
    if content.event_name:
        c.lines(fit_text(content.event_name, c.inner, size(28), size(18), 2, bold=True), bold=True)
    c.rule()
    c.lines(name_fit, bold=True, gap=0.05)
    if content.organisation:
        c.space(4)
        c.lines(fit_text(content.organisation, c.inner, size(30), size(20), 2))
    c.space(14)
    _band(c, content, size(44), size(20))
    if content.days:
        c.space(10)
        c.lines(fit_text(content.days, c.inner, size(26), size(16), 2))
    if content.qr_data:
        c.space(12)
        _qr(c, content.qr_data)
    return c.finish()


OTHERS_OF_NAME = 0.75  # every other text line is at most this fraction of the name's size


def name_fit_for(content: BadgeContent, c: Canvas) -> Fit:
    """The name's size and lines: as large as fits in two lines, else three lines at a
    smaller size rather than cut (an 80-character name stays whole on 58 mm paper)."""
    max_name = content.name_max_dots or c.dots(80)
    fit = fit_text(content.name, c.inner, max_name, c.dots(30), 2, bold=True)
    if len(fit.lines) <= 2 or not content.name:
        return fit
    three = fit_text(content.name, c.inner, max_name, c.dots(20), 3, bold=True)
    return three if len(three.lines) <= 3 else fit


def _band(c: Canvas, content: BadgeContent, max_size: int, min_size: int) -> None:
    fit = fit_text(content.role_label, c.inner - c.dots(24), max_size, min_size, 1, bold=True)
    ascent, descent = _metrics(fit.size, True, content.role_label)
    pad = c.dots(10)
    height = ascent + descent + 2 * pad
    box = (c.margin, c.y, c.width - c.margin - 1, c.y + height - 1)
    fill = 0
    if content.band == "inverted":
        c.draw.rectangle(box, fill=0)
        fill = 255
    elif content.band == "outlined":
        c.draw.rectangle(box, outline=0, width=c.dots(4))
    c.y += pad
    c.lines(fit, bold=True, fill=fill, gap=0)
    c.y += pad


def qr_image(data: str, box: int) -> Image.Image:
    """The QR code as an L image, box dots per module, no quiet zone."""
    matrix = qr_matrix(data)
    n = len(matrix)
    small = Image.frombytes("L", (n, n), bytes(0 if d else 255 for row in matrix for d in row))
    return small.resize((n * box, n * box), Image.Resampling.NEAREST)


def _qr(c: Canvas, data: str) -> None:
    n = len(qr_matrix(data))
    box = qr_module_dots(n, c.width)
    img = qr_image(data, box)
    quiet = 2 * box  # plus the white paper around it: a camera needs a light border
    c.image.paste(img, ((c.width - img.width) // 2, c.y + quiet))
    c.y += img.height + 2 * quiet


def _paste_logo(c: Canvas, logo: Image.Image) -> None:
    strip = _logo_gray(logo, int(c.inner * 0.7), c.dots(120))
    c.image.paste(strip, ((c.width - strip.width) // 2, c.y))
    c.y += strip.height + c.dots(10)


def _logo_gray(logo: Image.Image, max_w: int, max_h: int) -> Image.Image:
    img = logo.convert("RGBA")
    flat = Image.new("RGBA", img.size, (255, 255, 255, 255))
    flat.alpha_composite(img)
    gray = flat.convert("L")
    gray.thumbnail((max_w, max_h))
    return gray.convert("1").convert("L")  # dithered once, here, at its final size


def logo_strip(logo: Image.Image, width: int) -> Image.Image:
    """The logo centred on a strip as wide as the paper (for printer-text badges)."""
    scale = width / REFERENCE_WIDTH
    gray = _logo_gray(logo, int(width * 0.7), max(1, round(120 * scale)))
    strip = Image.new("L", (width, gray.height + max(1, round(10 * scale))), 255)
    strip.paste(gray, ((width - gray.width) // 2, 0))
    return strip.convert("1")


def load_logo(path: object) -> Image.Image | None:
    """Open a logo file; a missing or broken file logs and prints the badge without it."""
    if not path:
        return None
    try:
        with Image.open(str(path)) as img:
            img.load()
            return img.copy()
    except (OSError, ValueError) as exc:
        log.warning("badge logo %s cannot be read (%s); printing without it", path, exc)
        return None
