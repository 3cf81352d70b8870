"""Camera-like pictures of QR codes, made here: for tests, benchmarks and demo videos.

A phone held at a kiosk shows the code a few pixels per module wide, tilted, a little out
of focus, over a busy background, sometimes in dark mode. These helpers draw exactly that
with OpenCV so the reader can be measured without a camera.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

EC_LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}


def qr_matrix(text: str, ec: str = "M", border: int = 4) -> np.ndarray:
    """The code's modules (True = dark) with its quiet zone; smallest version that fits."""
    code = qrcode.QRCode(error_correction=EC_LEVELS[ec], border=border)
    code.add_data(text)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def qr_version(text: str, ec: str = "M") -> int:
    """The QR version (1-40) ``qrcode`` picks for the text at this error-correction level."""
    code = qrcode.QRCode(error_correction=EC_LEVELS[ec])
    code.add_data(text)
    code.make(fit=True)
    return int(code.version)


def render_code(text: str, module_px: float, ec: str = "M", dark_mode: bool = False) -> np.ndarray:
    """A flat grayscale picture of the code at ``module_px`` pixels per module."""
    modules = qr_matrix(text, ec)
    dark, light = (235, 25) if dark_mode else (20, 240)
    flat = np.where(modules, dark, light).astype(np.uint8)
    size = max(1, round(modules.shape[0] * module_px))
    return cv2.resize(
        flat, (size, size), interpolation=cv2.INTER_AREA if module_px < 1 else cv2.INTER_NEAREST
    )


def busy_background(
    width: int, height: int, rng: np.random.Generator, shift: int = 0
) -> np.ndarray:
    """A venue-like grayscale scene: gradients, blobs, stripes and sensor noise."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = 90 + 50 * np.sin((x + shift) / 97.0) * np.cos(y / 61.0) + 0.04 * (x - y)
    img = base.astype(np.float32)
    local = np.random.default_rng(12345)
    for _ in range(25):
        cx, cy = local.integers(0, width), local.integers(0, height)
        r = int(local.integers(10, max(12, height // 6)))
        cv2.circle(img, (int((cx + shift) % width), int(cy)), r, float(local.integers(20, 230)), -1)
    for _ in range(10):
        x0 = int((local.integers(0, width) + 2 * shift) % width)
        cv2.rectangle(
            img,
            (x0, 0),
            (x0 + int(local.integers(3, 30)), height),
            float(local.integers(30, 220)),
            -1,
        )
    img += rng.normal(0, 6, img.shape).astype(np.float32)
    return np.asarray(np.clip(img, 0, 255), dtype=np.uint8)


def place(
    code: np.ndarray,
    scene: np.ndarray,
    center: tuple[float, float],
    tilt: float = 0.0,
    rotate_deg: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Paste the code into the scene with a perspective tilt; returns the scene and corners.

    ``tilt`` (0 to ~0.35) shortens one side as when a phone leans back.
    """
    h, w = code.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    half = np.array(
        [[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32
    )
    half[0, 0] *= 1 - tilt
    half[1, 0] *= 1 - tilt
    half[0, 1] *= 1 - tilt / 2
    half[1, 1] *= 1 - tilt / 2
    a = np.deg2rad(rotate_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    dst = half @ rot.T + np.array(center, np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    size = (scene.shape[1], scene.shape[0])
    warped = cv2.warpPerspective(code, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full_like(code, 255), matrix, size, flags=cv2.INTER_NEAREST)
    out = scene.copy()
    out[mask > 0] = warped[mask > 0]
    return out, dst


def camera_effects(
    img: np.ndarray, rng: np.random.Generator, blur: float = 0.0, noise: float = 0.0
) -> np.ndarray:
    """Out-of-focus blur (Gaussian sigma in pixels) and sensor noise (sigma in grey levels)."""
    out: np.ndarray = img.astype(np.float32)
    if blur > 0:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), blur))
    if noise > 0:
        out += rng.normal(0, noise, out.shape).astype(np.float32)
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    """Frames (gray or BGR) to an MJPEG .avi file OpenCV can read back anywhere."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {path}")
    try:
        for f in frames:
            writer.write(cv2.cvtColor(f, cv2.COLOR_GRAY2BGR) if f.ndim == 2 else f)
    finally:
        writer.release()
    return path


LIGHTING = ("glare", "overexposed", "dark", "shadow", "washed_out")


def hard_lighting(img: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """A grayscale photo as venue lighting spoils it; ``kind`` is one of ``LIGHTING``.

    ``glare``: a saturated spot (a lamp or window reflected by a phone screen or glossy paper)
    somewhere over the middle of the picture; ``overexposed``: gain with clipping, light modules
    and pale dark ones merge; ``dark``: a quarter of the light, with sensor noise;
    ``shadow``: light falling to a sixth across the picture in a random direction;
    ``washed_out``: contrast squeezed into a tenth of the range (backlight, haze). The random
    generator places the spot and the direction. ValueError for an unknown kind.
    """
    h, w = img.shape[:2]
    out = img.astype(np.float32)
    if kind == "glare":
        cy, cx = rng.uniform(0.3, 0.7) * h, rng.uniform(0.3, 0.7) * w
        sigma = rng.uniform(0.08, 0.16) * min(h, w)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        out += 260.0 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma**2))
    elif kind == "overexposed":
        out = out * 1.9 + 40.0
    elif kind == "dark":
        out = out * 0.25 + rng.normal(0, 2.5, out.shape).astype(np.float32)
    elif kind == "shadow":
        angle = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = (xx / w - 0.5) * np.cos(angle) + (yy / h - 0.5) * np.sin(angle)
        out *= 1.0 - (5 / 6) * np.clip(t + 0.5, 0.0, 1.0)
    elif kind == "washed_out":
        out = 150.0 + (out - 128.0) * 0.1 + rng.normal(0, 1.5, out.shape).astype(np.float32)
    else:
        raise ValueError(f"unknown lighting {kind!r}; expected one of {', '.join(LIGHTING)}")
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)
