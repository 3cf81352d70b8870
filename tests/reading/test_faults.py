"""Camera faults, each caused on purpose: the reader reports them and never crashes."""

from __future__ import annotations

import itertools
import logging
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.reading import SCANNER, TYPED, build_reader
from kiosk.reading.capture import FrameGrabber, SourceSpec, open_source
from kiosk.reading.decoders import PipelineDecoder
from kiosk.reading.reader import CodeReader
from kiosk.reading.state import CameraStatus
from kiosk.reading.wedge import WedgeDetector

from .helpers import Recorder, make_video, wait_for

CODES = ["A1:BEFORE-LOSS-" + "X" * 40, "A1:AFTER-RECONNECT-" + "Y" * 40]
LIVE = SourceSpec("camera", 0, "test camera")


class PacedVideo:
    """A real cv2.VideoCapture of a video file, delivering frames at 30 fps like a webcam.

    ``die_after`` frames it stops working, as a camera unplugged mid-run does.
    """

    def __init__(self, path: Path, die_after: int | None = None, corrupt_every: int = 0) -> None:
        self.cap = cv2.VideoCapture(str(path))
        self.die_after = die_after
        self.corrupt_every = corrupt_every
        self.n = 0

    def isOpened(self) -> bool:
        return self.cap.isOpened()

    def read(self):
        time.sleep(1 / 30)
        self.n += 1
        if self.die_after is not None and self.n > self.die_after:
            return False, None
        if self.corrupt_every and self.n % self.corrupt_every == 0:
            garbage = [
                None,
                np.zeros((480, 640), np.float32),
                np.zeros(0, np.uint8),
                b"\xff\xd8",
                np.zeros((4, 4, 7), np.uint8),
            ]
            return True, garbage[(self.n // self.corrupt_every) % len(garbage)]
        ok, frame = self.cap.read()
        if not ok:  # the video ended: a camera keeps showing an empty scene
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = True, np.zeros((480, 640, 3), np.uint8)
        return ok, frame

    def release(self) -> None:
        self.cap.release()


def make_reader(opener, rec: Recorder, decoder=None, **options) -> CodeReader:
    options.setdefault("reconnect_initial", 0.05)
    options.setdefault("reconnect_max", 0.2)
    return CodeReader(
        LIVE, opener, decoder or PipelineDecoder(), rec.on_code, rec.on_state, **options
    )


def test_no_camera_at_start_says_so_and_scanner_and_typing_still_work() -> None:
    # A real OpenCV open of a device that is not there.
    from kiosk.config import CameraSection

    rec = Recorder()
    reader = build_reader(
        CameraSection(source="63", reconnect_max_seconds=0.2), rec.on_code, rec.on_state
    )
    with reader:
        assert wait_for(lambda: rec.statuses()[:1] == ["no_camera"], 10)
        assert reader.state.status is CameraStatus.NO_CAMERA
        assert "USB scanner or type the code" in reader.state.message
        reader.submit("A1:TYPED-BY-STAFF")
        t = 100.0
        for ch in "A1:SCANNED":
            reader.key(ch, t)
            t += 0.004
        assert reader.enter(t + 0.004)
        assert wait_for(lambda: len(rec.codes) == 2, 5)
        time.sleep(0.5)  # it keeps looking for a camera plugged in later, quietly
    assert rec.codes == [("A1:TYPED-BY-STAFF", TYPED, False), ("A1:SCANNED", SCANNER, False)]
    assert set(rec.statuses()) == {"no_camera"}


def test_source_none_means_scanner_only() -> None:
    from kiosk.config import CameraSection

    rec = Recorder()
    with build_reader(CameraSection(source="none"), rec.on_code, rec.on_state) as reader:
        assert wait_for(lambda: rec.statuses() == ["no_camera"], 5)
    assert reader.state.status is CameraStatus.STOPPED


def test_camera_lost_mid_run_reconnects_with_backoff_and_reads_again(tmp_path: Path) -> None:
    before = make_video(tmp_path / "before.avi", CODES[:1], blank_frames=4)
    after = make_video(tmp_path / "after.avi", CODES[1:], blank_frames=4)
    opened: list[float] = []

    def opener():
        opened.append(time.monotonic())
        if len(opened) == 1:
            return PacedVideo(before, die_after=30)
        if len(opened) <= 4:
            return None  # unplugged: three attempts fail
        return PacedVideo(after)

    rec = Recorder()
    reader = make_reader(opener, rec)
    with reader:
        assert wait_for(lambda: len(rec.codes) == 2, 30)
    assert [c for c, _, _ in rec.codes] == CODES
    statuses = rec.statuses()
    assert statuses[0] == "ok" and statuses[-1] in ("ok", "stopped")
    assert "reconnecting" in statuses and statuses.index("reconnecting") < len(statuses) - 1
    assert reader.grabber.reconnects == 1
    assert any("attempt 2 failed" in s.message for s in rec.states)
    gaps = np.diff(opened[1:])  # waits grow: 0.1, 0.2, 0.2 s (initial 0.05 doubling to the cap)
    assert gaps[0] < gaps[-1] and all(b >= a - 0.02 for a, b in itertools.pairwise(gaps))


def test_camera_that_opens_but_sends_no_picture_backs_off_and_says_use_the_scanner(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = make_video(tmp_path / "before.avi", CODES[:1], blank_frames=4)
    after = make_video(tmp_path / "after.avi", CODES[1:], blank_frames=4)
    empty = empty_video(tmp_path / "empty.avi")
    opened: list[float] = []

    def opener():
        opened.append(time.monotonic())
        if len(opened) == 1:
            return PacedVideo(before, die_after=30)
        if len(opened) <= 8:
            return cv2.VideoCapture(str(empty))  # opens, then every read fails
        return PacedVideo(after)

    rec = Recorder()
    reader = make_reader(opener, rec)
    with caplog.at_level(logging.INFO, logger="kiosk.reading"), reader:
        assert wait_for(lambda: len(rec.codes) == 2, 30)
    assert [c for c, _, _ in rec.codes] == CODES
    # Each dead cycle is neither "back" nor a reconnect; after three the kiosk says to use
    # the scanner and stays quiet until a frame really arrives.
    assert rec.statuses() == [
        "ok",
        "reconnecting",
        "reconnecting",
        "reconnecting",
        "no_camera",
        "ok",
    ]
    assert "camera opens but sends no picture" in rec.states[4].message
    assert "USB scanner" in rec.states[4].message
    assert rec.states[-1].message.startswith("Camera back")
    assert reader.grabber.reconnects == 1
    assert caplog.text.count("Camera back") == 1
    # The wait grows across dead cycles up to reconnect_max (0.2 s) and never restarts short.
    gaps = np.diff(opened[1:])
    assert all(b >= a - 0.02 for a, b in itertools.pairwise(gaps))
    assert all(g >= 0.18 for g in gaps[2:])


def empty_video(path: Path) -> Path:
    """A real AVI file with no frame in it: OpenCV opens it, and every read fails."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (64, 48))
    writer.release()
    return path


def test_a_looping_video_without_a_readable_frame_ends_instead_of_spinning(
    tmp_path: Path,
) -> None:
    spec = SourceSpec("file", str(empty_video(tmp_path / "empty.avi")), "empty.avi")
    opens: list[int] = []

    def opener():
        opens.append(1)
        return open_source(spec, 640, 480, 30)

    states = []
    grabber = FrameGrabber(opener, spec, states.append, loop=True)
    grabber.start()
    assert wait_for(lambda: bool(states), 5)
    time.sleep(0.3)
    grabber.stop()
    assert len(opens) == 1
    assert [str(s.status) for s in states] == ["ended"]
    assert "no picture can be read" in states[0].message


def test_corrupt_frames_are_logged_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    video = make_video(tmp_path / "v.avi", CODES[:1], blank_frames=4, code_frames=20)
    rec = Recorder()
    reader = make_reader(lambda: PacedVideo(video, corrupt_every=3), rec)
    with caplog.at_level(logging.WARNING, logger="kiosk.reading"), reader:
        assert wait_for(lambda: rec.codes != [] and reader.stats.frames_corrupt >= 10, 20)
    assert rec.codes == [(CODES[0], "camera", False)]
    assert reader.stats.frames_corrupt >= 10 and reader.stats.frames_decoded >= 20
    assert "corrupt frame skipped" in caplog.text
    # The log does not flood: the first three, then one in a hundred.
    assert caplog.text.count("corrupt frame skipped") <= 3 + reader.stats.frames_corrupt // 100


class FailingEveryOtherCall:
    """The real pipeline, except that every other call raises as a buggy decoder would."""

    name = "failing"

    def __init__(self) -> None:
        self.real = PipelineDecoder()
        self.calls = 0

    def decode(self, gray):
        self.calls += 1
        if self.calls % 2:
            raise RuntimeError("decoder exploded")
        return self.real.decode(gray)


def test_decoder_exceptions_are_logged_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    video = make_video(tmp_path / "v.avi", CODES[:1], blank_frames=4)
    rec = Recorder()
    reader = make_reader(lambda: PacedVideo(video), rec, decoder=FailingEveryOtherCall())
    with caplog.at_level(logging.WARNING, logger="kiosk.reading"), reader:
        assert wait_for(lambda: bool(rec.codes), 20)
    assert rec.codes == [(CODES[0], "camera", False)]
    assert reader.stats.decoder_errors >= 3
    assert "decoder exploded" in caplog.text
    assert reader.state.status is CameraStatus.STOPPED


def test_a_failing_callback_does_not_stop_the_reader() -> None:
    calls: list[str] = []

    def on_code(code: str, source: str, repeat: bool) -> None:
        calls.append(code)
        if len(calls) == 1:
            raise ValueError("screen bug")

    rec = Recorder()
    reader = CodeReader(
        SourceSpec("none", None, "none"),
        lambda: None,
        PipelineDecoder(),
        on_code,
        rec.on_state,
        wedge=WedgeDetector(),
    )
    with reader:
        reader.submit("A1:ONE")
        reader.submit("A1:TWO")
        assert wait_for(lambda: len(calls) == 2, 5)
    assert calls == ["A1:ONE", "A1:TWO"]
