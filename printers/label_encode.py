"""A badge for a label printer: drawn for the label, encoded in the printer's language.

brother_ql: always a raster (the QL raster protocol has no text). zpl: as for ESC/POS,
``text`` (printer font and ^BQ QR) when every word is Latin-1 and ``raster`` otherwise or
when [printer] method = "raster". read_label() turns the bytes back into images for the
preview printer and `accueil badge --preview`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from pathlib import Path

from PIL import Image

from printers.encode import EncodedBadge, choose_method
from printers.label_layout import render_label
from printers.labels import BROTHER_QL, LabelProfile
from printers.layout import BadgeContent
from printers.ql import ql_raster
from printers.zpl import zpl_raster, zpl_text
from printers.zpl_reader import read_zpl


def encode_label(
    content: BadgeContent,
    profile: LabelProfile,
    method: str = "auto",
    logo: Image.Image | None = None,
) -> EncodedBadge:
    """The job of one badge for this label printer."""
    badge = render_label(content, profile.width, profile.length, logo=logo)
    if profile.language == BROTHER_QL:
        return EncodedBadge(ql_raster(badge.image, profile), "raster", profile.width)
    chosen = choose_method(content, profile, method)
    if chosen == "text" and printer_text_can_hold(content):
        return EncodedBadge(zpl_text(badge, profile), "text", profile.width)
    return EncodedBadge(zpl_raster(badge.image, profile), "raster", profile.width)


def printer_text_can_hold(content: BadgeContent) -> bool:
    """False when the printer would not print a line as written, so it is drawn instead.

    ^BQ data cannot hold ^ or ~. In a ^FB block, ``\\&`` is a line break, ``\\(x)`` a soft
    hyphen and ``\\\\`` one backslash (ZPL II programming guide, ^FB): a backslash in a
    name or an organisation would misprint.
    """
    if "^" in content.qr_data or "~" in content.qr_data:
        return False
    return not any("\\" in text for text in content.texts)


def read_label(data: bytes, profile: LabelProfile) -> list[Image.Image]:
    """The labels these bytes print, as images (black prints)."""
    if profile.language == BROTHER_QL:
        return read_ql(data)
    return read_zpl(data)


def read_ql(data: bytes) -> list[Image.Image]:
    """QL raster read back with brother_ql's instruction reader (it writes PNG pages)."""
    from brother_ql.reader import BrotherQLReader

    logging.getLogger("brother_ql.reader").disabled = True
    with tempfile.TemporaryDirectory(prefix="accueil-ql-") as tmp:
        reader = BrotherQLReader(io.BufferedReader(io.BytesIO(data)))
        reader.filename_fmt = str(Path(tmp) / "label{counter:04d}.png")
        with contextlib.redirect_stdout(io.StringIO()):  # it prints each page's name
            reader.analyse()
        pages = []
        for path in sorted(Path(tmp).glob("label*.png")):
            with Image.open(path) as img:
                pages.append(img.convert("L"))
        return pages
