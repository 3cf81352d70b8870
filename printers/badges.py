"""From a registration to printer bytes: layout, method choice, rendering, encoding."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from kiosk.core.model import Event, Registration
from printers.emulator import read_pages
from printers.encode import EncodedBadge, PrinterProfile, encode_badge
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
        content = self.content(reg)
        return encode_badge(content, profile, self.method, logo=self._logo(content.logo))

    def preview(self, reg: Registration, profile: PrinterProfile) -> Image.Image:
        """What the printer prints for this badge, read back from the bytes it would get."""
        pages = read_pages(self.encode(reg, profile).data, profile.width)
        return pages[0].image
