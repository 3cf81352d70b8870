"""From a registration to printer bytes: layout, method choice, rendering, encoding."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from kiosk.core.model import Event, Registration
from printers.emulator import read_pages
from printers.encode import EncodedBadge, PrinterProfile, encode_badge
from printers.label_encode import encode_label, read_label
from printers.layout import BadgeContent, BadgeOptions, badge_content
from printers.render import load_logo


class BadgeMaker:
    """Makes the ESC/POS job of a badge for a given printer profile."""

    def __init__(self, event: Event | None, options: BadgeOptions, method: str = "auto") -> None:
        self.event = event
        self.options = options
        self.method = method
        self._logos: dict[Path, Image.Image | None] = {}

    def content(self, reg: Registration) -> BadgeContent:
        return badge_content(reg, self.event, self.options)

    def _logo(self, path: Path | None) -> Image.Image | None:
        if path is None:
            return None
        if path not in self._logos:
            self._logos[path] = load_logo(path)
        return self._logos[path]

    def encode(self, reg: Registration, profile: PrinterProfile) -> EncodedBadge:
        """The job for this printer, in the language its profile names (``encoder``)."""
        content = self.content(reg)
        encode, _ = _codec(profile)
        return encode(content, profile, self.method, logo=self._logo(content.logo))

    def preview(self, reg: Registration, profile: PrinterProfile) -> Image.Image:
        """What the printer prints for this badge, read back from the bytes it would get."""
        return read_back(self.encode(reg, profile).data, profile)[0]


def read_back(data: bytes, profile: PrinterProfile) -> list[Image.Image]:
    """The pages these printer bytes print, for the kind of printer the profile describes."""
    _, read = _codec(profile)
    return read(data, profile)


def _escpos_pages(data: bytes, profile: PrinterProfile) -> list[Image.Image]:
    return [page.image for page in read_pages(data, profile.width)]


Encode = Callable[..., EncodedBadge]  # (content, profile, method, *, logo) -> job
ReadBack = Callable[[bytes, Any], list[Image.Image]]  # (job, profile) -> pages it prints

# Printer language -> how a badge is encoded in it and read back from its bytes.
ENCODERS: dict[str, tuple[Encode, ReadBack]] = {
    "escpos": (encode_badge, _escpos_pages),
    "brother_ql": (encode_label, read_label),
    "zpl": (encode_label, read_label),
}


def _codec(profile: PrinterProfile) -> tuple[Encode, ReadBack]:
    try:
        return ENCODERS[profile.encoder]
    except KeyError:
        raise ValueError(
            f"no badge encoder for printer language {profile.encoder!r}; known: "
            + ", ".join(ENCODERS)
        ) from None
