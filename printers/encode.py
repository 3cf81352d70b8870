"""Turn a badge into the ESC/POS bytes one printer understands.

Two methods:

* ``raster``: the whole badge drawn by Pillow (any script, any printer), sent as
  ``GS v 0`` bands; blank stretches are sent as paper feeds instead of white rows.
* ``text``: the printer's own font for the words and its native QR code, a few hundred
  bytes, for Latin text on printers whose profile has QR codes and a Latin code page.

python-escpos 3.1 pitfalls handled here: images never wider than the profile (profiles
differ: TM-T88V is 512 dots), never ``center=True``, fragments of at most 900 rows, native QR
centred with ``set(align="center")``, sizes with ``custom_size=True`` and bold set after
the size (``ESC !`` resets bold).
"""

from __future__ import annotations

import copy
import logging
import textwrap
from dataclasses import dataclass
from typing import Any

from PIL import Image

from kiosk.errors import AccueilError
from printers.escpos_env import escpos_printer, import_escpos, quiet
from printers.layout import BadgeContent
from printers.render import logo_strip, qr_matrix, qr_module_dots, render_badge

log = logging.getLogger(__name__)

FRAGMENT_ROWS = 900  # impl="graphics" corrupts images taller than ~910 rows
BLANK_FEED_MIN = 12  # white stretches at least this tall are fed, not sent as rows
CODE_PAGES = ("CP1252", "CP858", "CP850", "CP437")  # preferred Latin pages, in order
FONT_A = (12, 24)  # dots per character cell of the printers' font A


class ProfileError(AccueilError, ValueError):
    """The [printer] profile or width cannot describe a real printer."""


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """What the badge encoder needs to know about a printer model."""

    name: str
    width: int  # printable dots per line
    native_qr: bool
    code_page: str | None  # Latin code page for printer text, None when there is none
    cut: bool

    @property
    def encoder(self) -> str:
        """The printer language its jobs are encoded in (printers.badges.ENCODERS)."""
        return "escpos"

    @property
    def columns(self) -> int:
        return self.width // FONT_A[0]

    @property
    def codec(self) -> str | None:
        return self.code_page.lower() if self.code_page else None


def load_profile(name: str, width_dots: int = 0) -> PrinterProfile:
    """Read a python-escpos capability profile; width_dots overrides its paper width."""
    import_escpos()
    from escpos.capabilities import CAPABILITIES, get_profile

    profiles = CAPABILITIES["profiles"]
    if name not in profiles:
        known = ", ".join(sorted(profiles))
        raise ProfileError(f"unknown printer profile {name!r}; known profiles: {known}")
    data = get_profile(name).profile_data
    raw = data.get("media", {}).get("width", {}).get("pixels")
    profile_width = int(raw) if isinstance(raw, int) or str(raw).isdigit() else 0
    width = width_dots or profile_width
    if not width:
        raise ProfileError(
            f"profile {name!r} does not say how wide the paper is; set width_dots "
            "(384 for 58 mm paper, 576 for 80 mm, 512 for Epson TM-T88 models)"
        )
    if width % 8 or not 128 <= width <= 832:
        raise ProfileError(f"width_dots = {width}: expected a multiple of 8 between 128 and 832")
    if profile_width and width > profile_width:
        # width_dots is the operator's word for the paper; say so loudly, since a printer
        # that really is as narrow as its profile clips the right edge of every badge.
        log.warning(
            "width_dots = %d is wider than profile %r (%d dots); if badges lose their right "
            "edge, pick your printer's profile (576 dots: TM-T20II, TM-P80; 384: POS-5890) "
            "or width_dots = %d",
            width,
            name,
            profile_width,
            profile_width,
        )
    pages = set(data.get("codePages", {}).values())
    page = next((p for p in CODE_PAGES if p in pages), None)
    features = data.get("features", {})
    return PrinterProfile(
        name=name,
        width=width,
        native_qr=bool(features.get("qrCode")),
        code_page=page,
        cut=bool(features.get("paperFullCut") or features.get("paperPartCut")),
    )


def text_possible(content: BadgeContent, profile: PrinterProfile) -> bool:
    """True when printer fonts can print every word, the printer can draw the QR code, and
    the name can be the largest line in printer text (see name_size)."""
    if profile.codec is None:
        return False
    if content.qr_data and not profile.native_qr:
        return False
    if content.name and name_size(content.name, profile, _name_max_dots(content, profile)) is None:
        return False
    try:
        for text in content.texts:
            text.encode(profile.codec)
    except UnicodeEncodeError:
        return False
    return True


def choose_method(content: BadgeContent, profile: PrinterProfile, wanted: str = "auto") -> str:
    """'text' or 'raster': the configured method when it can print this badge."""
    if wanted == "raster":
        return "raster"
    return "text" if text_possible(content, profile) else "raster"


@dataclass(frozen=True, slots=True)
class EncodedBadge:
    data: bytes
    method: str
    width: int


def encode_badge(
    content: BadgeContent,
    profile: PrinterProfile,
    method: str = "auto",
    logo: Image.Image | None = None,
) -> EncodedBadge:
    """The ESC/POS job of one badge, ending with a paper cut."""
    chosen = choose_method(content, profile, method)
    if chosen == "text":
        return EncodedBadge(_text_job(content, profile, logo), "text", profile.width)
    image = render_badge(content, profile.width, logo=logo)
    return EncodedBadge(raster_job(image, profile), "raster", profile.width)


def _dummy(profile: PrinterProfile) -> Any:
    printer = escpos_printer("Dummy", profile=profile.name)
    # A private copy of the profile carrying the real width, so escpos checks against it.
    printer.profile.profile_data = copy.deepcopy(printer.profile.profile_data)
    printer.profile.profile_data.setdefault("media", {}).setdefault("width", {})
    printer.profile.profile_data["media"]["width"]["pixels"] = profile.width
    return printer


def raster_job(image: Image.Image, profile: PrinterProfile) -> bytes:
    """Init, the image in GS v 0 bands with feeds for blank stretches, cut."""
    if image.width > profile.width:
        raise ValueError(f"badge image is {image.width} dots wide; the printer has {profile.width}")
    p = _dummy(profile)
    p.hw("INIT")
    with quiet():
        for top, bottom, blank in bands(image):
            if blank:
                _feed_dots(p, bottom - top)
            else:
                p.image(
                    image.crop((0, top, image.width, bottom)),
                    impl="bitImageRaster",
                    fragment_height=FRAGMENT_ROWS,
                    center=False,
                )
    _cut(p, profile)
    return bytes(p.output)


def bands(image: Image.Image) -> list[tuple[int, int, bool]]:
    """(top, bottom, blank) row ranges; blank ranges are at least BLANK_FEED_MIN rows."""
    mono = image.convert("1")
    width, height = mono.size
    row_bytes = (width + 7) // 8
    # In mode "1" bytes a set bit is white; a row is blank when every bit is set.
    raw = mono.tobytes()
    full = bytes([0xFF]) * row_bytes
    pad_bits = row_bytes * 8 - width
    last_mask = (0xFF << pad_bits) & 0xFF if pad_bits else 0xFF

    def blank(y: int) -> bool:
        row = raw[y * row_bytes : (y + 1) * row_bytes]
        return row[:-1] == full[:-1] and (row[-1] & last_mask) == last_mask

    out: list[tuple[int, int, bool]] = []
    y = 0
    while y < height:
        start = y
        is_blank = blank(y)
        while y < height and blank(y) == is_blank:
            y += 1
        if (is_blank and y - start < BLANK_FEED_MIN and out) or (
            not is_blank and out and not out[-1][2]
        ):
            top, _, _ = out.pop()
            out.append((top, y, False))
        else:
            out.append((start, y, is_blank))
    return out


def _feed_dots(p: Any, dots: int) -> None:
    while dots > 0:
        step = min(dots, 255)
        p._raw(b"\x1bJ" + bytes([step]))  # ESC J n: feed n dots
        dots -= step


def _cut(p: Any, profile: PrinterProfile) -> None:
    if profile.cut:
        p.cut(mode="FULL", feed=True)
    else:
        p.print_and_feed(4)  # no cutter: feed the badge past the tear bar


def _lines(text: str, columns: int) -> list[str]:
    return textwrap.wrap(text, columns, break_long_words=True, break_on_hyphens=True) or [""]


NAME_TEXT_MAX_LINES = 4  # at double height; a longer name is drawn in raster instead


@dataclass(frozen=True, slots=True)
class NameSize:
    """The printer-font size of the name: character width and height multipliers (GS !)."""

    width: int
    height: int
    lines: tuple[str, ...]

    @property
    def band_height(self) -> int:
        """The tallest the role band may be so that the name stays the largest line."""
        return min(2, self.height - 1)


def name_size(name: str, profile: PrinterProfile, max_dots: int) -> NameSize | None:
    """The name's size in printer text: the largest width (1-4x) at which it fits in two
    lines, always taller than every other line of the badge (those are 1x, the role band
    at most 2x): 2x wide names print 3x tall, and a name too long for 2x prints 1x wide
    and 2x tall ("double height only") on up to NAME_TEXT_MAX_LINES lines. None when even
    that does not fit: the badge is then drawn in raster, where the name is sized freely.
    """
    largest = max(1, min(4, round(max_dots / FONT_A[1])))
    for mag in range(largest, 1, -1):
        columns = profile.columns // mag
        lines = textwrap.wrap(name, columns, break_long_words=False)
        if lines and len(lines) <= 2 and all(len(x) <= columns for x in lines):
            return NameSize(mag, max(mag, 3), tuple(lines))
    lines = _lines(name, profile.columns)
    if len(lines) > NAME_TEXT_MAX_LINES:
        return None
    return NameSize(1, 2, tuple(lines))


def _name_max_dots(content: BadgeContent, profile: PrinterProfile) -> int:
    return content.name_max_dots or round(80 * profile.width / 576)


def _rule(p: Any, profile: PrinterProfile, rows: int = 3) -> None:
    bar = Image.new("1", (profile.width, rows), 0)
    p.image(bar, impl="bitImageRaster", fragment_height=FRAGMENT_ROWS, center=False)


def _text_job(content: BadgeContent, profile: PrinterProfile, logo: Image.Image | None) -> bytes:
    p = _dummy(profile)
    cols = profile.columns
    p.hw("INIT")
    with quiet():
        if logo is not None:
            strip = logo_strip(logo, profile.width)
            p.image(strip, impl="bitImageRaster", fragment_height=FRAGMENT_ROWS, center=False)
        p.charcode(profile.code_page or "CP437")
        p.set(align="center", font="a")
        if content.event_name:
            p.set(bold=True)
            for line in _lines(content.event_name, cols):
                p.textln(line)
            p.set(bold=False)
        _rule(p, profile)
        p.ln()
        size = name_size(content.name, profile, _name_max_dots(content, profile))
        if size is None:  # text_possible refused it; a caller forcing text gets an error
            raise ValueError(f"name of {len(content.name)} characters too long for printer text")
        p.set(custom_size=True, width=size.width, height=size.height)
        p.set(bold=True)  # after the size: ESC ! would reset it
        for line in size.lines:
            p.textln(line)
        p.set(custom_size=True, width=1, height=1)
        p.set(bold=False)
        for line in _lines(content.organisation, cols) if content.organisation else []:
            p.textln(line)
        p.ln()
        _text_band(p, content, profile, size.band_height)
        if content.days:
            p.ln()
            for line in _lines(content.days, cols):
                p.textln(line)
        if content.qr_data:
            p.ln()
            modules = len(qr_matrix(content.qr_data))
            size = min(16, qr_module_dots(modules, profile.width))
            p.set(align="center")  # qr(native=True, center=True) raises in escpos 3.1
            p.qr(content.qr_data, ec=1, size=size, native=True)  # ec 1 = level M
            p.ln()
    _cut(p, profile)
    return bytes(p.output)


def _text_band(p: Any, content: BadgeContent, profile: PrinterProfile, largest: int) -> None:
    mag = 2 if len(content.role_label) <= profile.columns // 2 - 2 and largest >= 2 else 1
    span = profile.columns // mag
    label = content.role_label[:span].center(span)
    if content.band == "outlined":
        _rule(p, profile, 4)
    p.set(custom_size=True, width=mag, height=mag)
    p.set(bold=True)
    if content.band == "inverted":
        p.set(invert=True)
        p.textln(label)
        p.set(invert=False)
    else:
        p.textln(label.strip())
    p.set(custom_size=True, width=1, height=1)
    p.set(bold=False)
    if content.band == "outlined":
        _rule(p, profile, 4)
