"""Draw a badge on a label: the receipt badge's blocks, fitted to a fixed label size.

The drawing functions are the receipt badge's (printers.render: text fitting, shaped and
right-to-left lines, QR modules); this module decides where they go on a label:

* portrait and continuous labels (62 mm, 62 × 100 mm, 2.25 × 4 in): one column, as on a
  receipt; a die-cut label that is too short shrinks the text, then leaves out the logo,
  the days, the organisation and the event name, in that order (never the name, the role
  band or the QR code);
* landscape labels (4 × 3 in): event and name across the whole label, the role band and
  days on the left, the QR code on the right.

The name is always the largest text (every other block is capped at 80 % of its size) and
the QR code has at least QR_MIN_MODULE dots a module, so a phone or a door scanner reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PIL import Image

from printers.fonts import is_arabic
from printers.layout import BadgeContent
from printers.render import (
    REFERENCE_WIDTH,
    Canvas,
    Fit,
    _paste_logo,
    fit_text,
    qr_image,
    qr_matrix,
)

QR_MIN_MODULE = 4  # dots per module: below this, 203 dpi modules (0.5 mm) read badly
QR_MAX_MODULE = 10  # ZPL ^BQ magnification is 1-10 on older Zebra firmware
OTHER_TEXT_SHARE = 0.8  # any other line is at most this share of the name's size
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6)  # text scales tried before leaving blocks out
GROW = (1.5, 1.35, 1.2, 1.1)  # a die-cut label with room to spare gets larger text first
OPTIONAL = ("logo", "days", "organisation", "event")  # left out in this order when too long


@dataclass(frozen=True, slots=True)
class Field:
    """One drawn block, in label dots, for printers that draw text and QR codes themselves.

    kind: "text" (lines centred in x..x+width, font size in dots, reverse: white on
    black), "box" (filled when thickness >= height) or "qr" (size: dots per module).
    """

    kind: str
    x: int
    y: int
    width: int
    height: int
    lines: tuple[str, ...] = ()
    size: int = 0
    bold: bool = False
    reverse: bool = False
    thickness: int = 0
    data: str = ""

    def moved(self, dx: int, dy: int) -> Field:
        return replace(self, x=self.x + dx, y=self.y + dy)


@dataclass(frozen=True, slots=True)
class LabelBadge:
    """A badge drawn for a label: the 1-bit image and what the layout chose."""

    image: Image.Image  # mode "1", width dots × (length dots, or as long as needed)
    name_size: int  # font size of the name in dots
    qr_module: int  # dots per QR module (0: no QR code)
    left_out: tuple[str, ...]  # optional blocks that did not fit
    fields: tuple[Field, ...] = ()  # where each block went (text, boxes, QR), top to bottom
    logo_height: int = 0  # dots at the top taken by the logo (0: none)


def render_label(
    content: BadgeContent, width: int, length: int = 0, *, logo: Image.Image | None = None
) -> LabelBadge:
    """The badge for a label `width` dots across and `length` dots long (0: continuous).

    Pure apart from fonts. Raises ValueError when even the name, band and QR code at
    their smallest cannot fit (a label far too small for a badge).
    """
    landscape = bool(length) and width > length
    base = width / REFERENCE_WIDTH
    if landscape:
        base = min(base, length / (REFERENCE_WIDTH * 0.75))
    draw = _landscape if landscape else _portrait

    def attempt(share: float, left_out: tuple[str, ...] = ()) -> LabelBadge | None:
        badge = draw(content, width, length, base * share, share, logo, left_out)
        return badge if not length or badge.image.height <= length else None

    if not length:
        return draw(content, width, 0, base, 1.0, logo, ())
    # The largest text scale that fits. A badge grows a little less than its scale (the
    # margins stay, the QR code stops at QR_MAX_MODULE), so the scale that the first
    # drawing's height predicts fits nearly always: usually two drawings in all.
    first = draw(content, width, length, base, 1.0, logo, ())
    predicted = length / max(1, first.image.height)
    candidates = [s for s in GROW + SCALES if s <= predicted * 1.05]
    best = first if first.image.height <= length else None
    for share in candidates:
        if share == 1.0:  # drawn already
            if best is not None:
                break
            continue
        found = attempt(share)
        if found is not None:
            best = found
            break
    if best is not None:
        return _place(best, width, length)
    tries = [(SCALES[-1], OPTIONAL[:n]) for n in range(1, len(OPTIONAL) + 1)]
    for share, left_out in [*tries, (SCALES[-1] * 0.8, OPTIONAL)]:
        found = attempt(share, left_out)
        if found is not None:
            return _place(found, width, length)
    raise ValueError(
        f"a badge does not fit on a label of {width} × {length} dots: choose a larger label_size"
    )


class _Recorder(Canvas):
    """A Canvas that also notes where it drew each block."""

    fields: list[Field]

    def lines(self, fit: Fit, bold: bool = False, fill: int = 0, gap: float = 0.12) -> None:
        top = self.y
        super().lines(fit, bold, fill, gap)
        if fit.lines:
            self.fields.append(
                Field("text", self.margin, top, self.inner, self.y - top, fit.lines, fit.size,
                      bold, reverse=fill == 255)
            )  # fmt: skip

    def rule(self) -> None:
        top = self.y + self.dots(6)
        super().rule()
        thick = self.dots(3)
        self.fields.append(Field("box", self.margin, top, self.inner, thick, thickness=thick))


def _canvas(width: int, scale: float, context: str) -> _Recorder:
    c = _Recorder(width, context=context)
    c.fields = []
    c.scale = scale
    c.margin = max(8, round(14 * scale))
    c.y = c.margin
    return c


def _cap(c: Canvas, name: Fit, largest: float, smallest: float) -> tuple[int, int]:
    top = min(c.dots(largest), int(name.size * OTHER_TEXT_SHARE))
    top -= top % 2
    return top, min(c.dots(smallest), top)


def _name(c: Canvas, content: BadgeContent) -> Fit:
    biggest = content.name_max_dots or c.dots(80)
    return fit_text(content.name, c.inner, biggest, min(c.dots(22), biggest), 2, bold=True)


def _head(
    c: Canvas,
    content: BadgeContent,
    name: Fit,
    logo: Image.Image | None,
    left_out: tuple[str, ...],
) -> int:
    """Logo, event name, rule, name, organisation; returns the logo's height."""
    logo_height = 0
    if logo is not None and "logo" not in left_out:
        _paste_logo(c, logo)
        logo_height = c.y
    if content.event_name and "event" not in left_out:
        big, small = _cap(c, name, 28, 18)
        c.lines(fit_text(content.event_name, c.inner, big, small, 2, bold=True), bold=True)
    c.rule()
    c.lines(name, bold=True, gap=0.05)
    if content.organisation and "organisation" not in left_out:
        c.space(4)
        big, small = _cap(c, name, 30, 20)
        c.lines(fit_text(content.organisation, c.inner, big, small, 2))
    return logo_height


def _band_and_days(
    c: _Recorder, content: BadgeContent, name: Fit, left_out: tuple[str, ...]
) -> None:
    big, small = _cap(c, name, 44, 20)
    fit = fit_text(content.role_label, c.inner - c.dots(24), big, small, 1, bold=True)
    arabic = any(is_arabic(ch) for ch in content.role_label)
    ascent = round(fit.size * (1.0 if arabic else 0.98))
    descent = round(fit.size * (0.42 if arabic else 0.26))
    pad = c.dots(10)
    height = ascent + descent + 2 * pad
    box = (c.margin, c.y, c.width - c.margin - 1, c.y + height - 1)
    fill = 0
    if content.band == "inverted":
        c.draw.rectangle(box, fill=0)
        c.fields.append(Field("box", c.margin, c.y, c.inner, height, thickness=height))
        fill = 255
    elif content.band == "outlined":
        c.draw.rectangle(box, outline=0, width=c.dots(4))
        c.fields.append(Field("box", c.margin, c.y, c.inner, height, thickness=c.dots(4)))
    c.y += pad
    c.lines(fit, bold=True, fill=fill, gap=0)
    c.y += pad
    if content.days and "days" not in left_out:
        c.space(10)
        big, small = _cap(c, name, 26, 16)
        c.lines(fit_text(content.days, c.inner, big, small, 2))


def _qr_box(data: str, room: float) -> int:
    modules = len(qr_matrix(data))
    return max(QR_MIN_MODULE, min(QR_MAX_MODULE, int(room) // modules))


def _paste_qr(c: _Recorder, data: str, box: int) -> None:
    img = qr_image(data, box)
    quiet = 2 * box
    left = (c.width - img.width) // 2
    c.image.paste(img, (left, c.y + quiet))
    c.fields.append(Field("qr", left, c.y + quiet, img.width, img.height, size=box, data=data))
    c.y += img.height + 2 * quiet


def _portrait(
    content: BadgeContent,
    width: int,
    length: int,
    scale: float,
    share: float,
    logo: Image.Image | None,
    left_out: tuple[str, ...],
) -> LabelBadge:
    c = _canvas(width, scale, content.name)
    name = _name(c, content)
    logo_height = _head(c, content, name, logo, left_out)
    c.space(14)
    _band_and_days(c, content, name, left_out)
    box = 0
    if content.qr_data:
        c.space(12)
        box = _qr_box(content.qr_data, width * 0.5 * share)
        _paste_qr(c, content.qr_data, box)
    return LabelBadge(c.finish(), name.size, box, left_out, tuple(c.fields), logo_height)


def _landscape(
    content: BadgeContent,
    width: int,
    length: int,
    scale: float,
    share: float,
    logo: Image.Image | None,
    left_out: tuple[str, ...],
) -> LabelBadge:
    top = _canvas(width, scale, content.name)
    name = _name(top, content)
    logo_height = _head(top, content, name, logo, left_out)
    top.space(10)
    head = top.finish().crop((0, 0, width, top.y))
    box = 0
    qr_side = 0
    if content.qr_data:
        box = _qr_box(content.qr_data, length * 0.45 * share)
        qr_side = (len(qr_matrix(content.qr_data)) + 4) * box
    left_width = width - qr_side - top.margin
    left_width -= left_width % 8
    left = _canvas(left_width, scale, content.name)
    _band_and_days(left, content, name, left_out)
    body = left.finish()
    right_height = qr_side + top.margin
    out = Image.new("1", (width, head.height + max(body.height, right_height)), 1)
    out.paste(head, (0, 0))
    out.paste(body, (0, head.height))
    fields = [*top.fields, *(f.moved(0, head.height) for f in left.fields)]
    if content.qr_data:
        qr = qr_image(content.qr_data, box)
        x, y = width - top.margin - qr_side + 2 * box, head.height + 2 * box
        out.paste(qr, (x, y))
        fields.append(Field("qr", x, y, qr.width, qr.height, size=box, data=content.qr_data))
    return LabelBadge(out, name.size, box, left_out, tuple(fields), logo_height)


def _place(badge: LabelBadge, width: int, length: int) -> LabelBadge:
    """A die-cut label gets exactly its length, the badge centred on it."""
    if not length:
        return badge
    page = Image.new("1", (width, length), 1)
    dy = (length - badge.image.height) // 2
    page.paste(badge.image, (0, dy))
    return replace(
        badge,
        image=page,
        fields=tuple(f.moved(0, dy) for f in badge.fields),
        logo_height=badge.logo_height + dy if badge.logo_height else 0,
    )
