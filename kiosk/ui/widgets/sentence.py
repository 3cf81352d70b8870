"""A block of text that is drawn right for Arabic as well as French and English."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from kiosk.ui.i18n import visual_lines


class Sentence(Widget):
    """Wraps in reading order and shapes Arabic; Arabic lines are right-aligned."""

    DEFAULT_CSS = """
    Sentence { height: auto; width: 1fr; }
    """

    text: reactive[str] = reactive("", layout=True)
    rtl: reactive[bool] = reactive(False, layout=True)

    def __init__(self, text: str = "", *, rtl: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.set_reactive(Sentence.text, text)
        self.set_reactive(Sentence.rtl, rtl)

    def show(self, text: str, rtl: bool = False) -> None:
        self.text = text
        self.rtl = rtl

    def _lines(self, width: int) -> list[str]:
        return visual_lines(self.text, width) if self.text else []

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return max(1, len(self._lines(width)))

    def render(self) -> Text:
        width = self.content_region.width or self.size.width or 40
        lines = self._lines(width)
        justify = "right" if self.rtl else self.styles.text_align
        if self.rtl and self.styles.text_align == "center":
            justify = "center"
        if justify == "right":
            # Textual draws a Text by the widget's text-align, not the Text's justify.
            lines = [" " * max(0, width - cell_len(line)) + line for line in lines]
        return Text("\n".join(lines), justify=justify, no_wrap=True, end="")  # type: ignore[arg-type]
