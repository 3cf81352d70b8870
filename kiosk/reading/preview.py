"""A small, low-rate picture of what the camera sees, for the screen to draw."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk.reading.decoders import Point


@dataclass(frozen=True, slots=True)
class Preview:
    """A downscaled grayscale frame and, when a code was just seen, where it is.

    ``image`` is a ``uint8`` array of shape (height, width); ``polygon`` holds the code's
    corners in preview pixels (x right, y down) and ``bbox`` their bounding box
    ``(x0, y0, x1, y1)``; both are None when no code was seen lately.
    """

    image: np.ndarray = field(repr=False)
    polygon: tuple[Point, ...] | None
    code: str | None
    frame_size: tuple[int, int]  # width, height of the camera frame
    at: float

    @property
    def bbox(self) -> tuple[int, int, int, int] | None:
        if not self.polygon:
            return None
        xs = [p[0] for p in self.polygon]
        ys = [p[1] for p in self.polygon]
        return int(min(xs)), int(min(ys)), round(max(xs)), round(max(ys))


def make_preview(
    gray: np.ndarray,
    width: int,
    polygon: tuple[Point, ...] | None,
    code: str | None,
    at: float,
) -> Preview:
    """Shrink a grayscale frame to ``width`` pixels and map the code's corners onto it."""
    h, w = gray.shape[:2]
    width = max(8, min(width, w))
    height = max(4, round(h * width / w))
    small = cv2.resize(gray, (width, height), interpolation=cv2.INTER_AREA)
    scaled = None
    if polygon:
        sx, sy = width / w, height / h
        scaled = tuple((x * sx, y * sy) for x, y in polygon)
    return Preview(np.ascontiguousarray(small), scaled, code, (w, h), at)
