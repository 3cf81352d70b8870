"""Decoder speed and decode rate, on one core.

    .venv/bin/python bench/bench_decode.py [--seconds 2] [--photos-only] [--samples DIR]

Part 1: frames per second for 1280x720 and 640x480 camera frames, with and without a code,
for each decoder and for the streaming pipeline (as the reader runs it: BGR -> gray, first
pass, second pass within its CPU budget), and the share of one core each needs at 30 fps.
Part 2: for the pipeline and each decoder alone, side by side: read rate, median and 90th
percentile CPU milliseconds per frame on the photo sets in ../shared/qr-photos (or
$ACCUEIL_SHARED/qr-photos), each photo scaled into a 1280x720 frame, under normal light and
under five kinds of hard lighting (kiosk.reading.synthetic.hard_lighting: glare, over- and
under-exposure, shadow, washed out). ``--samples`` adds the qrcode-* folders of another
public set laid out the same way, e.g. zxing-cpp's test/samples (image + .txt of the same
stem, or NAME-N.png with NAME.txt).
"""

from __future__ import annotations

import argparse
import os
import re
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
from kiosk.reading.synthetic import (  # noqa: E402
    LIGHTING,
    camera_effects,
    hard_lighting,
    place,
    render_code,
)

PHOTOS = Path(os.environ.get("ACCUEIL_SHARED") or ROOT.parent / "shared") / "qr-photos"
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


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
SAMPLES = "samples "  # the name prefix of the --samples sets


def expected_text(path: Path) -> str | None:
    """The .txt beside an image (``NAME.txt``, or for ``NAME-2.png`` also ``NAME.txt``).

    None when there is none, or when ``NAME.result.txt`` says the text spans several codes
    (structured append: no single image holds it).
    """
    for stem in (path.stem, re.sub(r"-\d+$", "", path.stem)):
        txt = path.with_name(stem + ".txt")
        if txt.is_file():
            result = path.with_name(stem + ".result.txt")
            if result.is_file() and "sequenceSize" in result.read_text(errors="replace"):
                return None
            return normalise(txt.read_text(encoding="utf-8", errors="replace"))
    return None


def photo_sets(extra: Path | None) -> dict[str, list[tuple[Path, str]]]:
    roots = [("", PHOTOS)] + ([(SAMPLES, extra)] if extra else [])
    sets = {}
    for label, root in roots:
        for folder in sorted(root.glob("qrcode-*")):
            pairs = []
            for image in sorted(folder.iterdir()):
                if image.suffix.lower() in IMAGE_SUFFIXES:
                    text = expected_text(image)
                    if text is not None:
                        pairs.append((image, text))
            if pairs:
                sets[label + folder.name] = pairs
    return sets


def as_720p_frame(gray: np.ndarray) -> np.ndarray:
    """The photo scaled to fill a 1280x720 frame's height or width, centred on its median gray."""
    h, w = gray.shape
    f = min(720 / h, 1280 / w)
    scaled = cv2.resize(gray, (round(w * f), round(h * f)), interpolation=cv2.INTER_LINEAR)
    frame = np.full((720, 1280), int(np.median(gray)), np.uint8)
    y0, x0 = (720 - scaled.shape[0]) // 2, (1280 - scaled.shape[1]) // 2
    frame[y0 : y0 + scaled.shape[0], x0 : x0 + scaled.shape[1]] = scaled
    return frame


def lit_frames(pairs: list[tuple[Path, str]], lighting: str) -> list[tuple[np.ndarray, str]]:
    out = []
    for i, (path, text) in enumerate(pairs):
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if gray is None:
            raise SystemExit(f"{path}: not an image OpenCV can read")
        if lighting != "normal":
            gray = hard_lighting(gray, lighting, np.random.default_rng(i))
        out.append((as_720p_frame(gray), text))
    return out


def read_rate(decoder, frames: list[tuple[np.ndarray, str]]) -> tuple[int, list[float]]:
    """Frames whose expected text was read, and CPU seconds per frame."""
    hits, times = 0, []
    for frame, text in frames:
        started = time.thread_time()
        found = decoder.decode(frame)
        times.append(time.thread_time() - started)
        hits += text in {normalise(d.text) for d in found}
    return hits, times


def photo_table(sets: dict[str, list[tuple[Path, str]]]) -> None:
    decoders = {"pipeline": PipelineDecoder(), "zxing": ZxingDecoder(), "pyzbar": PyzbarDecoder()}
    head = "".join(f"{n + ': read   med    p90':>30s}" for n in decoders)
    print(f"{'set':18s} {'lighting':12s}{head}")
    totals: dict[tuple[str, str, bool], list] = {}
    for lighting in ("normal", *LIGHTING):
        for name, pairs in sets.items():
            frames = lit_frames(pairs, lighting)
            cells = []
            for dname, decoder in decoders.items():
                hits, times = read_rate(decoder, frames)
                source = "--samples" if name.startswith(SAMPLES) else "shared"
                acc = totals.setdefault((source, dname, lighting != "normal"), [0, 0, []])
                acc[0] += hits
                acc[1] += len(frames)
                acc[2].extend(times)
                cells.append(
                    f"{hits:4d}/{len(frames):<4d}{hits / len(frames):5.0%} "
                    f"{1000 * statistics.median(times):6.1f} {1000 * p90(times):6.1f}"
                )
            print(f"{name:18s} {lighting:12s}" + "".join(f"{c:>30s}" for c in cells), flush=True)
    print("\nAll sets (ms: CPU time per 720p frame, one core):")
    for source, dname, hard in totals:
        hits, n, times = totals[(source, dname, hard)]
        print(
            f"  {source:9s} {'hard lighting' if hard else 'normal light':14s} {dname:9s} "
            f"{hits}/{n} = {hits / n:.1%}   median {1000 * statistics.median(times):.1f} ms"
            f"   p90 {1000 * p90(times):.1f} ms"
        )


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--photos-only", action="store_true", help="skip the camera-frame part")
    parser.add_argument("--samples", type=Path, help="another folder of qrcode-* photo sets")
    args = parser.parse_args()
    if not PHOTOS.is_dir():
        raise SystemExit(f"{PHOTOS}: photo sets missing (set ACCUEIL_SHARED to the shared folder)")
    if args.samples and not args.samples.is_dir():
        raise SystemExit(f"{args.samples}: not a folder")
    where = pin_one_core()
    print(f"Python {sys.version.split()[0]}, OpenCV {cv2.__version__}, one CPU ({where})\n")
    if not args.photos_only:
        streaming(args.seconds)
    print("\nPhoto sets as 720p frames (decode call, every step within the frame budget):")
    photo_table(photo_sets(args.samples))
    fp_found = sum(
        bool(PipelineDecoder().decode(as_720p_frame(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE))))
        for p in (PHOTOS / "falsepositives").glob("*.png")
    )
    print(f"\nfalsepositives: the pipeline read a code in {fp_found} of 47 photos")


def streaming(seconds: float) -> None:
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
                fps, read = frames_per_second(decode, frames, seconds)
                share = min(30 / fps, 9.99)
                print(f"{label:22s} {name:9s} {fps:9.0f} {read:6.0%} {share:14.1%}")
    print(f"\nCPU share of one core with frames arriving at 30 fps ({3 * seconds:.0f} s each):")
    for width, height in ((1280, 720),):
        for with_code in (False, True):
            frames = camera_frames(width, height, with_code)
            label = f"{width}x{height} {'with code' if with_code else 'empty'}"
            for name in ("zxing", "pipeline"):
                decode = stream_pipeline() if name == "pipeline" else ZxingDecoder().decode
                share = paced_core_share(decode, frames, 3 * seconds)
                print(f"{label:22s} {name:9s} {share:6.1%}")


if __name__ == "__main__":
    main()
