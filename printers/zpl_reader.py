"""Read ZPL II back into label images: what a Zebra printer would print, for previews.

Understands the commands Accueil's badges use (``^XA ^XZ ^PW ^LL ^LH ^FO ^GFA ^GB ^FR
^A0 ^FB ^FH ^FD ^FS ^BY ^BQ``, the rest is skipped) and refuses graphic fields whose data or
CRC is damaged. Font 0 is drawn with the badge font at the requested height (the printer's
own font is narrower, so a preview line that fits also fits on paper); ``^BQ`` is drawn
with the qrcode library at the field's magnification and error correction, the ^BY bar
height below its field origin as Zebra printers place it.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageChops, ImageDraw
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

from printers.fonts import TextStyle, draw_line, text_width

_COMMAND = re.compile(r"[\^~]([A-Z@][A-Z0-9@])", re.I)
_LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}


class ZplError(ValueError):
    """The ZPL cannot be read (damaged graphic field, bad numbers)."""


@dataclass
class _Field:
    x: int = 0
    y: int = 0
    reverse: bool = False
    font: int = 30
    block: tuple[int, int, str] | None = None  # width, lines, justification
    escape: str = ""
    qr: tuple[int, str] | None = None  # magnification, error level
    bar_height: int = 10  # ^BY height: ^BQ symbols start this far below ^FO


def decode_graphic(params: str) -> Image.Image:
    """A ^GFA field (its parameters after ^GF) as a 1-bit image; ZplError if damaged."""
    parts = params.split(",", 4)
    if len(parts) != 5 or parts[0].upper() != "A":
        raise ZplError(f"unsupported graphic field ^GF{params[:20]}")
    total, row = int(parts[1]), int(parts[3])
    data = "".join(parts[4].split())
    if data.startswith((":Z64:", ":B64:")):
        body, _, crc = data[5:].rpartition(":")
        if f"{binascii.crc_hqx(body.encode('ascii'), 0):04X}" != crc.upper():
            raise ZplError("graphic field CRC mismatch")
        raw = base64.b64decode(body)
        if data.startswith(":Z64:"):
            raw = zlib.decompress(raw)
    else:
        raw = bytes.fromhex(data)
    if len(raw) != total or total % row:
        raise ZplError(f"graphic field holds {len(raw)} bytes; its header says {total}")
    img = Image.frombytes("1", (row * 8, total // row), bytes(b ^ 0xFF for b in raw))
    return img


def read_zpl(data: bytes) -> list[Image.Image]:
    """Every label in these bytes, as mode "L" images (black prints)."""
    text = data.decode("utf-8", "replace")
    labels: list[Image.Image] = []
    pos = 0
    page: Image.Image | None = None
    width, length = 812, 1218
    f = _Field()
    for _ in range(len(text)):  # bounded: each turn consumes at least one command
        m = _COMMAND.search(text, pos)
        if not m:
            break
        cmd = m.group(1).upper()
        start = m.end()
        if cmd == "FD":
            end = text.find("^FS", start)
            end = len(text) if end < 0 else end
            if page is not None:
                _draw_field(page, f, text[start:end])
            f = _Field(font=f.font, bar_height=f.bar_height)
            pos = end + 3
            continue
        nxt = _COMMAND.search(text, start)
        stop = nxt.start() if nxt else len(text)
        params = text[start:stop].strip()
        pos = stop
        if cmd == "XA":
            page = None
            f = _Field()
        elif cmd == "PW":
            width = int(params)
        elif cmd == "LL":
            length = int(params)
        elif cmd == "XZ" and page is not None:
            labels.append(page)
            page = None
        if cmd in ("FO", "GF", "GB", "FR", "A0", "FB", "FH", "BQ", "BY") and page is None:
            page = Image.new("L", (width, length), 255)
        if page is None:
            continue
        nums = [p.strip() for p in params.split(",")]
        if cmd == "FO":
            f.x, f.y = int(nums[0] or 0), int(nums[1] or 0)
        elif cmd == "FR":
            f.reverse = True
        elif cmd == "A0":
            f.font = int(nums[1] if len(nums) > 1 and nums[1] else 30)
        elif cmd == "FB":
            f.block = (int(nums[0]), int(nums[1] or 1), (nums[3] if len(nums) > 3 else "L") or "L")
        elif cmd == "FH":
            f.escape = params[:1] or "_"
        elif cmd == "BQ":
            f.qr = (int(nums[2]) if len(nums) > 2 and nums[2] else 2, "")
        elif cmd == "GF":
            img = decode_graphic(params)
            page.paste(img.convert("L"), (f.x, f.y))
        elif cmd == "GB":
            _box(page, f, nums)
        elif cmd == "BY":
            f.bar_height = int(nums[2]) if len(nums) > 2 and nums[2] else f.bar_height
        if cmd in ("GF", "GB"):
            f = _Field(font=f.font, bar_height=f.bar_height)
    if page is not None:
        labels.append(page)
    return labels


def _box(page: Image.Image, f: _Field, nums: list[str]) -> None:
    w, h = int(nums[0] or 1), int(nums[1] or 1)
    t = int(nums[2] or 1) if len(nums) > 2 else 1
    box = Image.new("L", page.size, 0)
    d = ImageDraw.Draw(box)
    if t >= min(w, h):
        d.rectangle((f.x, f.y, f.x + w - 1, f.y + h - 1), fill=255)
    else:
        d.rectangle((f.x, f.y, f.x + w - 1, f.y + h - 1), outline=255, width=t)
    page.paste(ImageChops.subtract(page, box))


def _unescape(text: str, escape: str) -> str:
    if not escape:
        return text
    return re.sub(re.escape(escape) + r"([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def _draw_field(page: Image.Image, f: _Field, raw: str) -> None:
    data = _unescape(raw, f.escape)
    if f.qr is not None:
        _qr(page, f, data)
        return
    style = TextStyle(f.font, True)
    layer = Image.new("L", page.size, 0)
    draw = ImageDraw.Draw(layer)
    w = text_width(data, style)
    x = float(f.x)
    if f.block is not None and f.block[2].upper() == "C":
        x = f.x + (f.block[0] - w) / 2
    draw_line(draw, x, f.y + round(f.font * 0.98), data, style, fill=255)
    if f.reverse:
        page.paste(ImageChops.difference(page, layer))
    else:
        page.paste(ImageChops.subtract(page, layer))


def _qr(page: Image.Image, f: _Field, data: str) -> None:
    assert f.qr is not None
    mag = f.qr[0]
    head, _, payload = data.partition(",")
    level = _LEVELS.get(head[:1].upper(), ERROR_CORRECT_M)
    code = qrcode.QRCode(error_correction=level, border=0, box_size=1)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    small = Image.frombytes("L", (n, n), bytes(0 if d else 255 for row in matrix for d in row))
    big = small.resize((n * mag, n * mag), Image.Resampling.NEAREST)
    page.paste(big, (f.x, f.y + f.bar_height))  # ^BQ's symbol starts ^BY height lower
