"""Decode rate of our own signed tickets, shown on a phone at kiosk distances.

    .venv/bin/python bench/bench_reading_tickets.py [--trials 20]

A real signed ticket (kiosk.core.tickets.encode, 5-character id, Ed25519) is drawn into a
1280x720 frame: tilted, rotated, out of focus, with sensor noise, light and dark mode.
Table 1: rate per pixels-per-module (what the camera resolves). Table 2: rate per
error-correction level for the same code width on screen, which is what the attendee's phone
and distance decide (a higher level means more, smaller modules).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from kiosk.core import tickets  # noqa: E402
from kiosk.core.model import Role  # noqa: E402
from kiosk.reading.decoders import PipelineDecoder, ZxingDecoder  # noqa: E402
from kiosk.reading.synthetic import (  # noqa: E402
    busy_background,
    camera_effects,
    place,
    qr_matrix,
    qr_version,
    render_code,
)


def frame_with(code_img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    scene = busy_background(1280, 720, rng, shift=int(rng.integers(0, 500)))
    center = (float(rng.uniform(450, 830)), float(rng.uniform(250, 470)))
    placed, _ = place(
        code_img,
        scene,
        center,
        tilt=float(rng.uniform(0, 0.3)),
        rotate_deg=float(rng.uniform(-30, 30)),
    )
    return camera_effects(placed, rng, blur=float(rng.uniform(0.5, 1.2)), noise=6)


def rate(
    decoder, text: str, ec: str, module_px: float, dark: bool, trials: int, seed: int
) -> float:
    rng = np.random.default_rng(seed)
    code = render_code(text, module_px, ec, dark_mode=dark)
    return (
        sum(text in {d.text for d in decoder.decode(frame_with(code, rng))} for _ in range(trials))
        / trials
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    text = tickets.encode("R0042", Role.PARTICIPANT, frozenset({1, 2}), "smart-city-2026", key.sign)
    print(
        f"ticket: {len(text)} characters; QR version at L/M/Q/H: "
        + ", ".join(f"{ec} v{qr_version(text, ec)}" for ec in "LMQH")
    )
    decoders = {"zxing": ZxingDecoder(), "pipeline": PipelineDecoder()}

    print(f"\n1. Level M, rate by pixels per module ({args.trials} frames each, light / dark mode)")
    print(f"{'px/module':>10s}" + "".join(f"{n:>18s}" for n in decoders))
    for px in (2.0, 2.5, 3.0, 4.0, 5.0, 6.0):
        cells = "".join(
            f"{rate(d, text, 'M', px, False, args.trials, 1):>10.0%} /{rate(d, text, 'M', px, True, args.trials, 2):>5.0%}"
            for d in decoders.values()
        )
        print(f"{px:>10.1f}{cells}")

    print("\n2. Same code width on screen, by error-correction level (pipeline, light / dark)")
    print(f"{'width px':>10s}" + "".join(f"{'level ' + ec:>16s}" for ec in "LMQ"))
    for width in (90, 110, 130, 160):
        cells = ""
        for ec in "LMQ":
            px = width / (qr_matrix(text, ec, border=0).shape[0])
            light = rate(decoders["pipeline"], text, ec, px, False, args.trials, 3)
            dark = rate(decoders["pipeline"], text, ec, px, True, args.trials, 4)
            cells += f"{light:>9.0%} /{dark:>5.0%}"
        print(f"{width:>10d}{cells}")


if __name__ == "__main__":
    main()
