"""From a registration to printer bytes: layout, method choice, rendering, encoding."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from kiosk.core.model import Event, Registration
from printers.emulator import read_pages
from printers.encode import EncodedBadge, PrinterProfile, encode_badge
from printers.label_encode import encode_label, read_label
from printers.labels import LabelProfile
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
        """The job for this printer: ESC/POS, or a label printer's language for a label."""
        content = self.content(reg)
        logo = self._logo(content.logo)
        if isinstance(profile, LabelProfile):
            return encode_label(content, profile, self.method, logo=logo)
        return encode_badge(content, profile, self.method, logo=logo)

    def preview(self, reg: Registration, profile: PrinterProfile) -> Image.Image:
        """What the printer prints for this badge, read back from the bytes it would get."""
        return read_back(self.encode(reg, profile).data, profile)[0]


def read_back(data: bytes, profile: PrinterProfile) -> list[Image.Image]:
    """The pages these printer bytes print, for the kind of printer the profile describes."""
    if isinstance(profile, LabelProfile):
        return read_label(data, profile)
    return [page.image for page in read_pages(data, profile.width)]
