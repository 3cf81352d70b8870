"""The live camera preview: small, grey, with the code outlined in green when seen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from kiosk.services.ports import PreviewFrame
from kiosk.ui.halfblock import Point, render

Frame = PreviewFrame | tuple[np.ndarray, Sequence[Point] | None]


class CameraPreview(Widget):
    """Draws the latest (gray, polygon) frame it is given; set ``frame`` to update."""

    DEFAULT_CSS = """
    CameraPreview { width: 48; height: 18; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: list[list[Segment]] = []
        self._frame: Frame | None = None

    def set_frame(self, frame: Frame | None) -> None:
        """frame: the reader's Preview (image, polygon), a (gray, polygon) pair, or None."""
        self._frame = frame
        self._rows = []
        if frame is not None and self.size.width and self.size.height:
            if isinstance(frame, tuple):
                gray, polygon = frame
            else:
                gray, polygon = frame.image, frame.polygon
            self._rows = render(gray, polygon, self.size.width, self.size.height)
        self.refresh()

    def on_resize(self) -> None:
        self.set_frame(self._frame)

    def render_line(self, y: int) -> Strip:
        if y < len(self._rows):
            return Strip(self._rows[y])
        return Strip.blank(self.size.width, self.rich_style)
