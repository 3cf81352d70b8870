"""Shared pieces for the reading tests: the photo sets, generated videos, waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kiosk.reading.decoders import PipelineDecoder
from kiosk.reading.synthetic import busy_background, camera_effects, place, render_code, write_video
from tests.conftest import SHARED

PHOTOS = SHARED / "qr-photos"
SETS = ("qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4", "qrcode-5", "qrcode-6")


def whole_cascade() -> PipelineDecoder:
    """The pipeline without its CPU budget per frame: what it can read, however loaded the
    machine running the tests is. The budget is a speed trade-off; bench/bench_decode.py
    measures reads and time with it."""
    return PipelineDecoder(frame_budget=float("inf"))


def normalise(text: str) -> str:
    # The expected .txt files were saved with Unix line ends; codes often carry CRLF.
    return text.replace("\r\n", "\n").strip()


def photo_set(name: str) -> list[tuple[Path, str]]:
    folder = PHOTOS / name
    images = sorted(p for p in folder.iterdir() if p.suffix in (".png", ".jpg"))
    return [(p, p.with_suffix(".txt").read_text(encoding="utf-8")) for p in images]


def gray(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert image is not None, path
    return image


@dataclass
class Recorder:
    """Collects what a reader reports, thread-safely."""

    codes: list[tuple[str, str, bool]] = field(default_factory=list)
    states: list = field(default_factory=list)
    threads: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_code(self, code: str, source: str, repeat: bool) -> None:
        with self.lock:
            self.codes.append((code, source, repeat))
            self.threads.add(threading.current_thread().name)

    def on_state(self, state) -> None:
        with self.lock:
            self.states.append(state)
            self.threads.add(threading.current_thread().name)

    def statuses(self) -> list[str]:
        with self.lock:
            return [str(s.status) for s in self.states]


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def scene_frames(
    codes: list[str],
    width: int = 640,
    height: int = 480,
    code_frames: int = 12,
    blank_frames: int = 8,
    module_px: float = 3.5,
    seed: int = 7,
) -> list[np.ndarray]:
    """Blank stretches, then each code moving and tilting over a noisy moving background.

    Every other code is shown in dark mode (light modules on a dark screen).
    """
    rng = np.random.default_rng(seed)
    frames: list[np.ndarray] = []
    for i, text in enumerate(codes):
        for _ in range(blank_frames):
            background = busy_background(width, height, rng, shift=3 * len(frames))
            frames.append(camera_effects(background, rng, noise=4))
        code = render_code(text, module_px, dark_mode=i % 2 == 1)
        for j in range(code_frames):
            background = busy_background(width, height, rng, shift=3 * len(frames))
            scene, _ = place(
                code,
                background,
                (width / 2 - 40 + 6 * j, height / 2 + 20 - 3 * j),
                tilt=0.1 + 0.01 * j,
                rotate_deg=-12 + 2 * j,
            )
            frames.append(camera_effects(scene, rng, blur=0.6, noise=5))
    for _ in range(blank_frames):
        frames.append(camera_effects(busy_background(width, height, rng), rng, noise=4))
    return frames


def make_video(path: Path, codes: list[str], **kwargs) -> Path:
    return write_video(path, scene_frames(codes, **kwargs), fps=30)
