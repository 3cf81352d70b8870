"""Read ESC/POS bytes back into paper: what a thermal printer would print, as images.

It understands the commands Accueil sends (and the status queries), and refuses any other
byte sequence, so a test catches an encoder that emits something unexpected. The preview
printer uses it too: its PNG files show what the real printer prints, printer font and
native QR code included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageOps

from printers.fonts import LATIN, font

ESC, GS, DLE = 0x1B, 0x1D, 0x10
CELL = {0: (12, 24), 1: (9, 17)}  # font A and font B cells in dots
DEFAULT_LINE_SPACING = 30

# ESC t n numbers used by Epson-compatible profiles for the pages Accueil selects.
CODE_PAGE_NUMBERS = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}
_QR_EC = {
    48: qrcode.constants.ERROR_CORRECT_L,
    49: qrcode.constants.ERROR_CORRECT_M,
    50: qrcode.constants.ERROR_CORRECT_Q,
    51: qrcode.constants.ERROR_CORRECT_H,
}


class UnknownCommand(ValueError):
    """A byte sequence the emulator (and so Accueil's encoder) does not use."""


@dataclass
class TextLine:
    text: str
    width_mag: int
    height_mag: int
    bold: bool
    inverted: bool
    align: int


@dataclass
class Page:
    """One cut-off piece of paper."""

    image: Image.Image
    lines: list[TextLine] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    raster_widths: list[int] = field(default_factory=list)
    status_queries: int = 0


@dataclass
class _State:
    align: int = 0
    bold: bool = False
    inverted: bool = False
    width_mag: int = 1
    height_mag: int = 1
    font: int = 0
    codec: str = "cp437"
    line_spacing: int = DEFAULT_LINE_SPACING
    qr_size: int = 3
    qr_ec: int = qrcode.constants.ERROR_CORRECT_L
    qr_data: bytes = b""


class Emulator:
    """Feed bytes, get pages; paper of `width` dots, grows as needed."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.pages: list[Page] = []
        self._new_paper()
        self.s = _State()
        self._line: list[tuple[str, _State]] = []

    def _new_paper(self) -> None:
        self.paper = Image.new("L", (self.width, 4000), 255)
        self.draw = ImageDraw.Draw(self.paper)
        self.y = 0
        self.page = Page(self.paper)

    def _ensure(self, rows: int) -> None:
        if self.y + rows > self.paper.height:
            bigger = Image.new("L", (self.width, self.y + rows + 2000), 255)
            bigger.paste(self.paper, (0, 0))
            self.paper = bigger
            self.draw = ImageDraw.Draw(self.paper)

    # -- parsing ---------------------------------------------------------------------

    def feed(self, data: bytes) -> list[Page]:
        i = 0
        n = len(data)
        while i < n:
            b = data[i]
            if b == 0x0A:
                self._print_line()
                i += 1
            elif b == 0x0D:
                i += 1
            elif b == ESC:
                i = self._esc(data, i)
            elif b == GS:
                i = self._gs(data, i)
            elif b == DLE:
                if data[i + 1 : i + 2] != b"\x04":
                    raise UnknownCommand(f"DLE {data[i + 1 : i + 2]!r} at {i}")
                self.page.status_queries += 1
                i += 3
            elif b < 0x20:
                raise UnknownCommand(f"control byte 0x{b:02x} at {i}")
            else:
                j = i
                while j < n and data[j] >= 0x20 and data[j] != 0x7F:
                    j += 1
                self._line.append((data[i:j].decode(self.s.codec, errors="replace"), _copy(self.s)))
                i = j
        return self.pages

    def _esc(self, d: bytes, i: int) -> int:
        cmd = d[i + 1]
        if cmd == ord("@"):
            self.s = _State(codec=self.s.codec)
            return i + 2
        arg = d[i + 2]
        if cmd == ord("a"):
            self.s.align = arg % 48 if arg >= 48 else arg
        elif cmd == ord("E"):
            self.s.bold = bool(arg & 1)
        elif cmd == ord("!"):
            self.s.font = arg & 1
            self.s.bold = bool(arg & 0x08)
            self.s.height_mag = 2 if arg & 0x10 else 1
            self.s.width_mag = 2 if arg & 0x20 else 1
        elif cmd == ord("M"):
            self.s.font = arg % 48 if arg >= 48 else arg
        elif cmd == ord("t"):
            if arg not in CODE_PAGE_NUMBERS:
                raise UnknownCommand(f"ESC t {arg}: code page not emulated")
            self.s.codec = CODE_PAGE_NUMBERS[arg]
        elif cmd == ord("d"):
            self._print_line(empty_ok=False)
            self._advance(arg * self.s.line_spacing)
        elif cmd == ord("J"):
            self._print_line(empty_ok=False)
            self._advance(arg)
        elif cmd == ord("3"):
            self.s.line_spacing = arg
        elif cmd == ord("2"):
            self.s.line_spacing = DEFAULT_LINE_SPACING
            return i + 2
        elif cmd == ord("-"):
            pass  # underline: not used for badges, harmless
        else:
            raise UnknownCommand(f"ESC {chr(cmd)!r} at {i}")
        return i + 3

    def _gs(self, d: bytes, i: int) -> int:
        cmd = d[i + 1]
        if cmd == ord("!"):
            arg = d[i + 2]
            self.s.width_mag = (arg >> 4) + 1
            self.s.height_mag = (arg & 0x0F) + 1
            return i + 3
        if cmd == ord("B"):
            self.s.inverted = bool(d[i + 2] & 1)
            return i + 3
        if cmd in (ord("b"), ord("|")):
            return i + 3  # smoothing, density: no visible change here
        if cmd == ord("V"):
            m = d[i + 2]
            self._cut()
            return i + 4 if m in (65, 66) else i + 3
        if cmd == ord("v") and d[i + 2] == ord("0"):
            xb = d[i + 4] | d[i + 5] << 8
            rows = d[i + 6] | d[i + 7] << 8
            start = i + 8
            self._raster(d[start : start + xb * rows], xb, rows)
            return start + xb * rows
        if cmd == ord("(") and d[i + 2] in (ord("k"), ord("L")):
            length = d[i + 3] | d[i + 4] << 8
            body = d[i + 5 : i + 5 + length]
            if d[i + 2] == ord("k"):
                self._qr_command(body)
            else:
                self._graphics_command(body)
            return i + 5 + length
        raise UnknownCommand(f"GS {chr(cmd)!r} at {i}")

    # -- printing --------------------------------------------------------------------

    def _advance(self, dots: int) -> None:
        self._ensure(dots)
        self.y += dots

    def _x_for(self, width: int, align: int) -> int:
        if align == 1:
            return max(0, (self.width - width) // 2)
        if align == 2:
            return max(0, self.width - width)
        return 0

    def _print_line(self, empty_ok: bool = True) -> None:
        if not self._line:
            if empty_ok:
                self._advance(self.s.line_spacing)
            return
        chunks, self._line = self._line, []
        first = chunks[0][1]
        cells = [(ch, st) for text, st in chunks for ch in text]
        widths = [CELL[st.font][0] * st.width_mag for _, st in cells]
        height = max(CELL[st.font][1] * st.height_mag for _, st in cells)
        total = sum(widths)
        self._ensure(max(height, self.s.line_spacing) + 4)
        x = self._x_for(total, first.align)
        for (ch, st), w in zip(cells, widths, strict=True):
            cell_h = CELL[st.font][1] * st.height_mag
            glyph = _glyph(ch, st.font, st.bold, w, cell_h)
            top = self.y + height - cell_h
            box = (x, top, x + w, top + cell_h)
            if st.inverted:
                self.draw.rectangle((x, top, x + w - 1, top + cell_h - 1), fill=0)
                self.paper.paste(255, box, glyph)
            else:
                self.paper.paste(0, box, glyph)
            x += w
        self.page.lines.append(
            TextLine(
                "".join(ch for ch, _ in cells),
                max(st.width_mag for _, st in cells),
                max(st.height_mag for _, st in cells),
                any(st.bold for _, st in cells),
                any(st.inverted for _, st in cells),
                first.align,
            )
        )
        self.y += max(height + 6, self.s.line_spacing)

    def _raster(self, data: bytes, width_bytes: int, rows: int) -> None:
        self._print_line(empty_ok=False)
        width = width_bytes * 8
        self.page.raster_widths.append(width)
        if width > self.width:
            raise UnknownCommand(f"raster {width} dots wide on {self.width}-dot paper")
        img = Image.frombytes("1", (width, rows), data)  # set bit = black dot
        self._ensure(rows)
        x = self._x_for(width, self.s.align)
        self.paper.paste(0, (x, self.y, x + width, self.y + rows), img)
        self.y += rows

    def _graphics_command(self, body: bytes) -> None:
        m, fn = body[0], body[1]
        if m == 48 and fn == 112:
            width = body[6] | body[7] << 8
            rows = body[8] | body[9] << 8
            self._stored_graphic = (body[10:], (width + 7) // 8, rows)
        elif m == 48 and fn == 50:
            data, xb, rows = self._stored_graphic
            self._raster(data, xb, rows)
        else:
            raise UnknownCommand(f"GS ( L fn {fn}")

    def _qr_command(self, body: bytes) -> None:
        cn, fn = body[0], body[1]
        if cn != 49:
            raise UnknownCommand(f"GS ( k cn {cn}: only QR codes are emulated")
        if fn == 65:
            pass  # model 2
        elif fn == 67:
            self.s.qr_size = body[2]
        elif fn == 69:
            self.s.qr_ec = _QR_EC[body[2]]
        elif fn == 80:
            self.s.qr_data = body[3:]
        elif fn == 81:
            self._print_line(empty_ok=False)
            code = qrcode.QRCode(error_correction=self.s.qr_ec, border=0, box_size=1)
            code.add_data(self.s.qr_data.decode("utf-8"))
            code.make(fit=True)
            matrix = code.get_matrix()
            n = len(matrix)
            small = Image.frombytes(
                "L", (n, n), bytes(0 if v else 255 for row in matrix for v in row)
            )
            img = small.resize((n * self.s.qr_size, n * self.s.qr_size), Image.Resampling.NEAREST)
            if img.width > self.width:
                raise UnknownCommand("QR code wider than the paper")
            self._ensure(img.height)
            self.paper.paste(img, (self._x_for(img.width, self.s.align), self.y))
            self.y += img.height
            self.page.qr_codes.append(self.s.qr_data.decode("utf-8"))
        else:
            raise UnknownCommand(f"GS ( k fn {fn}")

    def _cut(self) -> None:
        self._print_line(empty_ok=False)
        self.page.image = self.paper.crop((0, 0, self.width, max(1, self.y)))
        self.pages.append(self.page)
        self._new_paper()

    def finish(self) -> list[Page]:
        """Close the job: paper printed after the last cut (a printer without cutter) is a page."""
        self._print_line(empty_ok=False)
        if self.y > 0:
            self._cut()
        return self.pages


def _copy(s: _State) -> _State:
    return _State(**{k: getattr(s, k) for k in s.__dataclass_fields__})


@lru_cache(maxsize=2048)
def _glyph(ch: str, font_no: int, bold: bool, w: int, h: int) -> Image.Image:
    """A character in its cell, as an L mask (255 = ink), stretched like printer fonts are."""
    base_w, base_h = CELL[font_no]
    cell = Image.new("L", (base_w * 2, base_h * 2), 255)
    draw = ImageDraw.Draw(cell)
    f = font(LATIN, int(base_h * 1.5), bold, basic=True)
    draw.text((base_w, base_h), ch, font=f, fill=0, anchor="mm")
    return ImageOps.invert(cell.resize((w, h), Image.Resampling.LANCZOS)).point(
        lambda v: 255 if v > 100 else 0
    )


def read_pages(data: bytes, width: int) -> list[Page]:
    """Every page printed by these bytes (cut off, or torn off at the end)."""
    emulator = Emulator(width)
    emulator.feed(data)
    return emulator.finish()
