"""Decode rate on the real photographs in ../shared/qr-photos (zxing project test sets)."""

from __future__ import annotations

import cv2
import pytest

from kiosk.reading.decoders import PyzbarDecoder, ZxingDecoder

from .helpers import PHOTOS, SETS, gray, normalise, photo_set, whole_cascade

# What the pipeline reads today (bench/bench_decode.py prints the same table). A regression
# in any set fails; zxing-cpp alone reads 20, 32, 42, 38, 19, 15.
PIPELINE_READS = {
    "qrcode-1": 20,
    "qrcode-2": 34,
    "qrcode-3": 42,
    "qrcode-4": 42,
    "qrcode-5": 19,
    "qrcode-6": 15,
}

pytestmark = pytest.mark.skipif(not PHOTOS.is_dir(), reason="../shared/qr-photos is missing")


def read_count(decoder, set_name: str) -> int:
    hits = 0
    for path, expected in photo_set(set_name):
        texts = {normalise(d.text) for d in decoder.decode(gray(path))}
        hits += normalise(expected) in texts
    return hits


@pytest.mark.parametrize("set_name", SETS)
def test_pipeline_reads_each_photo_set_at_the_measured_level(set_name: str) -> None:
    assert read_count(whole_cascade(), set_name) >= PIPELINE_READS[set_name]


@pytest.mark.parametrize("set_name", SETS)
def test_pipeline_never_reads_less_than_zxing_alone(set_name: str) -> None:
    assert read_count(whole_cascade(), set_name) >= read_count(ZxingDecoder(), set_name)


def test_pipeline_beats_the_best_single_decoder_overall() -> None:
    total = sum(len(photo_set(s)) for s in SETS)
    pipeline = sum(read_count(whole_cascade(), s) for s in SETS)
    zxing = sum(read_count(ZxingDecoder(), s) for s in SETS)
    pyzbar = sum(read_count(PyzbarDecoder(), s) for s in SETS)
    assert pipeline > max(zxing, pyzbar)
    assert pipeline / total >= 0.95


@pytest.mark.parametrize(
    "decoder", [whole_cascade(), ZxingDecoder(), PyzbarDecoder()], ids=lambda d: d.name
)
def test_false_positive_photos_yield_no_code(decoder) -> None:
    images = sorted((PHOTOS / "falsepositives").glob("*.png"))
    assert len(images) == 47
    found = {p.name: decoder.decode(gray(p)) for p in images}
    assert {name: codes for name, codes in found.items() if codes} == {}


@pytest.mark.parametrize(
    "decoder", [whole_cascade(), ZxingDecoder(), PyzbarDecoder()], ids=lambda d: d.name
)
def test_dark_mode_photos_read_as_well_as_the_originals(decoder) -> None:
    # Light-on-dark: the same real photos, inverted, as a phone in dark mode shows them.
    hits = 0
    for path, expected in photo_set("qrcode-1"):
        inverted = cv2.bitwise_not(gray(path))
        hits += normalise(expected) in {normalise(d.text) for d in decoder.decode(inverted)}
    assert hits == 20
