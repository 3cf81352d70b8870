"""The keys of a screen, on as many lines as they need."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget

GAP = "  "


class KeyBar(Widget):
    """Textual's Footer, but wrapped: every key the screen shows, whatever the width.

    Textual's Footer is one line that cuts the keys that do not fit (at 80 or 120 columns
    a staff screen lost "Sign out" and "Quit app"). This draws the same keys, taken the
    same way (``Screen.active_bindings``: shown bindings, one per action, the first key
    of each, ``App.get_key_display`` for its name), and wraps between keys, never inside
    one. Docked at the bottom; redrawn when the screen's bindings change.
    """

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        width: 1fr;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, *, rtl: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rtl = rtl

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh(layout=True)

    def shown_keys(self) -> list[tuple[str, str, bool]]:
        """(key as shown, description, enabled) of each key, in the screen's order."""
        seen: set[str] = set()
        keys = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((self.app.get_key_display(binding), binding.description, active.enabled))
        return keys

    def _lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        line = Text(end="")
        for key, description, enabled in self.shown_keys():
            piece = Text.assemble(
                (f" {key} ", "bold reverse" if enabled else "dim reverse"),
                (f" {description}" if description else "", "" if enabled else "dim"),
                end="",
            )
            if line.cell_len and line.cell_len + len(GAP) + piece.cell_len > width:
                lines.append(line)
                line = Text(end="")
            if line.cell_len:
                line.append(GAP)
            line.append_text(piece)
        if line.cell_len or not lines:
            lines.append(line)
        return lines

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Text:
        width = self.content_region.width or self.size.width or 80
        lines = self._lines(width)
        if self.rtl:  # Arabic screens read from the right
            for line in lines:
                line.pad_left(max(0, width - cell_len(line.plain)))
        return Text("\n", end="").join(lines)
