"""Mixed Arabic and Latin text drawn right on a left-to-right terminal (issue 17.6).

The Arabic staff header drew "(NC (steward …": a Latin stretch inside an Arabic sentence
had its brackets mirrored and moved. Arabic typed into the search box showed unjoined
letters in typing order while the results under it were shaped.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable, Input

from kiosk.core.model import Lang
from kiosk.ui.bidi import FSI, ISOLATE_CONTROLS, LRI, PDI, RLI, display
from kiosk.ui.i18n import ui_text, visual
from tests.ui.conftest import HUMAN_GAP, drawn, send_keys, wait_for
from tests.ui.test_staff import sign_in

ARABIC_WORDS = ["مكتب", "المنظمين", "متصل", "باسم", "الطابعة", "لا", "جاهزة", "سلام"]
arabic = st.lists(st.sampled_from(ARABIC_WORDS), min_size=1, max_size=4).map(" ".join)
# A Latin stretch as names, roles and config keys come: words, digits, paired brackets.
latin = st.from_regex(
    r"[A-Za-z][A-Za-z0-9]{0,5}( \([a-z]{1,7}\))?( \[[a-z]{1,5}\])?( [a-z_]{1,6} = \"[a-z]{1,5}\")?",
    fullmatch=True,
)


@given(arabic, latin, arabic, st.sampled_from(["", ".", ":", " 12"]))
def test_a_latin_stretch_in_an_arabic_line_keeps_its_order_and_brackets(before, ltr, after, end):
    drawn_line = display(f"{before} {ltr} {after}{end}")
    assert ltr in drawn_line
    # right to left: what came first is drawn rightmost
    assert drawn_line.endswith(display(before))


@given(
    st.text(
        alphabet=st.sampled_from([*"ab ()[]\"'=.:12", *ISOLATE_CONTROLS, *"محدلا"]),
        max_size=30,
    )
)
def test_no_isolate_control_is_ever_drawn_and_nothing_is_lost(text):
    drawn_line = visual(text)
    assert not set(drawn_line) & set(ISOLATE_CONTROLS)
    latin_in = sorted(c for c in text if c in "ab12=\"'.:")
    assert sorted(c for c in drawn_line if c in "ab12=\"'.:") == latin_in


@given(st.text(alphabet=st.sampled_from([*'abcXYZ ()[]{}<>"=:.,-_0123456789']), max_size=40))
def test_lines_without_arabic_are_drawn_as_written(text):
    assert visual(text) == text
    assert visual(FSI + text + PDI) == text


def test_isolates_are_laid_out_on_their_own():
    # An Arabic name isolated inside a French line keeps its own right-to-left order.
    name = "محمد العلوي"
    line = display(f"Nom : {FSI}{name}{PDI} (speaker)")
    assert line.startswith("Nom : ") and line.endswith(" (speaker)")
    assert line == f"Nom : {display(name)} (speaker)"
    # LRI forces left to right, RLI right to left, whatever the first letter.
    assert display(f"سلام {LRI}x (y){PDI}") == f"x (y) {display('سلام')}"
    assert display(f"{RLI}ab سلام{PDI}", "L") == display("ab سلام", "R")


def test_the_reported_header_and_sync_sentence():
    header = visual(ui_text("desk.title", Lang.AR, who="NC (steward)"))
    assert header.startswith("NC (steward) ") and "(NC (steward" not in header
    sync = visual(ui_text("sync.not_configured", Lang.AR))
    assert '([sync] source = "none")' in sync


# -- on screen ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_arabic_staff_header_keeps_the_initials_and_role_in_order(make_kiosk):
    app = make_kiosk().app(staff_language="ar")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app, initials="NC")
        # The role is said in Arabic now: in drawing order its brackets close before NC.
        await wait_for(pilot, lambda: ") NC " in drawn(app), 10)
        assert "(NC" not in drawn(app) and "NC (" not in drawn(app)


@pytest.mark.anyio
async def test_arabic_typed_in_the_search_box_is_drawn_shaped_value_stays_logical(make_kiosk):
    app = make_kiosk().app(staff_language="ar")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app)
        await send_keys(pilot, "محمد", HUMAN_GAP)
        search = app.screen.query_one("#search", Input)
        await wait_for(pilot, lambda: search.value == "محمد", 10)
        results = app.screen.query_one("#results", DataTable)
        await wait_for(pilot, lambda: results.row_count == 1, 10)
        await wait_for(pilot, lambda: visual("محمد") in drawn(app).split("\n")[search.region.y + 1])
        assert "محمد" not in drawn(app)  # no unjoined letters anywhere
        assert visual("محمد العلوي") in str(results.get_row_at(0)[0])
        # The cursor is where the next letter goes: on the left of a right-to-left word.
        search.cursor_blink = False
        await pilot.pause(0.1)
        cursor = search.get_component_rich_style("input--cursor")
        first, *_ = list(search.render_line(0))
        assert (
            first.text == " " and first.style is not None and cursor.bgcolor == first.style.bgcolor
        )
        assert "".join(s.text for s in search.render_line(0)).startswith(" " + visual("محمد"))
