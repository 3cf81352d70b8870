"""`accueil decode` and `accueil scan-test` run as an organiser would run them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kiosk.config import load_config
from main import Runtime

from .helpers import PHOTOS, make_video

CODE = "A1:COMMAND-TEST-" + "Z" * 40


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    (tmp_path / "config.toml").write_text('[camera]\ndecoder = "pipeline"\n')
    return Runtime(load_config(tmp_path / "config.toml"))


def run(argv: list[str], runtime: Runtime) -> int:
    import argparse

    from kiosk.commands import decode

    parser = argparse.ArgumentParser()
    decode.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args, runtime)


def test_decode_prints_one_line_per_file(tmp_path: Path, runtime, capsys) -> None:
    photo = PHOTOS / "qrcode-1" / "16.png"
    empty = PHOTOS / "falsepositives" / "fp1-01.png"
    video = make_video(tmp_path / "v.avi", [CODE], blank_frames=3)
    assert run(["decode", str(photo), str(empty), str(video)], runtime) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{photo}\t") and lines[0].endswith(
        "\\r\\nhttp://awesome-thoughts.com"
    )
    assert lines[1].endswith("\t(no code)")
    assert lines[2].endswith(f"per frame\t{CODE}")


def test_decode_json_and_unreadable_files(tmp_path: Path, runtime, capsys) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not a picture")
    photo = tmp_path / "copy.png"
    shutil.copy(PHOTOS / "qrcode-5" / "01.png", photo)
    assert (
        run(
            [
                "decode",
                "--json",
                "--decoder",
                "zxing",
                str(photo),
                str(junk),
                str(tmp_path / "gone.png"),
            ],
            runtime,
        )
        == 2
    )
    out, err = capsys.readouterr()
    record = json.loads(out.splitlines()[0])
    assert record["texts"] == [(PHOTOS / "qrcode-5" / "01.txt").read_text(encoding="utf-8")]
    assert record["frames"] == 1 and record["ms"] >= 0
    assert "junk.png\terror\tnot an image or video OpenCV can read" in err
    assert "gone.png\terror\tno such file" in err


def test_scan_test_prints_codes_states_and_frame_rate(tmp_path: Path, runtime, capsys) -> None:
    video = make_video(tmp_path / "v.avi", [CODE], blank_frames=3)
    assert (
        run(["scan-test", "--source", str(video), "--seconds", "20", "--lang", "en"], runtime) == 0
    )
    out = capsys.readouterr().out
    assert f"camera  {CODE}" in out
    assert "camera  ok: Camera ready" in out and "ended" in out
    assert "1 codes, 0 corrupt frames, 0 decoder errors." in out
