"""A text box that draws Arabic as the rest of the screens do: shaped, in visual order."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input

from kiosk.ui.i18n import has_arabic, visual


class BidiInput(Input):
    """Textual's Input, but a value holding Arabic is drawn shaped and in visual order
    (kiosk.ui.i18n.visual, like the results under it) instead of unjoined letters in typing
    order. ``value``, the cursor and every event stay in logical (typing) order; the cursor
    is drawn at the end of the drawn line while the value holds Arabic."""

    @property
    def _value(self) -> Text:
        value = self.value
        if self.password or not has_arabic(value):
            return super()._value
        return Text(visual(value), no_wrap=True, overflow="ignore", end="")
