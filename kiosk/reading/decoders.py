"""QR decoders behind one interface: zxing-cpp, pyzbar, and the measured pipeline of both.

Every decoder takes a grayscale ``uint8`` image and returns the codes it read, with their
corners in image coordinates. Figures that chose the pipeline's steps are in docs/reading.md
and come from ``bench/bench_decode.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from ctypes import string_at
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

import cv2
import numpy as np
import zxingcpp
from pyzbar import wrapper as zbw
from pyzbar.locations import convex_hull
from pyzbar.wrapper import ZBarSymbol

from kiosk.reading.qrtext import decode_bytes

log = logging.getLogger(__name__)

Point = tuple[float, float]
Gray = np.ndarray

DECODER_NAMES = ("pipeline", "zxing", "pyzbar")
DecoderName = Literal["pipeline", "zxing", "pyzbar"]


@dataclass(frozen=True, slots=True)
class Detection:
    """One code read in an image: its text and its four corners (image pixels)."""

    text: str
    polygon: tuple[Point, ...]
    decoder: str = ""


@dataclass(frozen=True, slots=True)
class Hint:
    """A code-like pattern that was located but not read: where a second pass should look."""

    polygon: tuple[Point, ...]


class Decoder(Protocol):
    name: str

    def decode(self, gray: Gray) -> list[Detection]:
        """All codes readable in a grayscale image, trying as hard as this decoder can."""
        ...


def as_gray(frame: np.ndarray) -> Gray:
    """A contiguous 8-bit grayscale view of a BGR, BGRA or gray frame; ValueError otherwise."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.size == 0:
        raise ValueError(
            f"not an 8-bit image: {type(frame).__name__} {getattr(frame, 'dtype', '')}"
        )
    if frame.ndim == 2:
        return np.ascontiguousarray(frame)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 1:
        return np.ascontiguousarray(frame[:, :, 0])
    raise ValueError(f"unexpected frame shape {frame.shape}")


_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _zx_polygon(position: zxingcpp.Position) -> tuple[Point, ...]:
    return tuple(
        (float(p.x), float(p.y))
        for p in (
            position.top_left,
            position.top_right,
            position.bottom_right,
            position.bottom_left,
        )
    )


class ZxingDecoder:
    """zxing-cpp restricted to QR codes; reads light-on-dark codes too (try_invert)."""

    name = "zxing"

    def __init__(self, binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage) -> None:
        self.binarizer = binarizer

    def read(self, gray: Gray) -> tuple[list[Detection], list[Hint]]:
        """Codes read, and patterns located whose error correction failed."""
        found = zxingcpp.read_barcodes(
            gray,
            formats=_QR_ONLY,
            text_mode=zxingcpp.TextMode.Plain,
            binarizer=self.binarizer,
            return_errors=True,
        )
        codes, hints = [], []
        for b in found:
            polygon = _zx_polygon(b.position)
            if b.valid and b.text:
                codes.append(Detection(b.text, polygon, self.name))
            else:
                hints.append(Hint(polygon))
        return codes, hints

    def decode(self, gray: Gray) -> list[Detection]:
        return self.read(gray)[0]


class PyzbarDecoder:
    """pyzbar (ZBar) restricted to QR codes; light-on-dark codes read through an inverted copy.

    ZBar runs in binary mode (``ZBAR_CFG_BINARY``, ZBar >= 0.23.1): it still converts byte
    data that an ECI designator names to UTF-8, but hands back the raw bytes of data without
    an ECI instead of guessing Shift_JIS first (mchehab/zbar#212). Those bytes are decoded as
    zxing-cpp decodes them (``kiosk.reading.qrtext``), so a code reads the same text whichever
    decoder read it. RuntimeError at construction when the ZBar library has no binary mode.
    """

    name = "pyzbar"

    def __init__(self, invert: bool = True) -> None:
        if not zbar_binary_mode():
            raise RuntimeError(
                "the ZBar library has no binary mode, so pyzbar would misread non-ASCII codes: "
                "install ZBar 0.23.1 or later (Debian 12's libzbar0 is 0.23.92)"
            )
        self.invert = invert

    def _once(self, gray: Gray) -> list[Detection]:
        return [
            Detection(text, polygon, self.name)
            for data, polygon in zbar_scan(gray)
            if (text := decode_bytes(data))
        ]

    def decode(self, gray: Gray) -> list[Detection]:
        codes = self._once(gray)
        if not codes and self.invert:
            codes = self._once(cv2.bitwise_not(gray))
        return codes


_ZBAR_CFG_BINARY = 4  # zbar.h's zbar_config_t; pyzbar 0.1.9's ZBarConfig predates it
_ZBAR_Y800 = 0x30303859  # fourcc "Y800": 8-bit grayscale


@cache
def zbar_binary_mode() -> bool:
    """Whether the loaded ZBar library accepts ``ZBAR_CFG_BINARY`` for QR codes."""
    scanner = zbw.zbar_image_scanner_create()
    try:
        return bool(scanner) and not zbw.zbar_image_scanner_set_config(
            scanner, ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1
        )
    finally:
        if scanner:
            zbw.zbar_image_scanner_destroy(scanner)


def zbar_scan(gray: Gray) -> list[tuple[bytes, tuple[Point, ...]]]:
    """QR codes ZBar reads in a grayscale image: their bytes and corners (image pixels).

    Through pyzbar's ctypes bindings rather than ``pyzbar.decode``, which cannot set
    ``ZBAR_CFG_BINARY`` (NaturalHistoryMuseum/pyzbar#82) and fails on the unsigned orientation
    some ZBar builds return. RuntimeError when ZBar fails (no binary mode: see
    ``zbar_binary_mode``).
    """
    height, width = gray.shape
    pixels = np.ascontiguousarray(gray).tobytes()
    scanner = zbw.zbar_image_scanner_create()
    if not scanner:
        raise RuntimeError("ZBar could not create an image scanner")
    try:
        zbw.zbar_image_scanner_set_config(scanner, 0, zbw.ZBarConfig.CFG_ENABLE, 0)
        zbw.zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, zbw.ZBarConfig.CFG_ENABLE, 1)
        if zbw.zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1):
            raise RuntimeError("the ZBar library has no binary mode (ZBar >= 0.23.1 needed)")
        image = zbw.zbar_image_create()
        if not image:
            raise RuntimeError("ZBar could not create an image")
        try:
            zbw.zbar_image_set_format(image, _ZBAR_Y800)
            zbw.zbar_image_set_size(image, width, height)
            # ZBar keeps the pointer until the scan: `pixels` lives until this function returns.
            zbw.zbar_image_set_data(image, pixels, len(pixels), None)
            if zbw.zbar_scan_image(scanner, image) < 0:
                raise RuntimeError("ZBar refused the image format")
            found = []
            symbol = zbw.zbar_image_first_symbol(image)
            while symbol:
                if symbol.contents.type == ZBarSymbol.QRCODE:
                    data = string_at(
                        zbw.zbar_symbol_get_data(symbol), zbw.zbar_symbol_get_data_length(symbol)
                    )
                    corners = (
                        (zbw.zbar_symbol_get_loc_x(symbol, i), zbw.zbar_symbol_get_loc_y(symbol, i))
                        for i in range(zbw.zbar_symbol_get_loc_size(symbol))
                    )
                    hull = tuple((float(p.x), float(p.y)) for p in convex_hull(corners))
                    found.append((data, hull))
                symbol = zbw.zbar_symbol_next(symbol)
            return found
        finally:
            zbw.zbar_image_destroy(image)
    finally:
        zbw.zbar_image_scanner_destroy(scanner)


# -- the pipeline ------------------------------------------------------------------------


Contrast = Literal["none", "clahe", "adaptive"]


@dataclass(frozen=True, slots=True)
class Step:
    """One second-pass attempt: a decoder on a prepared copy of a region.

    ``scale`` resizes the region; ``max_side`` (pixels) shrinks it further so its longer side
    is at most that, which makes local filters see whole modules and costs a quarter of the
    time on a 720p frame. ``thicken`` applies a 3x3 minimum filter. ``contrast``:
    ``clahe`` equalises the histogram tile by tile (OpenCV's CLAHE, clip limit 3, 8x8 tiles),
    which restores washed-out, dark and shadowed codes that fall under zxing-cpp's minimum
    local contrast; ``adaptive`` thresholds each pixel against the mean of its 31x31
    neighbourhood, so a glare spot or over-exposure keeps the modules' local order.
    """

    name: str
    decoder: Decoder
    scale: float = 1.0
    thicken: bool = False
    max_side: int = 0
    contrast: Contrast = "none"

    def factor(self, region: Gray) -> float:
        """The resize factor this step applies to a region of this size."""
        if self.max_side and max(region.shape) * self.scale > self.max_side:
            return float(self.max_side / max(region.shape))
        return self.scale

    def run(self, region: Gray) -> list[Detection]:
        img = region
        f = self.factor(region)
        if f != 1.0:
            shrink = cv2.INTER_AREA if f < 1.0 else cv2.INTER_CUBIC
            img = cv2.resize(img, None, fx=f, fy=f, interpolation=shrink)
        if self.thicken:
            # Glare and ink bleed thin the dark modules; a 3x3 minimum filter restores them.
            img = cv2.erode(img, np.ones((3, 3), np.uint8))
        if self.contrast == "clahe":
            img = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(img)
        elif self.contrast == "adaptive":
            img = cv2.adaptiveThreshold(
                img, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 31, 2
            )
        return [
            Detection(c.text, tuple((x / f, y / f) for x, y in c.polygon), c.decoder)
            for c in self.decoder.decode(img)
        ]


@dataclass
class SecondPassBudget:
    """Caps the CPU share the pipeline's second pass may use while streaming frames.

    Tokens are seconds of decoding; they accrue at ``share`` per wall-clock second up to
    ``burst`` seconds. A second pass runs only while tokens are left, and pays its cost after.
    """

    share: float = 0.15
    burst: float = 0.25
    clock: Callable[[], float] = time.monotonic
    _tokens: float = 0.0
    _at: float = -1.0

    def available(self) -> bool:
        now = self.clock()
        if self._at < 0:
            self._tokens, self._at = self.burst, now
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.share)
        self._at = now
        return self._tokens > 0

    def spend(self, seconds: float) -> None:
        self._tokens -= seconds


class PipelineDecoder:
    """zxing-cpp first; when it fails, a cascade of other readings where a code may be.

    The first pass (zxing-cpp, ~1 ms on a 720p frame) runs on every frame. The second pass
    runs on the regions where zxing-cpp located a code but could not correct it (and on the
    whole image for a still, or at most every ``full_frame_interval`` seconds while streaming),
    stopping at the first step that reads a code:

    1. zxing-cpp on a copy at most 640 px long, CLAHE-equalised (washed out, dark, shadow);
    2. zxing-cpp on the same size, adaptively thresholded (glare, over-exposure);
    3. zxing-cpp with its global-histogram binariser;
    4. pyzbar, then zxing-cpp x2 thickened, then pyzbar x1.5 thickened (damaged codes).

    A frame's second pass starts no step once the frame has used ``frame_budget`` seconds of
    CPU time (0.035; CPU rather than wall time, so other processes' load changes what is read
    far less), so no frame costs much more than that; while streaming, ``SecondPassBudget``
    also caps the share of a core it uses. Figures: docs/reading.md, bench/bench_decode.py.
    """

    name = "pipeline"

    def __init__(self, full_frame_interval: float = 0.5, frame_budget: float = 0.035) -> None:
        self.zxing = ZxingDecoder()
        self.full_frame_interval = full_frame_interval
        self.frame_budget = frame_budget
        self._last_full = -1e9
        self.max_scaled_side = 1600
        binary = ZxingDecoder(zxingcpp.Binarizer.BoolCast)
        steps = [
            Step("zxing clahe", self.zxing, max_side=640, contrast="clahe"),
            Step("zxing adaptive", binary, max_side=640, contrast="adaptive"),
            Step("zxing global", ZxingDecoder(zxingcpp.Binarizer.GlobalHistogram)),
        ]
        if zbar_binary_mode():
            pyzbar = PyzbarDecoder(invert=True)
            steps.append(Step("pyzbar", pyzbar))
            steps.append(Step("zxing x2 thick", self.zxing, scale=2.0, thicken=True))
            steps.append(Step("pyzbar x1.5 thick", pyzbar, scale=1.5, thicken=True))
        else:
            log.warning("ZBar has no binary mode (0.23.1 or later needed): pyzbar steps skipped")
            steps.append(Step("zxing x2 thick", self.zxing, scale=2.0, thicken=True))
        self.steps: Sequence[Step] = tuple(steps)

    def decode(self, gray: Gray) -> list[Detection]:
        """A still image: first pass, then the cascade (crops of hints, then the image)."""
        started = time.thread_time()
        codes, hints = self.zxing.read(gray)
        if codes:
            return codes
        return self._second_pass(gray, hints, True, started + self.frame_budget)

    def decode_stream(self, gray: Gray, budget: SecondPassBudget, now: float) -> list[Detection]:
        """A camera frame: the second pass only within the budget, on hints first."""
        started = time.thread_time()
        codes, hints = self.zxing.read(gray)
        if codes or not budget.available():
            return codes
        whole = now - self._last_full >= self.full_frame_interval
        if not hints and not whole:
            return []
        if whole:
            self._last_full = now
        second = time.perf_counter()
        try:
            return self._second_pass(gray, hints, whole, started + self.frame_budget)
        finally:
            budget.spend(time.perf_counter() - second)

    def _second_pass(
        self, gray: Gray, hints: list[Hint], whole_image: bool, deadline: float
    ) -> list[Detection]:
        regions = [_crop(gray, h.polygon) for h in hints]
        if whole_image:
            regions.append((gray, (0, 0)))
        for step in self.steps:
            for region, (ox, oy) in regions:
                if time.thread_time() >= deadline:
                    return []
                f = step.factor(region)
                if f > 1.0 and max(region.shape) * f > self.max_scaled_side:
                    continue  # upscaling a whole webcam frame costs much and never paid off
                codes = step.run(region)
                if codes:
                    return [
                        Detection(
                            c.text,
                            tuple((x + ox, y + oy) for x, y in c.polygon),
                            f"pipeline:{step.name}",
                        )
                        for c in codes
                    ]
        return []


def _crop(
    gray: Gray, polygon: tuple[Point, ...], margin: float = 0.3
) -> tuple[Gray, tuple[int, int]]:
    xs = [p[0] for p in polygon]
    ys = [p[1] for p in polygon]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    pad = margin * max(w, h, 8.0)
    x0 = max(0, int(min(xs) - pad))
    y0 = max(0, int(min(ys) - pad))
    x1 = min(gray.shape[1], int(max(xs) + pad) + 1)
    y1 = min(gray.shape[0], int(max(ys) + pad) + 1)
    return np.ascontiguousarray(gray[y0:y1, x0:x1]), (x0, y0)


def make_decoder(name: str) -> Decoder:
    """The decoder named in config.toml ([camera] decoder)."""
    if name == "pipeline":
        return PipelineDecoder()
    if name == "zxing":
        return ZxingDecoder()
    if name == "pyzbar":
        return PyzbarDecoder()
    raise ValueError(f"unknown decoder {name!r}; expected one of {', '.join(DECODER_NAMES)}")
