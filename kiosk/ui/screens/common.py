"""Pieces every staff screen shares: the function-key bar, the alert line, small prompts.

Staff screens speak the app's ``staff_language`` ([staff] language, switched at the desk):
texts come from kiosk.ui.i18n; footer descriptions are i18n keys ("key.*") translated when
the screen is made; one-line texts go through ``visual`` and wrapping ones through Sentence,
so Arabic is shaped and right to left like on the attendee screen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rich.cells import cell_len
from rich.text import Text
from textual import getters
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from kiosk.core.model import Lang
from kiosk.ui.app import AccueilApp
from kiosk.ui.i18n import drawable, is_rtl, printer_words, ui_text, visual, visual_lines
from kiosk.ui.ports import AppServices
from kiosk.ui.widgets.bidi_input import BidiInput
from kiosk.ui.widgets.keybar import KeyBar
from kiosk.ui.widgets.sentence import Sentence


def staff_lang(app: AccueilApp) -> Lang:
    """The language of the staff screens."""
    lang = getattr(app, "staff_language", Lang.FR)
    return lang if isinstance(lang, Lang) else Lang.FR


def staff_alert_text(app: AccueilApp, lang: Lang | None = None) -> str:
    """One line about what needs staff attention now (printer, sync), or ''."""
    lang = lang or staff_lang(app)
    parts = []
    printer = app.printer
    words = printer_words(printer, lang)
    if printer.level == "down" and printer.state != "none":
        parts.append(ui_text("alert.printer_down", lang, message=words, waiting=printer.waiting))
    elif printer.level == "warn":
        parts.append(ui_text("alert.printer_warn", lang, message=words))
    elif printer.state == "none":
        parts.append(ui_text("alert.no_printer", lang))
    sync = app.sync
    if sync.configured and sync.last_error:
        parts.append(ui_text("alert.sync_error", lang, error=sync.last_error))
    elif sync.configured and not sync.online:
        parts.append(ui_text("alert.sync_offline", lang, waiting=sync.waiting))
    return "   ".join(parts)


# Nothing we show goes through markup: not data (names, e-mails, organisations, errors,
# notes, config values), which a registration named "[/b]" showed can stop the desk with
# MarkupError, and not our own texts either, which name config keys in brackets
# ('[sync] source = "none"' lost its "[sync]"). No escape is exact (in Textual markup a
# backslash ending the data escapes the next tag), so text is Content or Text from the
# start and styles are given as styles.

_PLACEHOLDER = re.compile(r"\$([A-Za-z_]\w*)")


def plain(text: str, style: str = "") -> Content:
    """``text`` drawn as it is (controls made visible), optionally in one style."""
    return Content.styled(drawable(text), style) if style else Content(drawable(text))


def cell(text: str) -> Text:
    """A DataTable cell or column label, shown as typed (the table reads ``str`` as markup)."""
    return Text(drawable(text))


def with_data(template: str, **data: str | Content) -> Content:
    """``template`` (plain text, e.g. a translated sentence) with its ``$name`` placeholders
    filled by ``data``: ``str`` values are drawn as typed, ``Content`` values keep their
    styles. A ``$word`` with no value in ``data`` stays as written; values are not scanned
    for placeholders."""
    parts: list[Content] = []
    at = 0
    for match in _PLACEHOLDER.finditer(template):
        value = data.get(match.group(1))
        if value is None:
            continue
        parts.append(plain(template[at : match.start()]))
        parts.append(value if isinstance(value, Content) else plain(value))
        at = match.end()
    parts.append(plain(template[at:]))
    return Content("").join(parts)


def rich_lines(lines: Sequence[str | Content], lang: Lang, width: int = 0) -> Content | Text:
    """Lines for a Static (plain ``str``, or Content from :func:`with_data` / :func:`plain`);
    Arabic lines lose the styles, are wrapped to width (when known) in reading order, then
    shaped and right-aligned."""
    contents = [line if isinstance(line, Content) else plain(line) for line in lines]
    if not is_rtl(lang):
        return Content("\n").join(contents)
    shaped: list[str] = []
    for content in contents:
        plain_text = content.plain
        shaped.extend(visual_lines(plain_text, width) if width > 8 else [visual(plain_text)])
    # Textual aligns by the widget's text-align, not the Text's justify: pad by hand.
    shaped = [" " * max(0, width - cell_len(line)) + line for line in shaped]
    return Text("\n".join(shaped), no_wrap=True)


class StaffTexts(DOMNode):
    """Texts in the staff language, for screens and dialogs (mixed in before Screen)."""

    app = getters.app(AccueilApp)  # Textual's typed accessor: the app's own attributes

    @property
    def lang(self) -> Lang:
        return staff_lang(self.app)

    def t(self, key: str, **fields: object) -> str:
        """The text in reading order (for Sentence)."""
        return ui_text(key, self.lang, **fields)

    def v(self, key: str, **fields: object) -> str:
        """The text as one terminal line draws it (shaped, visual order for Arabic)."""
        return visual(self.t(key, **fields))

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The footer's keys (Textual's public ``Screen.active_bindings``), with descriptions
        written as i18n keys ("key.*") in the staff language, this screen's own keys first:
        the footer is cut on the right on narrow screens."""
        active: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        own = {b.key for b in Binding.make_bindings(type(self).__dict__.get("BINDINGS", []))}
        return {
            key: active[key]._replace(
                binding=replace(active[key].binding, description=self.v(description))
            )
            if (description := active[key].binding.description).startswith("key.")
            else active[key]
            for key in sorted(active, key=lambda key: key not in own)
        }

    def translate_bindings(self) -> None:
        """Redraw the footer in the staff language (after a language switch)."""
        if self.is_attached:
            self.refresh_bindings()


class StaffScreen(StaffTexts, Screen[None]):
    """A screen behind the PIN: shortcuts in the footer, alerts on top."""

    BINDINGS = [  # noqa: RUF012
        Binding("f2", "app_screen('walkin')", "key.walkin"),
        Binding("f3", "app_screen('printer')", "key.printer"),
        Binding("f4", "app_screen('sync')", "key.sync"),
        Binding("f5", "app_screen('dashboard')", "key.dashboard"),
        Binding("f6", "app_screen('door')", "key.door"),
        Binding("f8", "leave_door", "key.leave_door"),
        Binding("f7", "switch_language", "key.language"),
        Binding("f9", "lock", "key.lock"),
        Binding("f10", "quit_app", "key.quit"),
        Binding("escape", "back", "key.back"),
    ]

    switches_language = False  # F7 is shown (and works) on screens that redraw themselves

    def __init__(self) -> None:
        super().__init__()
        self.translate_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_language":
            return self.switches_language
        if action == "leave_door":  # only over a session door
            return bool(getattr(self.app, "door_below", False))
        return True

    @property
    def services(self) -> AppServices:
        return self.app.services

    @property
    def who(self) -> str:
        staff = self.app.staff
        return staff.who if staff is not None else "staff"

    def compose_alert(self) -> ComposeResult:
        yield Sentence("", id="alert")

    def on_mount(self) -> None:
        self.watch(self.app, "printer", lambda _: self._refresh_alert())
        self.watch(self.app, "sync", lambda _: self._refresh_alert())
        self.prepare()

    def prepare(self) -> None:
        """Fill what compose left empty (table columns, focus); again after a recompose."""
        self._refresh_alert()

    def _refresh_alert(self) -> None:
        alert = self.query("#alert")
        if alert:
            text = staff_alert_text(self.app, self.lang)
            widget = alert.first(Sentence)
            widget.show(text, is_rtl(self.lang))
            widget.set_class("⚠" in text, "bad")

    def footer(self) -> KeyBar:
        return KeyBar(rtl=is_rtl(self.lang))

    def action_app_screen(self, name: str) -> None:
        from kiosk.ui.screens import open_staff_screen

        open_staff_screen(self.app, name)

    def action_leave_door(self) -> None:
        self.app.leave_door()

    def action_lock(self) -> None:
        self.app.lock()

    def action_quit_app(self) -> None:
        staff = self.app.staff
        if staff is None or not staff.supervisor:
            self.notify(self.t("note.quit_action"), severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.request_quit()

        self.app.push_screen(ConfirmScreen(self.t("confirm.quit")), confirmed)

    def action_back(self) -> None:
        self.app.pop_screen()

    def say(self, text: str, error: bool = False) -> None:
        for message in self.query("#message"):
            assert isinstance(message, Sentence)
            message.show(text, is_rtl(self.lang))
            message.set_class(error, "error")


class PromptScreen(StaffTexts, ModalScreen[str | None]):
    """Ask for one line of text (a reason, a corrected name)."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]  # noqa: RUF012

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.translate_bindings()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        rtl = is_rtl(self.lang)
        with Vertical(classes="dialog"):
            yield Sentence(self.question, rtl=rtl, id="question")
            yield BidiInput(self.value, placeholder=visual(self.placeholder), id="answer")
            yield Sentence(self.t("prompt.help"), rtl=rtl, id="prompt-message")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#prompt-message", Sentence).show(
                self.t("prompt.empty"), is_rtl(self.lang)
            )
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(StaffTexts, ModalScreen[bool]):
    BINDINGS = [  # noqa: RUF012
        Binding("y,o,enter", "answer(True)", "key.yes"),  # o: "oui"
        Binding("n,escape", "answer(False)", "key.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.translate_bindings()
        self.question = question

    def compose(self) -> ComposeResult:
        rtl = is_rtl(self.lang)
        with Vertical(classes="dialog"):
            yield Sentence(self.question, rtl=rtl, id="question")
            yield Sentence(self.t("confirm.help"), rtl=rtl)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
