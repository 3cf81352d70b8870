"""Text of a QR code's byte-mode content when the code names no character set (no ECI).

ISO/IEC 18004 says byte mode is ISO-8859-1 unless an ECI designator says otherwise, but in
practice generators write UTF-8 (most web and ticketing tools) or Shift_JIS (Japanese phones)
without any ECI. Decoders therefore guess, and they guess differently: ZBar tries Shift_JIS
before UTF-8 and turns a UTF-8 "Hélène" into "H矇l癡ne" (mchehab/zbar#212), while zxing and
zxing-cpp accept UTF-8 first whenever the bytes are valid UTF-8 with at least one multi-byte
character.

``guess_charset`` follows zxing-cpp's ``GuessTextEncoding`` (core/src/Content.cpp; the same
rules as zxing's ``StringUtils.guessCharset``), so text from any decoder that hands us raw
bytes comes out exactly as zxing-cpp's own text for the same code.
"""

from __future__ import annotations

from typing import Literal

Charset = Literal["utf-8", "shift_jis", "iso-8859-1"]

_UTF8_BOM = b"\xef\xbb\xbf"


def _utf8_multibyte(data: bytes) -> bool | None:
    """True: valid UTF-8 with a multi-byte character; False: valid, ASCII only; None: invalid."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return not data.isascii()


def _iso_8859_1_profile(data: bytes) -> tuple[bool, int]:
    """Whether the bytes can be ISO-8859-1 text (no C1 controls), and its upper non-letters."""
    possible = not any(0x80 <= b < 0xA0 for b in data)
    upper_other = sum(1 for b in data if 0xA0 <= b < 0xC0 or b in (0xD7, 0xF7))
    return possible, upper_other


def _shift_jis_profile(data: bytes) -> tuple[bool, int, int, int]:
    """Whether the bytes can be Shift_JIS text, with zxing's word-length counters.

    Returns (possible, katakana characters, longest katakana run, longest double-byte run).
    Control characters other than CR and LF count as evidence of binary data, as in zxing.
    """
    trail = 0
    katakana = run_kana = max_kana = run_double = max_double = 0
    for b in data:
        if trail:
            if b < 0x40 or b == 0x7F or b > 0xFC:
                return False, 0, 0, 0
            trail -= 1
        elif b in (0x80, 0xA0) or b > 0xEF or (b < 0x20 and b not in (0x0A, 0x0D)):
            return False, 0, 0, 0
        elif 0xA0 < b < 0xE0:  # half-width katakana, one byte
            katakana += 1
            run_double = 0
            run_kana += 1
            max_kana = max(max_kana, run_kana)
        elif b > 0x7F:  # first byte of a double-byte character
            trail += 1
            run_kana = 0
            run_double += 1
            max_double = max(max_double, run_double)
        else:
            run_kana = run_double = 0
    if trail:
        return False, 0, 0, 0
    return True, katakana, max_kana, max_double


def guess_charset(data: bytes) -> Charset:
    """The character set zxing-cpp assumes for byte-mode data without an ECI.

    In order: valid UTF-8 with a byte-order mark or a multi-byte character → UTF-8; plausible
    Shift_JIS with three consecutive katakana or double-byte characters → Shift_JIS; possible
    as both ISO-8859-1 and Shift_JIS → Shift_JIS only for exactly two katakana or when at least
    a tenth of the bytes are upper-half non-letters of ISO-8859-1, else ISO-8859-1; then
    whichever is possible, ISO-8859-1 first; ISO-8859-1 when nothing fits.
    """
    if data.isascii():
        return "iso-8859-1"  # ASCII reads the same in all three
    utf8 = _utf8_multibyte(data)
    if utf8 is not None and (utf8 or data.startswith(_UTF8_BOM)):
        return "utf-8"
    iso, iso_upper_other = _iso_8859_1_profile(data)
    sjis, katakana, max_kana, max_double = _shift_jis_profile(data)
    if sjis and (max_kana >= 3 or max_double >= 3):
        return "shift_jis"
    if iso and sjis:
        two_kana = max_kana == 2 and katakana == 2
        return "shift_jis" if two_kana or iso_upper_other * 10 >= len(data) else "iso-8859-1"
    if iso:
        return "iso-8859-1"
    if sjis:
        return "shift_jis"
    if utf8 is not None:
        return "utf-8"
    return "iso-8859-1"


def _decode_shift_jis(data: bytes) -> str:
    # JIS X 0208 as zxing-cpp maps it: 0x815F is U+005C (Python's codec says U+FF3C), and
    # an unassigned double-byte code is one U+FFFD, not two characters. guess_charset has
    # checked the lead/trail structure, so every lead byte here has its trail byte.
    chars, i = [], 0
    while i < len(data):
        width = 1 if data[i] < 0x80 or 0xA0 < data[i] < 0xE0 else 2
        try:
            chars.append(data[i : i + width].decode("shift_jis"))
        except UnicodeDecodeError:
            chars.append("\ufffd")
        i += width
    return "".join(chars).replace("\uff3c", "\\")


def decode_bytes(data: bytes) -> str:
    """Text of byte-mode QR content without an ECI, decoded as zxing-cpp decodes it.

    Never raises: ISO-8859-1 decodes any byte, and Shift_JIS is only chosen for bytes that
    have its structure (an unassigned character becomes U+FFFD).
    """
    charset = guess_charset(data)
    if charset == "shift_jis":
        return _decode_shift_jis(data)
    return data.decode(charset)
