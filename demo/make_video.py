"""Write a camera-like demo video of attendees showing their tickets (for kiosks without a webcam).

    python demo/make_video.py [OUT.avi] [--attendees 12]

Each attendee holds a demo ticket in front of the "camera" for about two seconds — tilted,
moving, a little blurred, some in dark mode — with empty frames in between. The kiosk reads
it through the same OpenCV capture path as a webcam: `accueil run --camera OUT.avi`.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.reading.synthetic import (  # noqa: E402
    busy_background,
    camera_effects,
    place,
    render_code,
    write_video,
)

FPS = 15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "data" / "demo-camera.avi")
    parser.add_argument("--attendees", type=int, default=12)
    args = parser.parse_args()
    with (ROOT / "demo" / "registrations.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "confirmed" and r["days"] != "2"]
    rng = np.random.default_rng(8)
    frames = []
    width, height = 960, 540
    for n, row in enumerate(rows[: args.attendees]):
        code = render_code(row["codes"], module_px=4.5, dark_mode=n % 4 == 3)
        for i in range(FPS * 3):
            scene = busy_background(width, height, rng, shift=i * 3 + n * 50)
            if FPS // 2 <= i < FPS * 2 + FPS // 2:  # the phone is up for two seconds
                centre = (width / 2 + 40 * np.sin(i / 6), height / 2 + 20 * np.cos(i / 5))
                scene, _ = place(code, scene, centre, tilt=0.15, rotate_deg=8 * np.sin(i / 9))
            frames.append(camera_effects(scene, rng, blur=0.8, noise=4))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_video(args.out, frames, fps=FPS)
    print(f"wrote {args.out} ({len(frames)} frames, {args.attendees} attendees)")


if __name__ == "__main__":
    main()
