"""Walk-in registration: one form, checked field by field, then code, check-in and badge."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from kiosk.core.model import Lang, Role
from kiosk.core.service import CheckinResult
from kiosk.ui.i18n import LANG_NAMES, is_rtl, ui_text, visual
from kiosk.ui.screens.common import StaffScreen, plain
from kiosk.ui.screens.staff import role_words
from kiosk.ui.widgets.bidi_input import BidiInput
from kiosk.ui.widgets.sentence import Sentence

FIELDS = ("first_name", "last_name", "organisation", "email")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class WalkinForm:
    first_name: str
    last_name: str
    organisation: str
    email: str
    role: Role
    days: frozenset[int]
    lang: Lang | None


def validate(form: WalkinForm, event_days: set[int], lang: Lang = Lang.EN) -> dict[str, str]:
    """Field id -> what is wrong, in words a desk steward can act on (in reading order)."""
    errors: dict[str, str] = {}
    if not form.first_name.strip() and not form.last_name.strip():
        errors["first_name"] = ui_text("walkin.name_needed", lang)
    for key, value in (("first_name", form.first_name), ("last_name", form.last_name)):
        if len(value) > 60:
            errors[key] = ui_text("walkin.too_long", lang)
    if form.email.strip() and not EMAIL.match(form.email.strip()):
        errors["email"] = ui_text("walkin.bad_email", lang)
    if not form.days:
        errors["days"] = ui_text("walkin.no_day", lang)
    elif not form.days <= event_days:
        errors["days"] = ui_text("walkin.unknown_day", lang)
    return errors


class WalkinScreen(StaffScreen):
    BINDINGS = [  # noqa: RUF012
        Binding("ctrl+s", "submit", "key.submit"),
        Binding("escape", "back", "key.back"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        today = self.services.today()
        with VerticalScroll(id="walkin"):
            yield Static(self.v("walkin.title"), classes="section", markup=False)
            for key in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(self.v(f"walkin.{key}"), classes="field-label", markup=False)
                    yield BidiInput(id=key, max_length=120)
                yield Sentence("", id=f"err-{key}", classes="field-error")
            with Horizontal(classes="field"):
                yield Label(self.v("walkin.role"), classes="field-label", markup=False)
                yield Select(
                    [(plain(visual(role_words(r, self.lang))), r.value) for r in Role],
                    value=Role.PARTICIPANT.value,
                    id="role",
                    allow_blank=False,
                )
            with Horizontal(classes="field"):
                yield Label(self.v("walkin.lang"), classes="field-label", markup=False)
                yield Select(
                    [(plain(visual(LANG_NAMES[lang])), lang.value) for lang in Lang],
                    value=self.app.language.value,
                    id="lang",
                    allow_blank=False,
                )
            with Horizontal(classes="field", id="days"):
                yield Label(self.v("walkin.days"), classes="field-label", markup=False)
                for day in self.services.event.days:
                    yield Checkbox(
                        plain(self.v("walkin.day", n=day.number, date=f"{day.date:%d/%m}")),
                        value=(today is None or day.number == today),
                        id=f"day-{day.number}",
                    )
            yield Sentence("", id="err-days", classes="field-error")
            yield Button(plain(self.v("walkin.submit")), id="submit", variant="success")
            yield Sentence("", id="message")
        yield self.footer()

    def prepare(self) -> None:
        self._refresh_alert()
        self.query_one("#first_name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()

    def read_form(self) -> WalkinForm:
        def text(key: str) -> str:
            return self.query_one(f"#{key}", Input).value.strip()

        days = frozenset(
            d.number
            for d in self.services.event.days
            if self.query_one(f"#day-{d.number}", Checkbox).value
        )
        return WalkinForm(
            first_name=text("first_name"),
            last_name=text("last_name"),
            organisation=text("organisation"),
            email=text("email"),
            role=Role(str(self.query_one("#role", Select).value)),
            days=days,
            lang=Lang(str(self.query_one("#lang", Select).value)),
        )

    def action_submit(self) -> None:
        form = self.read_form()
        errors = validate(form, {d.number for d in self.services.event.days}, self.lang)
        for key in (*FIELDS, "days"):
            self.query_one(f"#err-{key}", Sentence).show(errors.get(key, ""), is_rtl(self.lang))
        if errors:
            self.say(self.t("walkin.correct"), error=True)
            first = next(iter(errors))
            if first != "days":
                self.query_one(f"#{first}", Input).focus()
            return
        all_days = len(form.days) == len(self.services.event.days)
        self.query_one("#submit", Button).disabled = True
        self.say(self.t("walkin.registering"))
        self.app.run_io(
            lambda: self.services.desk.walk_in(
                form.first_name,
                form.last_name,
                email=form.email,
                organisation=form.organisation,
                role=form.role,
                days=frozenset() if all_days else form.days,
                lang=form.lang,
                staff=self.who,
            ),
            done=self._registered,
            failed=self._failed,
            name="walkin",
        )

    def _failed(self, error: BaseException) -> None:
        self.query_one("#submit", Button).disabled = False
        self.say(self.t("walkin.failed", error=error), error=True)

    def _registered(self, result: CheckinResult) -> None:
        from kiosk.ui.screens.detail import DetailScreen

        reg = result.verdict.registration
        self.app.sound("ok" if result.verdict.ok else "refused")
        badge = self.t("walkin.badge_sent" if result.print_job is not None else "walkin.no_badge")
        message = self.t("walkin.done", name=reg.full_name if reg else "", badge=badge)
        self.app.pop_screen()
        if reg is not None:
            self.app.push_screen(DetailScreen(reg.id, message))
