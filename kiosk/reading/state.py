"""What the reader tells the screen about the camera."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum


class CameraStatus(StrEnum):
    STARTING = "starting"
    OK = "ok"  # frames arrive and are decoded
    NO_CAMERA = "no_camera"  # none found at start, or source = "none": scanner and typing only
    RECONNECTING = "reconnecting"  # lost mid-run; retrying with backoff
    ENDED = "ended"  # a video file or image folder played to its end
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ReaderState:
    """The camera's status, a sentence a person can act on, and when it began."""

    status: CameraStatus
    message: str
    since: float = field(default_factory=time.monotonic)

    @property
    def camera_ok(self) -> bool:
        return self.status is CameraStatus.OK
