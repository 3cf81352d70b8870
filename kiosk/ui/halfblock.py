"""Camera preview as half-block characters: two pixel rows per terminal row, any terminal.

Each cell draws "▀" with the upper pixel as foreground and the lower one as background.
The detected code's outline is drawn in green on top so people see where to hold it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

Point = tuple[float, float]
OUTLINE = (0, 230, 118)


def fit(gray: np.ndarray, width: int, height_rows: int) -> tuple[np.ndarray, float, float]:
    """Resample to width x (2*height_rows) pixels (nearest); returns image and x/y scales."""
    h, w = gray.shape[:2]
    th = max(2, height_rows * 2)
    tw = max(1, width)
    ys = (np.arange(th) * h / th).astype(int)
    xs = (np.arange(tw) * w / tw).astype(int)
    return gray[ys][:, xs], tw / w, th / h


def outline_mask(shape: tuple[int, int], polygon: Sequence[Point]) -> np.ndarray:
    """Pixels on the polygon's edges (a closed loop of points)."""
    mask = np.zeros(shape, dtype=bool)
    h, w = shape
    pts = list(polygon)
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        steps = int(max(abs(x1 - x0), abs(y1 - y0), 1)) * 2
        for i in range(steps + 1):
            x = round(x0 + (x1 - x0) * i / steps)
            y = round(y0 + (y1 - y0) * i / steps)
            if 0 <= x < w and 0 <= y < h:
                mask[y, x] = True
    return mask


def render(
    gray: np.ndarray, polygon: Sequence[Point] | None, width: int, height_rows: int
) -> list[list[Segment]]:
    """Rows of segments for a Textual line API widget."""
    img, sx, sy = fit(gray, width, height_rows)
    mask = None
    if polygon:
        mask = outline_mask(img.shape, [(x * sx, y * sy) for x, y in polygon])
    rows: list[list[Segment]] = []
    for r in range(0, img.shape[0] - 1, 2):
        segs = []
        for c in range(img.shape[1]):
            top, bottom = _rgb(img, mask, r, c), _rgb(img, mask, r + 1, c)
            style = Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom))
            segs.append(Segment("▀", style))
        rows.append(segs)
    return rows


def _rgb(img: np.ndarray, mask: np.ndarray | None, r: int, c: int) -> tuple[int, int, int]:
    if mask is not None and mask[r, c]:
        return OUTLINE
    v = int(img[r, c])
    return (v, v, v)
