"""A webcam for rehearsal kiosks whose cable can be pulled: the reader's real reconnect path.

The picture is a short venue video read through OpenCV (no code in it: attendees use the
scanner lane of the rehearsal); while a flag file exists next to the video, the camera is
unplugged: reads fail and reopening fails, as with a USB webcam pulled out.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2

from kiosk.reading.capture import SourceSpec
from kiosk.reading.decoders import make_decoder
from kiosk.reading.reader import CodeReader

FPS = 4.0


def unplugged_flag(video: Path) -> Path:
    return video.with_suffix(".unplugged")


class PullableWebcam:
    """cv2.VideoCapture of a looping video that stops while its 'unplugged' flag exists."""

    def __init__(self, video: Path) -> None:
        self.flag = unplugged_flag(video)
        self.cap = cv2.VideoCapture(str(video))

    def isOpened(self) -> bool:
        return bool(self.cap.isOpened()) and not self.flag.exists()

    def read(self) -> tuple[bool, Any]:
        time.sleep(1 / FPS)
        if self.flag.exists():
            return False, None
        ok, frame = self.cap.read()
        if not ok:  # a camera keeps filming: start the scene again
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self.cap.read()
        return ok, frame

    def release(self) -> None:
        self.cap.release()


def rehearsal_reader(video: Path, on_state: Any) -> CodeReader:
    def opener() -> PullableWebcam | None:
        cam = PullableWebcam(video)
        if not cam.isOpened():
            cam.release()
            return None
        return cam

    return CodeReader(
        SourceSpec("camera", str(video), "rehearsal webcam"),
        opener,
        make_decoder("zxing"),
        lambda code, source, repeat: None,
        on_state,
        pace_fps=FPS,
        reconnect_initial=0.2,
        reconnect_max=1.0,
    )


def write_venue_video(path: Path, seed: int) -> Path:
    import numpy as np

    from kiosk.reading.synthetic import busy_background, write_video

    rng = np.random.default_rng(seed)
    frames = [busy_background(320, 240, rng, shift=n * 4) for n in range(8)]
    return write_video(path, frames, fps=FPS)
