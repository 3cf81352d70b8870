"""The name is always the largest line of a badge, read back from the printer's bytes.

Names of 1 to 80 characters in Latin, Arabic and mixed scripts, on 58 mm (384 dots) and
80 mm (576 dots) paper, asked for in printer text and in raster. Printer-text badges are
compared by the character size each line was printed at (GS !), raster badges by the ink
height of each line in the image the emulator prints.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kiosk.core.model import Lang, Registration, Role
from printers.emulator import Page, read_pages
from printers.encode import encode_badge, load_profile, name_size
from printers.layout import BadgeContent, BadgeOptions, badge_content
from tests.conftest import EVENT

NAMES = {
    "latin": "Éloïse-Marguerite Jyqué de La Rochefoucauld-Montmorency Gavroche Puig y "
    "Quiñones Ågren Bergström",
    "arabic": "عبد الرحمن بن محمد الإدريسي الحسني الفاسي أبو بكر بن يوسف التازي الشرقاوي "
    "العلمي الأندلسي",
    "mixed": "Fatima-Zahra فاطمة الزهراء El Idrissi الإدريسي Benjelloun بنجلون de Casablanca "
    "الدار البيضاء",
}
ORGANISATIONS = {
    "latin": "Société Générale Maroc · Agence Casa-Anfa",
    "arabic": "المكتب الوطني للكهرباء والماء الصالح للشرب",
    "mixed": "Université Hassan II — جامعة الحسن الثاني",
}
WIDTHS = {"58mm": 384, "80mm": 576}
LENGTHS = range(1, 81)


def name_of(script: str, length: int) -> str:
    text = NAMES[script][:length].strip()
    assert len(text) >= length - 1 and text
    return text


def content(script: str, length: int, role: Role) -> BadgeContent:
    reg = Registration(
        f"N{length}",
        name_of(script, length),
        "",
        ("CODE-N",),
        organisation=ORGANISATIONS[script],
        role=role,
        days=frozenset({1}),
    )
    lang = Lang.AR if script == "arabic" else Lang.FR
    return badge_content(reg, EVENT, BadgeOptions(language=lang))


def page(data: bytes, width: int) -> Page:
    pages = read_pages(data, width)
    assert len(pages) == 1
    return pages[0]


# -- printer text ---------------------------------------------------------------------------


def text_heights(page: Page, name: str) -> tuple[list[int], list[int]]:
    """(height multipliers of the name's lines, of every other printed text line)."""
    lines = [line for line in page.lines if line.text.strip()]
    target = "".join(name.split())
    for start in range(len(lines)):
        joined = ""
        for end in range(start, len(lines)):
            joined += "".join(lines[end].text.split())
            if joined == target:
                name_lines = lines[start : end + 1]
                others = lines[:start] + lines[end + 1 :]
                return [x.height_mag for x in name_lines], [x.height_mag for x in others]
            if not target.startswith(joined):
                break
    raise AssertionError(f"name {name!r} not found in printed lines {[x.text for x in lines]}")


# -- raster ---------------------------------------------------------------------------------


def segments(rows: np.ndarray, start: int, end: int) -> list[tuple[int, int]]:
    """Runs of rows with ink in [start, end), one per printed line: a run separated from
    its neighbour by less than a fifth of the taller one's height (an accent over a
    capital, the dots of Arabic letters) belongs to that neighbour's line."""
    runs: list[tuple[int, int]] = []
    y = start
    while y < end:
        if not rows[y]:
            y += 1
            continue
        top = y
        while y < end and rows[y]:
            y += 1
        runs.append((top, y))
    out: list[tuple[int, int]] = []
    for top, bottom in runs:
        if out:
            gap = top - out[-1][1]
            taller = max(bottom - top, out[-1][1] - out[-1][0])
            if gap <= max(2, taller // 5):
                out[-1] = (out[-1][0], bottom)
                continue
        out.append((top, bottom))
    return out


def heights(segs: list[tuple[int, int]]) -> list[int]:
    return [b - a for a, b in segs]


class Layout:
    """Where the rule, the role band and the text lines are on a raster badge."""

    def __init__(self, image: object, width: int) -> None:
        self.ink = np.asarray(image.convert("L")) < 128  # type: ignore[attr-defined]
        self.rows = self.ink.any(axis=1)
        self.margin = max(8, round(14 * width / 576))
        full = self.ink.mean(axis=1) >= 0.8
        rule = int(np.argmax(full))
        assert full[rule], "no rule under the event name"
        self.rule = (rule, rule + int(np.argmin(full[rule:])))
        # The role band is the first box after the rule: both side borders inked.
        left, right = self.margin + 1, width - self.margin - 2
        sides = self.ink[:, left] & self.ink[:, right]
        y = self.rule[1]
        while not sides[y : y + 10].all():
            y += 1
        end = y
        while end < len(sides) and sides[end]:
            end += 1
        self.band = (y, end)
        self.border = max(1, round(4 * width / 576)) + 2
        self.width = width

    def band_label_heights(self) -> list[int]:
        top, bottom = self.band[0] + self.border, self.band[1] - self.border
        inside = self.ink[
            top:bottom, self.margin + self.border : self.width - self.margin - self.border
        ]
        inverted = inside.mean() > 0.5
        label = ~inside if inverted else inside
        rows = np.zeros(len(self.rows), dtype=bool)
        rows[top:bottom] = label.any(axis=1)
        return heights(segments(rows, top, bottom))


def raster_heights(full: Page, no_org: Page, width: int) -> tuple[list[int], list[int]]:
    a, b = Layout(full.image, width), Layout(no_org.image, width)
    assert a.rule == b.rule, "the name's place does not depend on the organisation"
    name = segments(b.rows, b.rule[1], b.band[0])
    assert name, "no name drawn"
    name_end = name[-1][1]
    assert (a.ink[:name_end] == b.ink[:name_end]).all()
    others = (
        segments(a.rows, 0, a.rule[0])  # event name
        + segments(a.rows, name_end, a.band[0])  # organisation
        + segments(a.rows, a.band[1], len(a.rows))  # days
    )
    return heights(name), heights(others) + a.band_label_heights()


# -- the property ---------------------------------------------------------------------------


@pytest.mark.parametrize("paper", sorted(WIDTHS))
@pytest.mark.parametrize("method", ["text", "raster"])
@pytest.mark.parametrize("script", sorted(NAMES))
def test_the_name_is_the_largest_line_for_names_of_1_to_80_characters(
    script: str, method: str, paper: str
) -> None:
    width = WIDTHS[paper]
    profile = load_profile("TM-T20II", width)
    methods = set()
    for length in LENGTHS:
        role = Role.SPEAKER if length % 2 else Role.PARTICIPANT  # inverted and outlined bands
        # The QR code is no text line: it is left out of the comparison.
        badge = dataclasses.replace(content(script, length, role), qr_data="")
        encoded = encode_badge(badge, profile, method)
        methods.add(encoded.method)
        printed = page(encoded.data, width)
        if encoded.method == "text":
            name, others = text_heights(printed, badge.name)
            assert min(name) >= 2, f"{length} characters: name printed at {name}x height"
        else:
            bare = dataclasses.replace(badge, organisation="")
            name, others = raster_heights(
                printed, page(encode_badge(bare, profile, "raster").data, width), width
            )
        # Printer text: every name line is taller than any other line. Raster: the name's
        # tallest line is taller than any other (ink heights depend on the letters).
        name_height = min(name) if encoded.method == "text" else max(name)
        assert name_height > max(others), (
            f"{script} name of {length} characters on {paper} ({encoded.method}): name lines "
            f"{name} vs other lines {others}"
        )
    if method == "text" and script == "latin":
        assert methods == {"text"}, "every Latin name fits printer text at double height"
    if script != "latin":
        assert methods == {"raster"}  # printer fonts have no Arabic


def test_a_name_too_long_for_double_height_text_is_drawn_in_raster() -> None:
    profile = load_profile("TM-T20II", 384)
    long_name = " ".join(["Montmorency-Rochefoucauld"] * 6)  # 155 characters
    assert name_size(long_name, profile, 53) is None
    badge = content("latin", 10, Role.SPEAKER)
    badge = dataclasses.replace(badge, name=long_name)
    assert encode_badge(badge, profile, "text").method == "raster"


def test_the_demo_long_name_on_80mm_is_double_height_not_1x() -> None:
    """The reported case: a name over ~48 characters printed at 1x, as tall as the
    organisation line."""
    name = "Anne-Sophie Maximilienne de La Rochefoucauld-Montmorency Ali"  # 60 characters
    badge = dataclasses.replace(content("latin", 10, Role.PARTICIPANT), name=name)
    profile = load_profile("TM-T20II", 576)
    encoded = encode_badge(badge, profile, "text")
    assert encoded.method == "text"
    name_h, others = text_heights(page(encoded.data, 576), name)
    assert min(name_h) >= 2 and min(name_h) > max(others)
