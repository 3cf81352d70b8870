"""A text box that draws Arabic as the rest of the screens do: shaped, in visual order."""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
from textual.widgets import Input

from kiosk.ui.bidi import first_strong
from kiosk.ui.i18n import has_arabic, visual


class BidiInput(Input):
    """Textual's Input, but a value holding Arabic is drawn shaped and in visual order
    (kiosk.ui.i18n.visual, like the results under it) instead of unjoined letters in typing
    order. ``value``, the cursor position and every event stay in logical (typing) order.

    The cursor at the end of a right-to-left value is drawn on its left, where the next
    letter will appear; elsewhere in the value it is drawn at the mirrored cell (exact
    for Arabic alone; approximate in mixed text and where letters form ligatures).
    Selections are not highlighted while the value holds Arabic.
    """

    @property
    def _value(self) -> Text:
        value = self.value
        if self.password or not has_arabic(value):
            return super()._value
        return Text(visual(value), no_wrap=True, overflow="ignore", end="")

    def render_line(self, y: int) -> Strip:
        value = self.value
        if y != 0 or self.password or not has_arabic(value):
            return super().render_line(y)
        text = self._value
        rtl = first_strong(value) == "R"
        if self.has_focus and self._cursor_visible:
            style = self.get_component_rich_style("input--cursor")
            if self.cursor_at_end:
                text = Text(" ", end="") + text if rtl else text + Text(" ", end="")
                at = 0 if rtl else len(text) - 1
            else:
                shown = len(text.plain)
                at = max(
                    0,
                    min(
                        shown - 1, shown - 1 - self.cursor_position if rtl else self.cursor_position
                    ),
                )
            text.stylize(style, at, at + 1)
        width = self.scrollable_content_region.width + 1
        console = self.app.console
        options = self.app.console_options.update_width(max(width, text.cell_len))
        strip = Strip(list(console.render(text, options))).crop(0, width)
        return strip.extend_cell_length(width).apply_style(self.rich_style)
