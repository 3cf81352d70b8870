"""`accueil decode FILE…` and `accueil scan-test`: try the code reader without the kiosk screen."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.commands.words import add_lang_argument, replies
from kiosk.errors import InputFileError

VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mjpeg", ".mjpg"}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "decode",
        help="print the QR codes read in images or videos (one line per file)",
        description=(
            "Decode the QR codes in each image or video file and print one line per file: "
            "the file, the milliseconds decoding took (per frame for a video), and the texts. "
            "Exit status 0 when every file gave a code, 1 when some gave none, 2 when a file "
            "could not be read."
        ),
    )
    p.add_argument("files", nargs="+", metavar="IMAGE_OR_VIDEO")
    p.add_argument(
        "--decoder",
        choices=("pipeline", "zxing", "pyzbar"),
        help="default: [camera] decoder from the configuration",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line instead")
    p.set_defaults(func=run_decode)

    t = sub.add_parser(
        "scan-test",
        help="open the configured camera and print codes as they are read",
        description=(
            "Open [camera] source and print each code read (camera, or a USB scanner typing "
            "into this terminal), the camera state and the decoded frame rate. Ctrl-C stops."
        ),
    )
    t.add_argument("--source", help="override [camera] source (index, /dev/videoN, file, folder)")
    t.add_argument("--decoder", choices=("pipeline", "zxing", "pyzbar"))
    t.add_argument("--seconds", type=float, default=0, help="stop after this time (0: Ctrl-C)")
    add_lang_argument(t)
    t.set_defaults(func=run_scan_test)


# -- decode ------------------------------------------------------------------------------


def run_decode(args: argparse.Namespace, runtime: Any) -> int:
    from kiosk.reading.decoders import make_decoder

    decoder = make_decoder(args.decoder or runtime.config.camera.decoder)
    status = 0
    for name in args.files:
        try:
            texts, ms, frames = decode_file(Path(name), decoder)
        except FileError as exc:
            print(f"{name}\terror\t{exc}", file=sys.stderr)
            status = 2
            continue
        if not texts:
            status = max(status, 1)
        if args.json:
            print(json.dumps({"file": name, "texts": texts, "ms": round(ms, 2), "frames": frames}))
        else:
            shown = " | ".join(_printable(t) for t in texts) if texts else "(no code)"
            per = " per frame" if frames > 1 else ""
            print(f"{name}\t{ms:.1f} ms{per}\t{shown}", flush=True)
    return status


class FileError(InputFileError):
    """A file that cannot be decoded at all (missing, not an image or video)."""


def decode_file(path: Path, decoder: Any) -> tuple[list[str], float, int]:
    """Distinct texts in order of appearance, mean decode ms per frame, frames decoded."""
    from kiosk.reading.decoders import as_gray

    texts: dict[str, None] = {}
    spent = 0.0
    frames = 0
    for frame in _frames(path):
        gray = as_gray(frame)
        started = time.perf_counter()
        found = decoder.decode(gray)
        spent += time.perf_counter() - started
        frames += 1
        texts.update(dict.fromkeys(d.text for d in found))
    return list(texts), spent * 1000 / max(frames, 1), frames


def _frames(path: Path) -> Iterator[Any]:
    import cv2

    if not path.is_file():
        raise FileError("no such file")
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is not None:
            yield image
            return
    cap = cv2.VideoCapture(str(path))
    try:
        ok, frame = cap.read()
        if not ok:
            raise FileError("not an image or video OpenCV can read")
        while ok:
            yield frame
            ok, frame = cap.read()
    finally:
        cap.release()


def _printable(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text


# -- scan-test ---------------------------------------------------------------------------


def run_scan_test(args: argparse.Namespace, runtime: Any) -> int:
    from kiosk.commands.scan_keys import ScannerProbe
    from kiosk.reading import build_reader

    tr = replies(args, runtime)
    _ = tr.gettext
    camera = runtime.config.camera
    changes: dict[str, Any] = {"loop": False}
    if args.source:
        changes["source"] = args.source
    if args.decoder:
        changes["decoder"] = args.decoder
    camera = replace(camera, **changes)
    started = time.monotonic()

    probe: ScannerProbe | None = None

    def on_code(code: str, source: str, repeat: bool) -> None:
        again = " (again: re-show the last verdict)" if repeat else ""
        print(
            f"{time.monotonic() - started:7.2f} s  {source:7s} {_printable(code)}{again}",
            flush=True,
        )
        if probe is not None and source == "camera" and not repeat:
            probe.verdict(code)

    def on_state(state: Any) -> None:
        print(
            f"{time.monotonic() - started:7.2f} s  camera  {state.status}: {state.message}",
            flush=True,
        )

    reader = build_reader(camera, on_code, on_state, runtime.config.resolve)
    reading = _("Reading from {source} with the {decoder} decoder. Ctrl-C stops.")
    print(reading.format(source=reader.spec.label, decoder=camera.decoder))
    last_report = time.monotonic()
    try:
        checkin = runtime.checkin
    except Exception as exc:  # no event set up yet: keys and layout only
        print(
            _("No verdicts: the kiosk's registration list cannot be read ({error}).").format(
                error=exc
            )
        )
        checkin = None
    probe = ScannerProbe(runtime.build_keys(), checkin, lambda line: print(line, flush=True), tr)
    reader.start()
    print(
        _(
            "Scan a code with the USB scanner (or type one and press Enter): its keys, suffix, "
            "keyboard layout and the verdict the kiosk would give are shown; nothing is recorded."
        )
    )
    try:
        with _keys() as read_key:
            while not args.seconds or time.monotonic() - started < args.seconds:
                data = read_key(0.05)
                if data:
                    probe.feed(data, time.monotonic())
                else:
                    probe.idle(time.monotonic())
                now = time.monotonic()
                if now - last_report >= 5:
                    last_report = now
                    s = reader.stats
                    rate = _("{fps} frames/s decoded, {corrupt} corrupt, {errors} decoder errors")
                    said = rate.format(
                        fps=f"{reader.fps:5.1f}", corrupt=s.frames_corrupt, errors=s.decoder_errors
                    )
                    print(f"{now - started:7.2f} s  {said}", flush=True)
                if reader.state.status in ("ended", "stopped"):
                    break
    except KeyboardInterrupt:
        pass
    finally:
        reader.stop()
    s = reader.stats
    summary = _(
        "{frames} frames decoded ({fps}/s), {codes} codes, {corrupt} corrupt frames, "
        "{errors} decoder errors."
    )
    print(
        summary.format(
            frames=s.frames_decoded,
            fps=f"{reader.fps:.1f}",
            codes=s.codes_read,
            corrupt=s.frames_corrupt,
            errors=s.decoder_errors,
        )
    )
    return 0


@contextlib.contextmanager
def _keys() -> Iterator[Any]:
    """read_key(timeout) -> the bytes typed (one at a time, for their timing) or b"".

    The terminal is in cbreak mode with CR left as CR (no ICRNL), so the scanner's own
    suffix shows: CR, LF, CR LF or Tab.
    """
    fd = sys.stdin.fileno() if sys.stdin and sys.stdin.isatty() else None
    if fd is None:

        def sleep_only(timeout: float) -> bytes:
            time.sleep(timeout)
            return b""

        yield sleep_only
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    mode = termios.tcgetattr(fd)
    mode[0] &= ~termios.ICRNL  # iflag: keep CR as the scanner sent it
    termios.tcsetattr(fd, termios.TCSANOW, mode)

    def read_key(timeout: float) -> bytes:
        ready, _, _ = select.select([fd], [], [], timeout)
        return os.read(fd, 1) if ready else b""

    try:
        yield read_key
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
