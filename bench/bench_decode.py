"""Decoder speed and decode rate, on one core.

    .venv/bin/python bench/bench_decode.py [--seconds 2]

Part 1: frames per second for 1280x720 and 640x480 camera frames, with and without a code,
for each decoder and for the streaming pipeline (as the reader runs it: BGR -> gray, first
pass, second pass within its CPU budget), and the share of one core each needs at 30 fps.
Part 2: decode rate and median milliseconds per photo set in ../shared/qr-photos.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.reading.decoders import (  # noqa: E402
    PipelineDecoder,
    PyzbarDecoder,
    SecondPassBudget,
    ZxingDecoder,
    as_gray,
)
from kiosk.reading.synthetic import camera_effects, place, render_code  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "qr-photos"
SETS = ("qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4", "qrcode-5", "qrcode-6")
CODE = "A1:" + "6BFOXN*CLZ0" * 10  # the length of a signed ticket (113 characters)


def pin_one_core() -> str:
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})
    return f"core {cpus[-1]} of {os.cpu_count()}"


def camera_frames(width: int, height: int, with_code: bool) -> list[np.ndarray]:
    """BGR frames as a webcam gives them: real photos without codes as the scene."""
    rng = np.random.default_rng(1)
    scenes = sorted((PHOTOS / "falsepositives").glob("*.png"))[:12]
    frames = []
    for i, path in enumerate(scenes):
        scene = cv2.resize(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE), (width, height))
        if with_code:
            code = render_code(CODE, 4.0 if width >= 1280 else 2.5, dark_mode=i % 2 == 1)
            scene, _ = place(code, scene, (width * 0.55, height * 0.5), tilt=0.15, rotate_deg=8)
        scene = camera_effects(scene, rng, blur=0.6, noise=4)
        frames.append(cv2.cvtColor(scene, cv2.COLOR_GRAY2BGR))
    return frames


def frames_per_second(decode, frames: list[np.ndarray], seconds: float) -> tuple[float, float]:
    """Frames per second and the fraction of frames where a code was read."""
    decode(as_gray(frames[0]))
    n = hits = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        frame = frames[n % len(frames)]
        hits += bool(decode(as_gray(frame)))
        n += 1
    return n / (time.perf_counter() - started), hits / n


def paced_core_share(decode, frames: list[np.ndarray], seconds: float, fps: float = 30.0) -> float:
    """CPU time / wall time while frames arrive at ``fps``, as from a webcam."""
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    n = 0
    while time.perf_counter() - wall0 < seconds:
        decode(as_gray(frames[n % len(frames)]))
        n += 1
        time.sleep(max(0.0, wall0 + n / fps - time.perf_counter()))
    return (time.thread_time() - cpu0) / (time.perf_counter() - wall0)


def stream_pipeline():
    pipeline = PipelineDecoder()
    budget = SecondPassBudget()
    return lambda gray: pipeline.decode_stream(gray, budget, time.monotonic())


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def photo_rates(decoder) -> dict[str, tuple[int, int, float]]:
    out = {}
    for name in SETS:
        hits, times = 0, []
        images = sorted(p for p in (PHOTOS / name).iterdir() if p.suffix in (".png", ".jpg"))
        for path in images:
            gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            expected = normalise(path.with_suffix(".txt").read_text(encoding="utf-8"))
            started = time.perf_counter()
            found = decoder.decode(gray)
            times.append(time.perf_counter() - started)
            hits += expected in {normalise(d.text) for d in found}
        out[name] = (hits, len(images), statistics.median(times) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    args = parser.parse_args()
    where = pin_one_core()
    print(f"Python {sys.version.split()[0]}, OpenCV {cv2.__version__}, one CPU ({where})\n")
    decoders = {
        "zxing": ZxingDecoder().decode,
        "pyzbar": PyzbarDecoder().decode,
        "pipeline": stream_pipeline(),
    }
    print(f"{'frames':22s} {'decoder':9s} {'frames/s':>9s} {'read':>6s} {'core at 30 fps':>15s}")
    for width, height in ((1280, 720), (640, 480)):
        for with_code in (False, True):
            frames = camera_frames(width, height, with_code)
            label = f"{width}x{height} {'with code' if with_code else 'empty'}"
            for name, decode in decoders.items():
                if name == "pipeline":
                    decode = stream_pipeline()
                fps, read = frames_per_second(decode, frames, args.seconds)
                share = min(30 / fps, 9.99)
                print(f"{label:22s} {name:9s} {fps:9.0f} {read:6.0%} {share:14.1%}")
    print(
        f"\nCPU share of one core with frames arriving at 30 fps ({3 * args.seconds:.0f} s each):"
    )
    for width, height in ((1280, 720),):
        for with_code in (False, True):
            frames = camera_frames(width, height, with_code)
            label = f"{width}x{height} {'with code' if with_code else 'empty'}"
            for name in ("zxing", "pipeline"):
                decode = stream_pipeline() if name == "pipeline" else ZxingDecoder().decode
                share = paced_core_share(decode, frames, 3 * args.seconds)
                print(f"{label:22s} {name:9s} {share:6.1%}")
    print("\nPhoto sets (decode call on the whole image, every step allowed):")
    totals = {}
    header = "".join(f"{s:>17s}" for s in SETS)
    print(f"{'decoder':9s}{header}{'all':>12s}")
    for name, decoder in (
        ("zxing", ZxingDecoder()),
        ("pyzbar", PyzbarDecoder()),
        ("pipeline", PipelineDecoder()),
    ):
        rates = photo_rates(decoder)
        hits = sum(r[0] for r in rates.values())
        total = sum(r[1] for r in rates.values())
        totals[name] = hits / total
        cells = "".join(f"{h:>3d}/{n:<3d}{ms:6.2f} ms " for h, n, ms in rates.values())
        print(f"{name:9s}{cells} {hits}/{total} = {hits / total:.1%}")
    fp_found = sum(
        bool(PipelineDecoder().decode(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)))
        for p in (PHOTOS / "falsepositives").glob("*.png")
    )
    print(f"\nfalsepositives: the pipeline read a code in {fp_found} of 47 photos")


if __name__ == "__main__":
    main()
