"""The badge image: every script, every paper width, names that fit, Arabic right to left."""

from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from kiosk.core.model import Lang, Registration, Role
from printers import fonts
from printers.fonts import TextStyle, bidi_levels, draw_line, text_width, visual_pieces
from printers.layout import BadgeOptions, Template, badge_content
from printers.render import fit_text, render_badge
from tests.conftest import EVENT
from tests.printers.conftest import ARABIC, FRENCH, LATIN, LONG, LONG_NAME, decode_qr, ink_columns

WIDTHS = (384, 512, 576)


def _line(text: str, size: int = 48, basic: bool = False) -> Image.Image:
    style = TextStyle(size, bold=True, basic=basic)
    width = int(text_width(text, style)) + 20
    img = Image.new("L", (width, size * 2), 255)
    draw_line(ImageDraw.Draw(img), 10, size * 1.3, text, style)
    return img


def _find(haystack: Image.Image, needle: Image.Image) -> tuple[int, float]:
    """x of the best match of needle in haystack, and its score."""
    result = cv2.matchTemplate(
        np.asarray(haystack, dtype=np.uint8),
        np.asarray(needle, dtype=np.uint8),
        cv2.TM_CCOEFF_NORMED,
    )
    _, score, _, (x, _) = cv2.minMaxLoc(result)
    return x, score


@pytest.mark.parametrize("reg", [LATIN, FRENCH, ARABIC, LONG], ids=lambda r: r.id)
@pytest.mark.parametrize("width", WIDTHS)
def test_badge_fits_the_paper_and_its_qr_code_scans(reg: Registration, width: int) -> None:
    image = render_badge(badge_content(reg, EVENT, BadgeOptions(language=Lang.FR)), width)
    assert image.width == width and image.mode == "1"
    left, right = ink_columns(image)
    assert left >= 8 and right <= width - 9, "ink reaches into the margins"
    assert decode_qr(image) == [reg.codes[0]]


def test_arabic_name_is_drawn_right_to_left() -> None:
    # The first word in reading order must be the rightmost one on paper.
    full = _line("محمد بنعلي")
    first, first_score = _find(full, _line("محمد").crop((10, 0, _line("محمد").width - 10, 96)))
    last, last_score = _find(full, _line("بنعلي").crop((10, 0, _line("بنعلي").width - 10, 96)))
    assert first_score > 0.9 and last_score > 0.9
    assert first > last


def test_latin_name_is_drawn_left_to_right() -> None:
    full = _line("Hélène Dupont")
    first, _ = _find(full, _line("Hélène").crop((10, 0, _line("Hélène").width - 10, 96)))
    last, _ = _find(full, _line("Dupont").crop((10, 0, _line("Dupont").width - 10, 96)))
    assert first < last


@pytest.mark.skipif(not fonts.raqm_available(), reason="Pillow without raqm cannot shape")
def test_arabic_letters_are_joined() -> None:
    # A zero-width non-joiner between letters forces their separate forms: shaped text differs.
    joined = _line("محمد")
    apart = _line("\u200c".join("محمد"))
    assert (
        np.asarray(joined).shape != np.asarray(apart).shape
        or (np.asarray(joined) != np.asarray(apart)).any()
    )
    unshaped = _line("محمد", basic=True)  # isolated letters, as without raqm
    assert (
        np.asarray(joined).shape != np.asarray(unshaped).shape
        or (np.asarray(joined) != np.asarray(unshaped)).any()
    )


def test_without_raqm_arabic_still_reads_right_to_left(caplog: pytest.LogCaptureFixture) -> None:
    # The fallback layout reverses right-to-left runs itself.
    full = _line("محمد بنعلي", basic=True)
    word = _line("محمد", basic=True)
    x_first, score = _find(full, word.crop((10, 0, word.width - 10, 96)))
    other = _line("بنعلي", basic=True)
    x_last, _ = _find(full, other.crop((10, 0, other.width - 10, 96)))
    assert score > 0.9 and x_first > x_last


def test_mixed_line_keeps_each_script_in_its_direction() -> None:
    pieces, missing = visual_pieces("Université Hassan II — جامعة الحسن الثاني")
    assert not missing
    assert pieces[0].script == "latin" and not pieces[0].rtl
    arabic = [p for p in pieces if p.script == "arabic"]
    assert arabic and all(p.rtl for p in arabic)
    # On paper: the Latin words, then the Arabic words with the first one read rightmost.
    full = _line("Université Hassan II — جامعة الحسن الثاني", size=32)
    words = {}
    for word in ("Université", "جامعة", "الثاني"):
        alone = _line(word, size=32)
        words[word], score = _find(full, alone.crop((10, 0, alone.width - 10, 64)))
        assert score > 0.9
    assert words["Université"] < words["الثاني"] < words["جامعة"]


def test_numbers_in_arabic_text_stay_left_to_right() -> None:
    text = "اليوم 1 · 08/12"
    levels = bidi_levels(text)
    date = text.index("08/12")
    assert all(level == 2 for level in levels[date : date + 5])  # one number, read 08/12
    pieces, _ = visual_pieces(text)
    assert pieces[0].text == "08/12"  # rightmost in reading order, leftmost on paper


def test_sixty_character_name_fits_on_58mm_paper() -> None:
    assert len(LONG_NAME) == 60
    for width in WIDTHS:
        inner = width - 2 * max(8, round(14 * width / 576))
        fit = fit_text(LONG_NAME, inner, 80, 20, 2, bold=True)
        assert 1 <= len(fit.lines) <= 3
        assert " ".join(fit.lines).replace("  ", " ") == LONG_NAME
        assert all(text_width(line, TextStyle(fit.size, True)) <= inner for line in fit.lines)


def test_short_name_is_larger_than_long_name() -> None:
    short = fit_text("Ali Tazi", 548, 80, 22, 2, bold=True)
    long = fit_text(LONG_NAME, 548, 80, 22, 2, bold=True)
    assert short.size > long.size and short.lines == ("Ali Tazi",)


def test_word_longer_than_the_paper_is_cut_not_overflowing() -> None:
    word = "W" * 80
    fit = fit_text(word, 356, 80, 20, 2, bold=True)
    assert all(text_width(line, TextStyle(fit.size, True)) <= 356 for line in fit.lines)
    assert fit.lines[0].endswith("…")


def test_glyphs_no_font_has_are_boxes_and_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    reg = Registration("X1", "王", "小明 🙂", ("CODE-X1",))
    with caplog.at_level(logging.WARNING, logger="printers.fonts"):
        image = render_badge(badge_content(reg, EVENT, BadgeOptions()), 576)
    assert decode_qr(image) == ["CODE-X1"]
    assert "U+738B" in caplog.text and "printed as boxes" in caplog.text


def test_corrected_badge_name_is_printed() -> None:
    reg = Registration("R1", "Helene", "Dupont", ("C",), badge_name="Hélène Dupont-Alami")
    assert badge_content(reg, EVENT, BadgeOptions()).name == "Hélène Dupont-Alami"


def test_role_band_of_a_speaker_is_inverted_and_a_participant_outlined() -> None:
    def black_share(reg: Registration) -> float:
        content = badge_content(reg, EVENT, BadgeOptions(language=Lang.EN))
        img = render_badge(content, 576)
        return float((np.asarray(img.convert("L")) < 128).mean())

    speaker = black_share(Registration("A", "Ann", "Lee", ("C",), role=Role.SPEAKER))
    participant = black_share(Registration("A", "Ann", "Lee", ("C",)))
    assert speaker > participant + 0.02  # a full-width black band


def test_role_template_overrides_label_and_hides_fields() -> None:
    options = BadgeOptions(
        language=Lang.EN,
        roles={Role.PRESS: Template(label="MEDIA", show_organisation=False, show_qr=False)},
    )
    press = badge_content(
        Registration("P", "Ann", "Lee", ("C",), "", "Le Matin", Role.PRESS), EVENT, options
    )
    assert press.role_label == "MEDIA" and press.organisation == "" and press.qr_data == ""
    other = badge_content(
        Registration("S", "Ann", "Lee", ("C",), "", "Le Matin", Role.STAFF), EVENT, options
    )
    assert other.role_label == "STAFF" and other.organisation == "Le Matin"


def test_days_show_the_dates_of_the_valid_days() -> None:
    content = badge_content(FRENCH, EVENT, BadgeOptions(language=Lang.FR))
    assert content.days == "Jour 2 · 09/12"
    arabic = badge_content(FRENCH, EVENT, BadgeOptions(language=Lang.AR))
    assert arabic.days.startswith("اليوم 2")


def test_broken_logo_prints_the_badge_without_it(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    from printers.render import load_logo

    bad = tmp_path / "logo.png"
    bad.write_bytes(b"not a png")
    with caplog.at_level(logging.WARNING):
        assert load_logo(bad) is None
    assert "cannot be read" in caplog.text


def test_logo_is_printed_above_the_event_name(tmp_path) -> None:
    logo = Image.new("RGBA", (400, 100), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((150, 0, 250, 100), fill=(20, 20, 20, 255))
    content = badge_content(LATIN, EVENT, BadgeOptions())
    with_logo = render_badge(content, 576, logo=logo)
    without = render_badge(content, 576)
    assert with_logo.height > without.height + 50
    assert decode_qr(with_logo) == [LATIN.codes[0]]
