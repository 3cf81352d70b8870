"""Frames from a webcam, a video file or a folder of images, all read through OpenCV.

``open_source`` turns the ``[camera] source`` setting into something with OpenCV's
``VideoCapture`` interface (``isOpened``, ``read``, ``release``); ``FrameGrabber`` reads it
in a background thread and keeps only the newest frame, reconnecting when a camera is lost.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2

from kiosk.reading.state import CameraStatus, ReaderState

log = logging.getLogger(__name__)

# OpenCV prints its own warnings to stderr, over the kiosk's full-screen terminal; the
# reader reports the same facts as camera states instead.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
AUTO_INDEXES = (0, 1, 2)


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the grabber uses."""

    def isOpened(self) -> bool: ...

    def read(self) -> tuple[bool, Any]: ...

    def release(self) -> None: ...


class ImageFolderCapture:
    """A folder of images read one after another with ``cv2.imread``, like a video."""

    def __init__(self, folder: Path) -> None:
        self.files = sorted(
            (p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES),
            key=_natural_key,
        )
        self._next = 0

    def isOpened(self) -> bool:
        return bool(self.files)

    def read(self) -> tuple[bool, Any]:
        if self._next >= len(self.files):
            return False, None
        path = self.files[self._next]
        self._next += 1
        frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
        # An unreadable image is a corrupt frame, not the end: hand it on to be skipped.
        return True, frame

    def release(self) -> None:
        self._next = len(self.files)


def _natural_key(path: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What ``[camera] source`` names: a camera, a file or folder, or nothing."""

    kind: str  # "camera", "file", "folder", "none"
    target: int | str | None
    label: str

    @property
    def live(self) -> bool:
        return self.kind == "camera"


def parse_source(source: str, resolve: Callable[[str], Path] = Path) -> SourceSpec:
    """Interpret the config value; relative paths go through ``resolve``."""
    text = source.strip()
    if text in ("", "none", "off"):
        return SourceSpec("none", None, "no camera (source = none)")
    if text == "auto":
        return SourceSpec("camera", None, "first webcam")
    if text.isdigit():
        return SourceSpec("camera", int(text), f"webcam {text}")
    if text.startswith("/dev/"):
        return SourceSpec("camera", text, text)
    path = resolve(text)
    if path.is_dir():
        return SourceSpec("folder", str(path), str(text))
    return SourceSpec("file", str(path), str(text))


def open_source(spec: SourceSpec, width: int, height: int, fps: int) -> Capture | None:
    """An opened capture for the source, or None when it cannot be opened now."""
    if spec.kind == "none":
        return None
    if spec.kind == "folder":
        folder = ImageFolderCapture(Path(str(spec.target)))
        return folder if folder.isOpened() else None
    if spec.kind == "file":
        if not Path(str(spec.target)).exists():
            return None
        cap = cv2.VideoCapture(str(spec.target))
        if cap.isOpened():
            return cap
        cap.release()
        return None
    targets = AUTO_INDEXES if spec.target is None else (spec.target,)
    for target in targets:
        cap = cv2.VideoCapture(target)
        if cap.isOpened():
            _configure_camera(cap, width, height, fps)
            return cap
        cap.release()
    return None


def _configure_camera(cap: Any, width: int, height: int, fps: int) -> None:
    # USB2 webcams deliver 720p at 30 fps only as MJPEG; raw YUYV drops to 5-10 fps.
    cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
    cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    cap.set(cv2.CAP_PROP_FPS, fps)
    # A short driver queue keeps what we decode close to what the attendee is doing now.
    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)


class LatestFrame:
    """A one-frame mailbox: writers replace, the reader waits for something newer."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Any = None
        self._seq = 0
        self._at = 0.0
        self._in_flight = False
        self.dropped = 0

    def put(self, frame: Any, at: float) -> None:
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame, self._at = frame, at
            self._seq += 1
            self._cond.notify_all()

    def take(self, timeout: float) -> tuple[Any, float] | None:
        """The newest unread frame and its time, waiting up to ``timeout`` seconds."""
        with self._cond:
            if self._frame is None:
                self._cond.wait(timeout)
            if self._frame is None:
                return None
            frame, at = self._frame, self._at
            self._frame = None
            self._in_flight = True
            return frame, at

    def done(self) -> None:
        """The frame last taken has been dealt with."""
        with self._cond:
            self._in_flight = False

    @property
    def count(self) -> int:
        return self._seq

    @property
    def pending(self) -> bool:
        """A frame waits to be taken, or the last one taken is still being worked on."""
        with self._cond:
            return self._frame is not None or self._in_flight


Opener = Callable[[], Capture | None]


class FrameGrabber:
    """Reads frames in a background thread into a ``LatestFrame``; reports camera states.

    A camera missing at start is looked for again every ``reconnect_max`` seconds. A camera
    lost mid-run is retried after 0.5, 1, 2… seconds up to ``reconnect_max``; it counts as
    back only once it delivers a frame, so a camera that opens but sends nothing does not
    reset the wait. After ``give_up_after`` tries in a row without a frame the state becomes
    ``NO_CAMERA`` (attendees use the scanner) and the grabber keeps trying quietly.
    Files and folders are played at ``pace_fps`` (as a camera would deliver them) and loop
    when asked.
    """

    def __init__(
        self,
        opener: Opener,
        spec: SourceSpec,
        on_state: Callable[[ReaderState], None],
        *,
        pace_fps: float = 30.0,
        loop: bool = False,
        reconnect_initial: float = 0.5,
        reconnect_max: float = 5.0,
        give_up_after: int = 3,
    ) -> None:
        self.opener = opener
        self.spec = spec
        self.on_state = on_state
        self.pace_fps = pace_fps
        self.loop = loop
        self.reconnect_initial = reconnect_initial
        self.reconnect_max = reconnect_max
        self.give_up_after = max(1, give_up_after)
        self.frames = LatestFrame()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reconnects = 0
        self._last: tuple[CameraStatus, str] | None = None
        self._had_frames = False  # the source has delivered a frame since start
        self._failures = 0  # tries in a row that ended without a frame
        self._delay = reconnect_initial  # the next wait before opening again
        self._quiet = False  # NO_CAMERA was reported: retry without a state per try

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="accueil-capture", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _open(self) -> Capture | None:
        try:
            return self.opener()
        except Exception:
            log.exception("opening %s failed", self.spec.label)
            return None

    def _report(self, status: CameraStatus, message: str) -> None:
        # The same news twice in a row is news once (each state is a log line and a redraw).
        if self._last == (status, message):
            return
        self._last = (status, message)
        self.on_state(ReaderState(status, message))

    def _run(self) -> None:
        cap = self._open()
        if cap is None:
            self._report(CameraStatus.NO_CAMERA, _no_camera_message(self.spec))
            if not self.spec.live:
                return
            # A webcam plugged in later is picked up without a restart.
            self._quiet, self._delay = True, self.reconnect_max
        if self.spec.live:
            self._watch(cap)
        elif cap is not None:
            self._play(cap)

    def _play(self, cap: Capture) -> None:
        """A video file or image folder: to its end, or round again when looping."""
        while not self._stop.is_set():
            read_for = self._read_until_failure(cap, 1.0 / self.pace_fps if self.pace_fps else 0)
            cap.release()
            if self._stop.is_set():
                return
            if read_for is None and self.loop:
                self._report(CameraStatus.ENDED, f"{self.spec.label}: no picture can be read.")
                return
            if not self.loop:
                self._report(CameraStatus.ENDED, f"{self.spec.label}: end of video.")
                return
            replacement = self._open()
            if replacement is None:
                return
            cap = replacement

    def _watch(self, cap: Capture | None) -> None:
        """A webcam: read it, and when it stops, open it again with growing waits."""
        while not self._stop.is_set():
            if cap is None:
                if self._stop.wait(self._delay):
                    return
                self._delay = min(self._delay * 2, self.reconnect_max)
                cap = self._open()
                if cap is None:
                    self._failed(opened=False)
                    continue
            read_for = self._read_until_failure(cap, 0.0)
            cap.release()
            cap = None
            if self._stop.is_set():
                return
            if read_for is None:
                self._failed(opened=True)
                continue
            if read_for >= self.reconnect_max:
                # It worked for a while: a fresh loss starts again with short waits. A camera
                # that dies right after each first frame keeps backing off instead.
                self._delay = self.reconnect_initial
            self._report(
                CameraStatus.RECONNECTING,
                f"Camera lost ({self.spec.label}): reconnecting. Scanner and typing still work.",
            )

    def _failed(self, opened: bool) -> None:
        """One more try without a frame: say so, then after a few say to use the scanner."""
        self._failures += 1
        label = self.spec.label
        if self._failures >= self.give_up_after or self._quiet:
            self._quiet = True
            if opened:
                message = (
                    f"The camera opens but sends no picture ({label}): "
                    "scan with the USB scanner or type the code."
                )
            else:
                message = _no_camera_message(self.spec)
            self._report(CameraStatus.NO_CAMERA, message)
            if self._failures & (self._failures - 1) == 0:  # 1, 2, 4, 8…: the log stays short
                log.info("camera %s: still no picture after %d tries", label, self._failures)
            return
        what = "opens but sends no picture" if opened else "lost"
        self._report(
            CameraStatus.RECONNECTING,
            f"Camera {what} ({label}): attempt {self._failures} failed, next in "
            f"{self._delay:g} s. Scanner and typing still work.",
        )

    def _first_frame(self) -> None:
        if self._had_frames and self._last is not None and self._last[0] is CameraStatus.OK:
            return
        if self._had_frames:
            self.reconnects += 1
            self._report(CameraStatus.OK, f"Camera back ({self.spec.label}).")
        else:
            self._report(CameraStatus.OK, f"Camera ready ({self.spec.label}).")
        self._had_frames = True
        self._failures = 0
        self._quiet = False

    def _read_until_failure(self, cap: Capture, interval: float) -> float | None:
        """Read frames until one fails; seconds since the first frame, or None if none came."""
        first_at: float | None = None
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                ok, frame = cap.read()
            except Exception:
                log.exception("reading a frame from %s failed", self.spec.label)
                ok, frame = False, None
            if not ok:
                break
            now = time.monotonic()
            self.frames.put(frame, now)
            if first_at is None:
                first_at = now
                self._first_frame()
            if interval:
                next_at += interval
                delay = next_at - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_at = time.monotonic()
        return None if first_at is None else time.monotonic() - first_at


def _no_camera_message(spec: SourceSpec) -> str:
    if spec.kind == "none":
        return "No camera configured: scan with the USB scanner or type the code."
    if spec.kind in ("file", "folder"):
        return f"Cannot open {spec.label}: scan with the USB scanner or type the code."
    return f"No camera found ({spec.label}): scan with the USB scanner or type the code."
