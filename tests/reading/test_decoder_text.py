"""The same QR code gives the same text whichever decoder read it (issue 11, item 6).

Codes are generated here two ways, as generators in the field write them: the ``qrcode``
package, which writes bytes in byte mode with no ECI (what most web and ticketing tools do),
and zxing-cpp's writer (libzint), which adds an ECI designator when asked to, or by itself
when the text does not fit ISO-8859-1 (it picks Kanji mode for Japanese).
"""

from __future__ import annotations

import numpy as np
import pytest
import qrcode
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.reading.decoders import PipelineDecoder, PyzbarDecoder, ZxingDecoder, zbar_scan
from kiosk.reading.qrtext import decode_bytes, guess_charset

from .helpers import PHOTOS, SETS, gray, normalise, photo_set

DECODERS = (ZxingDecoder(), PyzbarDecoder(), PipelineDecoder())


def without_eci(data: bytes) -> np.ndarray:
    """Byte-mode QR code of these bytes, no ECI designator (the qrcode package)."""
    code = qrcode.QRCode(border=4, box_size=4)
    code.add_data(data)
    code.make()
    return np.array(code.make_image().convert("L"))


def with_zint(text: str, eci: str | None = None) -> np.ndarray:
    """QR code written by zxing-cpp (libzint): ``eci`` names the character set, if given."""
    options = {"eci": eci} if eci else {}
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, **options)
    return np.array(zxingcpp.write_barcode_to_image(code, scale=4))


def texts(image: np.ndarray) -> dict[str, list[str]]:
    return {d.name: [c.text for c in d.decode(image)] for d in DECODERS}


CASES = {
    # The reported case: ZBar alone read this as "H矇l癡ne" (Shift_JIS guessed first).
    "utf8 no ECI": (without_eci("Hélène Benjelloun".encode()), "Hélène Benjelloun"),
    "utf8 ECI": (with_zint("Hélène Benjelloun", "UTF-8"), "Hélène Benjelloun"),
    "latin-1 no ECI": (without_eci("Hélène Benjelloun".encode("latin-1")), "Hélène Benjelloun"),
    "latin-1 ECI 3": (with_zint("Hélène Benjelloun", "ISO-8859-1"), "Hélène Benjelloun"),
    "shift_jis no ECI, byte mode": (
        without_eci("受付のテスト".encode("shift_jis")),
        "受付のテスト",
    ),
    "shift_jis no ECI, kanji mode": (with_zint("受付のテスト"), "受付のテスト"),
    "shift_jis ECI 20": (with_zint("受付のテスト", "Shift_JIS"), "受付のテスト"),
    "arabic utf8 no ECI": (
        without_eci("مرحبا بكم في الدار البيضاء".encode()),
        "مرحبا بكم في الدار البيضاء",
    ),
    "arabic utf8 ECI": (
        with_zint("مرحبا بكم في الدار البيضاء", "UTF-8"),
        "مرحبا بكم في الدار البيضاء",
    ),
    "arabic iso-8859-6 ECI 8": (with_zint("مرحبا بكم", "ISO-8859-6"), "مرحبا بكم"),
    "french and arabic utf8 no ECI": (
        without_eci("Hélène — هيلين, Casablanca".encode()),
        "Hélène — هيلين, Casablanca",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_decoder_gives_exactly_the_encoded_text(case: str) -> None:
    image, expected = CASES[case]
    assert texts(image) == {"zxing": [expected], "pyzbar": [expected], "pipeline": [expected]}


def test_dark_mode_reads_the_same_text_through_pyzbar() -> None:
    image, expected = CASES["utf8 no ECI"]
    assert [c.text for c in PyzbarDecoder().decode(255 - image)] == [expected]


def test_zbar_hands_back_the_raw_bytes_of_data_without_eci() -> None:
    image, _ = CASES["utf8 no ECI"]
    ((data, polygon),) = zbar_scan(image)
    assert data == "Hélène Benjelloun".encode()
    assert len(polygon) == 4


# Characters attendees' names and our codes are made of: ASCII, French, Arabic, Japanese.
NAME_CHARS = st.sampled_from(
    list("AZaz09 -_:/.?=&%+*$'")
    + list("éèêëàâçîïôûüÉÈÀÇœŒ«»")
    + list("مرحبابكمفيالدارالبيضاءهيلين")
    + list("受付のテストｱｲｳ日本語")
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(NAME_CHARS, min_size=1, max_size=40))
def test_any_utf8_text_without_eci_reads_back_exactly_through_every_decoder(text: str) -> None:
    image = without_eci(text.encode("utf-8"))
    assert texts(image) == {"zxing": [text], "pyzbar": [text], "pipeline": [text]}


# Bytes as generators write them without ECI: text in one of the three guessed encodings, or
# arbitrary bytes (binary payloads, broken generators).
def _encoded(charset: str) -> st.SearchStrategy[bytes]:
    def encodable(ch: str) -> bool:
        try:
            ch.encode(charset)
        except UnicodeEncodeError:
            return False
        return True

    return st.text(NAME_CHARS.filter(encodable), min_size=1, max_size=30).map(
        lambda t: t.encode(charset)
    )


PAYLOADS = st.one_of(
    _encoded("utf-8"),
    _encoded("latin-1"),
    _encoded("shift_jis"),
    st.binary(min_size=1, max_size=30).filter(lambda b: b"\x00" not in b),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAYLOADS)
def test_our_charset_guess_is_zxing_cpps_for_any_bytes(data: bytes) -> None:
    # zxing-cpp's own text for the same code is the reference the guess follows.
    (found,) = zxingcpp.read_barcodes(
        without_eci(data),
        formats=zxingcpp.BarcodeFormat.QRCode,
        text_mode=zxingcpp.TextMode.Plain,
    )
    assert found.bytes == data
    assert decode_bytes(data) == found.text
    assert [c.text for c in PyzbarDecoder().decode(without_eci(data))] == [found.text]


@given(st.text(NAME_CHARS, min_size=1, max_size=60))
def test_valid_utf8_with_a_multibyte_character_is_always_utf8(text: str) -> None:
    data = text.encode("utf-8")
    assert decode_bytes(data) == text
    if not data.isascii():
        assert guess_charset(data) == "utf-8"


def test_every_shift_jis_double_byte_code_decodes_as_zxing_cpp_decodes_it() -> None:
    trails = bytes(b for b in range(0x40, 0xFD) if b != 0x7F)
    for lead in [*range(0x81, 0xA0), *range(0xE0, 0xF0)]:
        data = b"".join(bytes((lead, t)) for t in trails)
        (found,) = zxingcpp.read_barcodes(
            without_eci(data),
            formats=zxingcpp.BarcodeFormat.QRCode,
            text_mode=zxingcpp.TextMode.Plain,
        )
        assert (guess_charset(data), decode_bytes(data)) == ("shift_jis", found.text), hex(lead)


def test_without_zbar_binary_mode_pyzbar_refuses_and_the_pipeline_does_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An older ZBar (< 0.23.1) would guess Shift_JIS again: better no pyzbar than wrong text.
    from kiosk.reading import decoders

    monkeypatch.setattr(decoders, "zbar_binary_mode", lambda: False)
    with pytest.raises(RuntimeError, match=r"no binary mode.*ZBar 0\.23\.1 or later"):
        decoders.PyzbarDecoder()
    pipeline = decoders.PipelineDecoder()
    assert all(not isinstance(s.decoder, PyzbarDecoder) for s in pipeline.steps)
    image, expected = CASES["arabic utf8 no ECI"]
    assert [c.text for c in pipeline.decode(image)] == [expected]


@pytest.mark.skipif(not PHOTOS.is_dir(), reason="../shared/qr-photos is missing")
def test_real_photos_read_by_both_decoders_give_the_same_text() -> None:
    # Before binary mode, ZBar read 9 photos of qrcode-2 in the wrong encoding (half-width
    # katakana as Big5, "測試" as "皜祈岫"): pyzbar read 21 of its 35 photos, now 30.
    zxing, pyzbar = ZxingDecoder(), PyzbarDecoder()
    both = differ = 0
    for set_name in SETS:
        for path, _ in photo_set(set_name):
            image = gray(path)
            a, b = zxing.decode(image), pyzbar.decode(image)
            if a and b:
                both += 1
                differ += {c.text for c in a} != {c.text for c in b}
    assert differ == 0, f"{differ} of the {both} photos both decoders read gave different text"
    assert both >= 150
    assert (
        sum(
            normalise(text) in {normalise(c.text) for c in pyzbar.decode(gray(path))}
            for path, text in photo_set("qrcode-2")
        )
        == 30
    )
