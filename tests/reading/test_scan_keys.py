"""`accueil scan-test` for a USB scanner: keys with timing, suffix, layout, the kiosk's verdict.

A real kiosk runtime on the demo event (signed tickets, real store); the scanner's bytes are
fed with the timing a scanner has (4 ms a key) and a person has (150 ms a key).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kiosk.commands.scan_keys import ScannerProbe
from kiosk.config import load_config
from kiosk.core.intake import typed_as
from main import Runtime
from tests.conftest import ROOT, demo_config


@pytest.fixture
def runtime(tmp_path: Path):
    runtime = Runtime(load_config(demo_config(tmp_path)))
    from kiosk.commands.setup import run as setup  # the demo event in a real store

    setup(None, runtime)
    yield runtime
    runtime.close()


def first_ticket() -> tuple[str, str]:
    with (ROOT / "demo" / "registrations.csv").open(encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    return row["id"], row["codes"]


def probe_of(runtime) -> tuple[ScannerProbe, list[str]]:
    lines: list[str] = []
    return ScannerProbe(runtime.build_keys(), runtime.checkin, lines.append), lines


def feed(probe: ScannerProbe, text: str, start: float, gap: float) -> float:
    t = start
    for char in text:
        for byte in char.encode("utf-8"):  # é is two bytes read one at a time
            probe.feed(bytes([byte]), t)
        t += gap
    return t


def test_a_us_scanner_on_azerty_with_cr_lf_is_explained(runtime):
    reg_id, code = first_ticket()
    probe, lines = probe_of(runtime)
    shown = typed_as(code, "us", "azerty")
    feed(probe, shown + "\r\n", 100.0, 0.004)
    text = "\n".join(lines)
    assert f"scanner: {len(shown)} keys" in text and "ends with CR" in text
    assert "ends codes with CR LF" in text
    assert "set it to French (AZERTY)" in text
    assert f"ok, {reg_id}" in text and "layout:us-on-azerty" in text
    assert runtime.store.scans() == []  # nothing recorded


def test_tab_and_no_suffix_and_a_person_typing(runtime):
    reg_id, code = first_ticket()
    probe, lines = probe_of(runtime)
    t = feed(probe, code + "\t", 100.0, 0.004)
    assert any("ends with Tab" in line for line in lines)
    assert any("the scanner and this computer agree" in line for line in lines)
    lines.clear()
    t = feed(probe, code.lower(), t + 1, 0.004)  # Caps Lock on, no suffix
    probe.idle(t + 1)
    text = "\n".join(lines)
    assert "no suffix" in text and "(case)" in text and f"ok, {reg_id}" in text
    lines.clear()
    feed(probe, "NOBODY-1\r", t + 5, 0.15)
    text = "\n".join(lines)
    assert "typed by a person" in text and "unknown, nobody" in text


def test_scan_test_says_what_the_kiosk_would_do_with_a_camera_code(runtime, tmp_path, capsys):
    import argparse

    from kiosk.commands import decode

    from .helpers import make_video

    reg_id, code = first_ticket()
    url = "https://tickets.example.org/c?code=" + code  # a platform's QR: the ticket in a URL
    video = make_video(tmp_path / "v.avi", [url], blank_frames=3)
    parser = argparse.ArgumentParser()
    decode.register(parser.add_subparsers())
    args = parser.parse_args(
        ["scan-test", "--source", str(video), "--seconds", "20", "--lang", "en"]
    )
    capsys.readouterr()
    assert args.func(args, runtime) == 0
    out = capsys.readouterr().out
    assert f"camera  {url}" in out
    assert f"kiosk: would check as {code!r} (url): ok, {reg_id}" in out
    assert runtime.store.scans() == []


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", ["scanner : {n} touches en ", "ce scanner termine les codes par CR LF",
                "réglez-la sur French (AZERTY)", "borne : vérifierait comme ", "ok, {id}"]),
        ("ar", ["الماسح: {n} مفتاحاً في ", "ينهي هذا الماسح الرموز بـ CR LF",
                "اضبطه على French (AZERTY)", "الجهاز: سيتحقق منه بصيغة ", "ok، {id}"]),
    ],
)  # fmt: skip
def test_the_probe_speaks_the_staff_language_and_keeps_codes(runtime, lang, said):
    """Suffix names, verdict codes and layout names stay as written; the words around them
    are the catalogue's, with the language's plural for the key count."""
    from kiosk.locale import translator

    reg_id, code = first_ticket()
    lines: list[str] = []
    probe = ScannerProbe(runtime.build_keys(), runtime.checkin, lines.append, translator(lang))
    shown = typed_as(code, "us", "azerty")
    assert 11 <= len(shown) % 100 <= 99  # Arabic's "many" form: the singular with tanwin
    feed(probe, shown + "\r\n", 100.0, 0.004)
    text = "\n".join(lines)
    for part in said:
        assert part.format(n=len(shown), id=reg_id) in text, text
    assert "layout:us-on-azerty" in text
