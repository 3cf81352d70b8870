"""What the printer receives: the ESC/POS bytes read back into paper, QR codes decoded."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from kiosk.core.model import Lang, Registration
from printers.emulator import UnknownCommand, read_pages
from printers.encode import (
    FRAGMENT_ROWS,
    PrinterProfile,
    ProfileError,
    bands,
    encode_badge,
    load_profile,
    raster_job,
    text_possible,
)
from printers.layout import BadgeOptions, badge_content
from tests.conftest import EVENT
from tests.printers.conftest import ARABIC, FRENCH, LATIN, LONG, PROFILES, decode_qr

RASTER_HEADER = re.compile(rb"\x1dv0\x00(..)(..)", re.DOTALL)


def _rasters(data: bytes) -> list[tuple[int, int]]:
    """(width in dots, rows) of every GS v 0 image, walking the stream."""
    found = []
    i = 0
    while (m := RASTER_HEADER.search(data, i)) is not None:
        xb = int.from_bytes(m.group(1), "little")
        rows = int.from_bytes(m.group(2), "little")
        found.append((xb * 8, rows))
        i = m.end() + xb * rows
    return found


@pytest.mark.parametrize("reg", [LATIN, FRENCH, ARABIC, LONG], ids=lambda r: r.id)
@pytest.mark.parametrize("method", ["auto", "raster"])
def test_printed_badge_has_a_readable_qr_code(
    reg: Registration, method: str, profile: PrinterProfile
) -> None:
    content = badge_content(reg, EVENT, BadgeOptions(language=Lang.FR))
    job = encode_badge(content, profile, method)
    pages = read_pages(job.data, profile.width)
    assert len(pages) == 1, "one badge, one cut"
    page = pages[0]
    assert page.image.width == profile.width
    assert decode_qr(page.image) == [reg.codes[0]]
    assert all(w <= profile.width for w, _ in _rasters(job.data))
    assert all(w <= profile.width for w in page.raster_widths)


def test_raster_width_is_the_profile_width_never_more(profile: PrinterProfile) -> None:
    job = encode_badge(badge_content(ARABIC, EVENT, BadgeOptions()), profile, "raster")
    widths = {w for w, _ in _rasters(job.data)}
    assert widths == {profile.width}
    assert PROFILES[profile.name] == profile.width


def test_raster_fragments_stay_below_the_corruption_limit() -> None:
    profile = load_profile("TM-T20II")
    tall = Image.new("1", (576, 2500), 0)  # all black: no blank rows to skip
    rows = [r for _, r in _rasters(raster_job(tall, profile))]
    assert sum(rows) == 2500 and max(rows) <= FRAGMENT_ROWS


def test_raster_read_back_is_the_rendered_image() -> None:
    from printers.render import render_badge

    profile = load_profile("TM-T20II")
    content = badge_content(ARABIC, EVENT, BadgeOptions())
    image = render_badge(content, profile.width)
    page = read_pages(raster_job(image, profile), profile.width)[0]
    printed = np.asarray(page.image.convert("L"))[: image.height] < 128
    assert (printed == (np.asarray(image.convert("L")) < 128)).all()


def test_blank_stretches_are_fed_not_sent() -> None:
    img = Image.new("1", (576, 400), 1)
    img.paste(0, (0, 0, 576, 10))
    img.paste(0, (0, 300, 576, 310))
    assert bands(img) == [(0, 10, False), (10, 300, True), (300, 310, False), (310, 400, True)]
    data = raster_job(img, load_profile("TM-T20II"))
    assert sum(r for _, r in _rasters(data)) == 20
    assert b"\x1bJ" in data


def test_latin_badge_uses_printer_text_and_native_qr() -> None:
    profile = load_profile("TM-T88V")
    content = badge_content(LATIN, EVENT, BadgeOptions(language=Lang.EN))
    job = encode_badge(content, profile, "auto")
    raster = encode_badge(content, profile, "raster")
    assert job.method == "text" and len(job.data) <= 20_000
    assert len(job.data) * 10 < len(raster.data)
    page = read_pages(job.data, profile.width)[0]
    texts = [line.text.strip() for line in page.lines]
    assert "Loïc Bonnet" in texts and "CDG Invest" in texts and "SPEAKER" in texts
    assert page.qr_codes == [LATIN.codes[0]]
    name = next(line for line in page.lines if line.text.strip() == "Loïc Bonnet")
    assert name.bold and name.width_mag >= 2 and name.height_mag >= 2  # size did not undo bold
    band = next(line for line in page.lines if line.text.strip() == "SPEAKER")
    band_dots = len(band.text) * 12 * band.width_mag
    assert band.inverted and profile.width - 24 < band_dots <= profile.width  # full width


def test_accented_text_goes_through_the_code_page() -> None:
    profile = load_profile("TM-T88V")
    content = badge_content(FRENCH, EVENT, BadgeOptions(language=Lang.FR))
    job = encode_badge(content, profile)
    assert job.method == "text"
    assert b"\x1bt\x10" in job.data  # ESC t 16: CP1252
    assert "Lefèvre-Çelik".encode("cp1252") in job.data
    texts = [line.text.strip() for line in read_pages(job.data, profile.width)[0].lines]
    assert "Société Générale Maroc" in texts


def test_arabic_or_no_native_qr_means_raster() -> None:
    content = badge_content(ARABIC, EVENT, BadgeOptions())
    assert not text_possible(content, load_profile("TM-T88V"))
    latin = badge_content(LATIN, EVENT, BadgeOptions())
    assert not text_possible(latin, load_profile("POS-5890"))  # profile without QR codes
    assert encode_badge(latin, load_profile("POS-5890")).method == "raster"


def test_qr_native_is_centred_with_set_align() -> None:
    profile = load_profile("TM-T20II")
    data = encode_badge(badge_content(LATIN, EVENT, BadgeOptions()), profile, "text").data
    qr_print = data.index(b"\x1d(k\x03\x001Q0")
    assert data.rfind(b"\x1ba\x01", 0, qr_print) > data.rfind(b"\x1ba\x00", 0, qr_print)
    page = read_pages(data, profile.width)[0]
    arr = np.asarray(page.image.convert("L")) < 128
    qr_rows = arr[-400:]
    cols = np.where(qr_rows.any(axis=0))[0]
    assert abs((cols[0] + cols[-1]) / 2 - profile.width / 2) < 12


def test_every_badge_ends_with_a_cut(profile: PrinterProfile) -> None:
    data = encode_badge(badge_content(LATIN, EVENT, BadgeOptions()), profile).data
    if profile.cut:
        assert data.endswith(b"\x1dV\x00")
    else:
        assert data.endswith(b"\x1bd\x04")  # no cutter: fed past the tear bar


def test_encoding_prints_nothing_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    for name in PROFILES:
        encode_badge(badge_content(LATIN, EVENT, BadgeOptions()), load_profile(name))
        encode_badge(badge_content(ARABIC, EVENT, BadgeOptions()), load_profile(name))
    assert capsys.readouterr().out == ""


def test_profile_without_width_needs_width_dots() -> None:
    with pytest.raises(ProfileError, match="width_dots"):
        load_profile("default")
    assert load_profile("default", 576).width == 576


def test_unknown_profile_and_impossible_widths_are_refused() -> None:
    with pytest.raises(ProfileError, match="unknown printer profile 'TM-X'"):
        load_profile("TM-X")
    with pytest.raises(ProfileError, match="multiple of 8"):
        load_profile("default", 500)


def test_width_wider_than_the_profile_is_honoured_with_a_warning(caplog) -> None:
    with caplog.at_level("WARNING", logger="printers.encode"):
        profile = load_profile("TM-T88V", 576)
    assert profile.width == 576 and "wider than profile 'TM-T88V' (512 dots)" in caplog.text
    job = encode_badge(badge_content(ARABIC, EVENT, BadgeOptions()), profile, "raster")
    assert {w for w, _ in _rasters(job.data)} == {576}  # escpos did not refuse or clip it


def test_emulator_refuses_bytes_it_does_not_know() -> None:
    with pytest.raises(UnknownCommand):
        read_pages(b"\x1b@\x1b\x7f\x00", 576)
    with pytest.raises(UnknownCommand, match="640 dots wide on 576-dot paper"):
        read_pages(
            b"\x1dv0\x00" + (80).to_bytes(2, "little") + (1).to_bytes(2, "little") + bytes(80), 576
        )
