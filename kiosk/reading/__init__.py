"""Reading codes: webcam, video file or image folder through OpenCV, USB scanners, typing.

The kiosk builds one ``CodeReader`` with ``build_reader`` (main.py's ``Runtime.build_reader``)
and gets every code through ``on_code(code, source, repeat)``. See docs/reading.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from kiosk.reading.capture import open_source, parse_source
from kiosk.reading.decoders import Detection, make_decoder
from kiosk.reading.preview import Preview
from kiosk.reading.reader import CAMERA, SCANNER, TYPED, CodeReader, OnCode, OnState
from kiosk.reading.state import CameraStatus, ReaderState
from kiosk.reading.wedge import WedgeDetector

__all__ = [
    "CAMERA",
    "SCANNER",
    "TYPED",
    "CameraStatus",
    "CodeReader",
    "Detection",
    "Preview",
    "ReaderState",
    "build_reader",
]


def build_reader(
    camera: Any,
    on_code: OnCode,
    on_state: OnState,
    resolve: Callable[[str], Path] = Path,
    **overrides: Any,
) -> CodeReader:
    """A CodeReader configured from a ``[camera]`` section (kiosk.config.CameraSection)."""
    spec = parse_source(camera.source, resolve)
    options: dict[str, Any] = {
        "repeat_seconds": camera.repeat_seconds,
        "pace_fps": camera.fps,
        "loop": camera.loop,
        "preview_width": camera.preview_width,
        "preview_fps": camera.preview_fps,
        "reconnect_max": camera.reconnect_max_seconds,
        "wedge": (
            WedgeDetector(camera.scanner_max_gap_ms / 1000, camera.scanner_min_length)
            if camera.scanner
            else None
        ),
    }
    options.update(overrides)
    opener = partial(open_source, spec, camera.width, camera.height, camera.fps)
    return CodeReader(spec, opener, make_decoder(camera.decoder), on_code, on_state, **options)
