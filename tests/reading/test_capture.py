"""Generated videos and image folders through the real OpenCV capture path."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import cv2

from kiosk.reading import CAMERA, build_reader
from kiosk.reading.capture import ImageFolderCapture, open_source, parse_source
from kiosk.reading.decoders import PipelineDecoder
from kiosk.reading.reader import CodeReader

from .helpers import Recorder, make_video, scene_frames, wait_for

CODES = [f"A1:TEST-{i}-" + "Q7" * 30 for i in range(4)]


def read_video(path: Path, **options) -> tuple[Recorder, CodeReader]:
    spec = parse_source(str(path))
    rec = Recorder()
    reader = CodeReader(
        spec,
        partial(open_source, spec, 640, 480, 30),
        PipelineDecoder(),
        rec.on_code,
        rec.on_state,
        **options,
    )
    reader.start()
    try:
        assert wait_for(lambda: "ended" in rec.statuses(), 30)
        assert wait_for(lambda: reader.idle, 10)
    finally:
        reader.stop()
    return rec, reader


def test_generated_video_yields_each_code_exactly_once(tmp_path: Path) -> None:
    video = make_video(tmp_path / "kiosk.avi", CODES)
    rec, reader = read_video(video)
    assert rec.codes == [(c, CAMERA, False) for c in CODES]
    assert rec.statuses() == ["ok", "ended"]
    # The same video has frames without any code: most frames were decoded, none failed.
    assert reader.stats.frames_decoded > len(CODES) * 12
    assert reader.stats.decoder_errors == reader.stats.frames_corrupt == 0


def test_callbacks_never_run_on_the_callers_thread(tmp_path: Path) -> None:
    video = make_video(tmp_path / "one.avi", CODES[:1], blank_frames=2)
    rec, _ = read_video(video)
    assert rec.codes and rec.threads == {"accueil-reader-events"}


def test_same_code_shown_again_soon_is_a_repeat_not_a_new_scan(tmp_path: Path) -> None:
    # Code, ~1 s without it (30 blank frames), the same code again: within repeat_seconds.
    frames = scene_frames([CODES[0]], blank_frames=30) + scene_frames([CODES[0]], blank_frames=30)
    from kiosk.reading.synthetic import write_video

    video = write_video(tmp_path / "twice.avi", frames)
    rec, _ = read_video(video, repeat_seconds=10.0)
    assert rec.codes == [(CODES[0], CAMERA, False), (CODES[0], CAMERA, True)]
    rec, _ = read_video(video, repeat_seconds=0.2)
    assert rec.codes == [(CODES[0], CAMERA, False), (CODES[0], CAMERA, False)]


def test_image_folder_source_reads_like_a_camera(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, frame in enumerate(scene_frames(CODES[:2], code_frames=6, blank_frames=3)):
        cv2.imwrite(str(folder / f"frame-{i}.png"), frame)
    (folder / "notes.txt").write_text("not an image")
    assert len(ImageFolderCapture(folder).files) == 2 * 9 + 3
    rec, _ = read_video(folder)
    assert [c for c, _, _ in rec.codes] == CODES[:2]


def test_preview_is_small_low_rate_and_marks_the_code(tmp_path: Path) -> None:
    frames = scene_frames([CODES[0]], code_frames=40, blank_frames=2)
    from kiosk.reading.synthetic import write_video

    video = write_video(tmp_path / "hold.avi", frames)
    spec = parse_source(str(video))
    rec = Recorder()
    reader = CodeReader(
        spec, partial(open_source, spec, 640, 480, 30), PipelineDecoder(), rec.on_code, rec.on_state,
        preview_width=64, preview_fps=10,
    )  # fmt: skip
    assert reader.preview() is None
    seen = []
    reader.start()
    try:
        assert wait_for(lambda: bool(rec.codes), 20)
        assert wait_for(lambda: (p := reader.preview()) is not None and p.code is not None, 5)
        seen.append(reader.preview())
        wait_for(lambda: "ended" in rec.statuses(), 20)
    finally:
        reader.stop()
    preview = seen[0]
    assert preview.image.shape == (48, 64) and preview.image.dtype == "uint8"
    assert preview.frame_size == (640, 480) and preview.code == CODES[0]
    x0, y0, x1, y1 = preview.bbox
    # The code moves around the middle of the frame (320, 240 -> 32, 24 in preview pixels).
    assert 10 < x0 < 32 < x1 < 54 and 5 < y0 < 24 < y1 < 44


def test_runtime_builds_the_reader_from_config(tmp_path: Path) -> None:
    from kiosk.config import load_config
    from main import Runtime

    make_video(tmp_path / "demo.avi", CODES[:1], blank_frames=2)
    (tmp_path / "config.toml").write_text(
        '[camera]\nsource = "demo.avi"\nloop = false\npreview_width = 72\nrepeat_seconds = 2\n'
    )
    rec = Recorder()
    reader = Runtime(load_config(tmp_path / "config.toml")).build_reader(rec.on_code, rec.on_state)
    assert reader.spec.kind == "file" and reader.preview_width == 72
    reader.start()
    try:
        assert wait_for(lambda: "ended" in rec.statuses(), 20)
    finally:
        reader.stop()
    assert rec.codes == [(CODES[0], CAMERA, False)]


def test_build_reader_reports_a_missing_video_as_no_camera(tmp_path: Path) -> None:
    from kiosk.config import CameraSection

    rec = Recorder()
    reader = build_reader(
        CameraSection(source="missing.avi"), rec.on_code, rec.on_state, lambda p: tmp_path / p
    )
    with reader:
        assert wait_for(lambda: rec.statuses() == ["no_camera"], 5)
    assert "missing.avi" in rec.states[0].message
