"""The code reader the kiosk screen talks to: camera, USB scanner and typed codes in one place.

Three threads of its own: capture (newest frame only), decode (never falls behind: it skips
to the newest frame), and events (debounces and calls ``on_code``/``on_state`` one at a
time, in order). Callbacks therefore never run on the caller's thread; a Textual app hands
them to its own with ``call_from_thread``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.reading.capture import FrameGrabber, Opener, SourceSpec
from kiosk.reading.debounce import Debouncer
from kiosk.reading.decoders import Decoder, Detection, PipelineDecoder, SecondPassBudget, as_gray
from kiosk.reading.preview import Preview, make_preview
from kiosk.reading.state import CameraStatus, ReaderState
from kiosk.reading.wedge import WedgeDetector

log = logging.getLogger(__name__)

OnCode = Callable[[str, str, bool], None]
OnState = Callable[[ReaderState], None]

# Where a code came from, as passed to on_code.
CAMERA, SCANNER, TYPED = "camera", "scanner", "typed"


@dataclass
class ReaderStats:
    """Counters for `accueil scan-test` and the logs."""

    frames_decoded: int = 0
    frames_corrupt: int = 0
    decoder_errors: int = 0
    codes_read: int = 0
    started_at: float = 0.0
    decode_seconds: float = 0.0


class CodeReader:
    """Reads codes from every source and reports them through two callbacks.

    ``on_code(code, source, repeat)``: ``source`` is "camera", "scanner" or "typed";
    ``repeat`` is True when the same code came back within ``repeat_seconds`` (re-show the
    last verdict, do not check in again). ``on_state(state)``: the camera's ReaderState.
    """

    def __init__(
        self,
        spec: SourceSpec,
        opener: Opener,
        decoder: Decoder,
        on_code: OnCode,
        on_state: OnState,
        *,
        repeat_seconds: float = 4.0,
        pace_fps: float = 30.0,
        loop: bool = False,
        preview_width: int = 80,
        preview_fps: float = 10.0,
        reconnect_initial: float = 0.5,
        reconnect_max: float = 5.0,
        wedge: WedgeDetector | None = None,
        second_pass_share: float = 0.15,
    ) -> None:
        self.spec = spec
        self.decoder = decoder
        self.on_code = on_code
        self.on_state = on_state
        self.wedge = wedge
        self.preview_width = preview_width
        self.preview_interval = 1.0 / preview_fps if preview_fps > 0 else float("inf")
        self.debouncer = Debouncer(repeat_seconds)
        self.budget = SecondPassBudget(share=second_pass_share)
        self.stats = ReaderStats()
        self.grabber = FrameGrabber(
            opener,
            spec,
            self._state_changed,
            pace_fps=pace_fps,
            loop=loop,
            reconnect_initial=reconnect_initial,
            reconnect_max=reconnect_max,
        )
        self._state = ReaderState(CameraStatus.STARTING, f"Starting the camera ({spec.label})…")
        self._preview: Preview | None = None
        self._last_detection: tuple[Detection, float] | None = None
        self._events: queue.Queue[tuple[Any, ...] | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._last_preview = 0.0

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start reading; returns at once. Calling it twice does nothing."""
        if self._threads:
            return
        self.stats.started_at = time.monotonic()
        self._threads = [
            threading.Thread(target=self._dispatch, name="accueil-reader-events", daemon=True),
            threading.Thread(target=self._decode_loop, name="accueil-decode", daemon=True),
        ]
        for t in self._threads:
            t.start()
        self.grabber.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop every thread and release the camera; no callback runs after it returns.

        Codes already read are still reported before it returns.
        """
        self._stop.set()
        self.grabber.stop(timeout)
        for t in self._threads[1:]:
            t.join(timeout)
        self._events.put(None)
        if self._threads:
            self._threads[0].join(timeout)
        with self._lock:
            self._state = ReaderState(CameraStatus.STOPPED, "Camera stopped.")

    def __enter__(self) -> CodeReader:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the screen reads ---------------------------------------------------------

    @property
    def state(self) -> ReaderState:
        with self._lock:
            return self._state

    def preview(self) -> Preview | None:
        """The latest small picture (about ``preview_fps`` a second), or None before any."""
        with self._lock:
            return self._preview

    @property
    def idle(self) -> bool:
        """True when every frame captured so far has been decoded (tests and scan-test)."""
        return not self.grabber.frames.pending

    @property
    def fps(self) -> float:
        """Frames decoded per second since start."""
        elapsed = time.monotonic() - self.stats.started_at if self.stats.started_at else 0.0
        return self.stats.frames_decoded / elapsed if elapsed > 0 else 0.0

    # -- codes that do not come from the camera ---------------------------------------

    def submit(self, code: str, source: str = TYPED) -> None:
        """A code typed by staff (or read elsewhere); reported through on_code like the rest."""
        code = code.strip()
        if code:
            self._events.put(("submit", code, source, time.monotonic()))

    def key(self, char: str, now: float | None = None) -> None:
        """Every printable key the screen receives, so scanner bursts can be recognised."""
        if self.wedge is not None:
            self.wedge.key(char, time.monotonic() if now is None else now)

    def enter(self, now: float | None = None) -> bool:
        """Enter pressed: True when it ended a scanner burst (then the code is on its way)."""
        if self.wedge is None:
            return False
        code = self.wedge.enter(time.monotonic() if now is None else now)
        if code is None:
            return False
        self.submit(code, SCANNER)
        return True

    # -- threads ----------------------------------------------------------------------

    def _state_changed(self, state: ReaderState) -> None:
        with self._lock:
            self._state = state
        log.info("camera: %s: %s", state.status, state.message)
        self._events.put(("state", state))

    def _decode_loop(self) -> None:
        while not self._stop.is_set():
            item = self.grabber.frames.take(timeout=0.2)
            if item is None:
                continue
            try:
                self._decode(*item)
            finally:
                self.grabber.frames.done()

    def _decode(self, frame: Any, at: float) -> None:
        try:
            gray = as_gray(frame)
        except ValueError as exc:
            self.stats.frames_corrupt += 1
            _log_sometimes(self.stats.frames_corrupt, "corrupt frame skipped: %s", exc)
            return
        started = time.perf_counter()
        try:
            if isinstance(self.decoder, PipelineDecoder):
                found = self.decoder.decode_stream(gray, self.budget, at)
            else:
                found = self.decoder.decode(gray)
        except Exception as exc:
            self.stats.decoder_errors += 1
            _log_sometimes(self.stats.decoder_errors, "decoder failed, frame skipped: %r", exc)
            return
        finally:
            self.stats.decode_seconds += time.perf_counter() - started
        self.stats.frames_decoded += 1
        if found:
            self._last_detection = (found[0], at)
            self._events.put(("frame", tuple(d.text for d in found), at))
        if at - self._last_preview >= self.preview_interval:
            self._last_preview = at
            self._update_preview(gray, at)

    def _update_preview(self, gray: Any, at: float) -> None:
        polygon = code = None
        if self._last_detection is not None and at - self._last_detection[1] <= 0.5:
            polygon, code = self._last_detection[0].polygon, self._last_detection[0].text
        preview = make_preview(gray, self.preview_width, polygon, code, at)
        with self._lock:
            self._preview = preview

    def _dispatch(self) -> None:
        while True:
            event = self._events.get()
            if event is None:
                return
            try:
                self._handle(event)
            except Exception:
                log.exception("a reader callback failed (event %s)", event[0])

    def _handle(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "state":
            self.on_state(event[1])
        elif kind == "frame":
            for s in self.debouncer.observe(event[1], event[2]):
                self.stats.codes_read += 1
                self.on_code(s.code, CAMERA, s.repeat)
        elif kind == "submit":
            s = self.debouncer.submit(event[1], event[3])
            self.on_code(s.code, event[2], s.repeat)


def _log_sometimes(count: int, message: str, *args: Any) -> None:
    # A camera that hands back garbage at 30 fps must not fill the disk with logs.
    if count <= 3 or count % 100 == 0:
        log.warning(message + " (%d so far)", *args, count)
