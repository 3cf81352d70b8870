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
from kiosk.ui.i18n import LANG_NAMES
from kiosk.ui.screens.common import StaffScreen

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


def validate(form: WalkinForm, event_days: set[int]) -> dict[str, str]:
    """Field id -> what is wrong, in words a desk steward can act on."""
    errors: dict[str, str] = {}
    if not form.first_name.strip() and not form.last_name.strip():
        errors["first_name"] = "A first or last name is needed."
    for key, value in (("first_name", form.first_name), ("last_name", form.last_name)):
        if len(value) > 60:
            errors[key] = "At most 60 characters."
    if form.email.strip() and not EMAIL.match(form.email.strip()):
        errors["email"] = "This does not look like an e-mail address (name@domain.tld)."
    if not form.days:
        errors["days"] = "Tick at least one day."
    elif not form.days <= event_days:
        errors["days"] = "Unknown event day."
    return errors


class WalkinScreen(StaffScreen):
    BINDINGS = [  # noqa: RUF012
        Binding("ctrl+s", "submit", "Register + print"),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_alert()
        today = self.services.today()
        with VerticalScroll(id="walkin"):
            yield Static("Walk-in registration", classes="section")
            for key, label in (
                ("first_name", "First name"),
                ("last_name", "Last name"),
                ("organisation", "Organisation"),
                ("email", "E-mail (optional)"),
            ):
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(id=key, max_length=120)
                yield Static("", id=f"err-{key}", classes="field-error")
            with Horizontal(classes="field"):
                yield Label("Role", classes="field-label")
                yield Select(
                    [(r.value, r.value) for r in Role],
                    value=Role.PARTICIPANT.value,
                    id="role",
                    allow_blank=False,
                )
            with Horizontal(classes="field"):
                yield Label("Language", classes="field-label")
                yield Select(
                    [(LANG_NAMES[lang], lang.value) for lang in Lang],
                    value=self.app.language.value,  # type: ignore[attr-defined]
                    id="lang",
                    allow_blank=False,
                )
            with Horizontal(classes="field", id="days"):
                yield Label("Days", classes="field-label")
                for day in self.services.event.days:
                    yield Checkbox(
                        f"Day {day.number} ({day.date:%d/%m})",
                        value=(today is None or day.number == today),
                        id=f"day-{day.number}",
                    )
            yield Static("", id="err-days", classes="field-error")
            yield Button("Register, check in and print (Ctrl+S)", id="submit", variant="success")
            yield Static("", id="message")
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
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
        errors = validate(form, {d.number for d in self.services.event.days})
        for key in ("first_name", "last_name", "organisation", "email", "days"):
            self.query_one(f"#err-{key}", Static).update(errors.get(key, ""))
        if errors:
            self.say("Please correct the fields marked in red.", error=True)
            first = next(iter(errors))
            if first != "days":
                self.query_one(f"#{first}", Input).focus()
            return
        all_days = len(form.days) == len(self.services.event.days)
        self.query_one("#submit", Button).disabled = True
        self.say("Registering…")
        self.app.run_io(  # type: ignore[attr-defined]
            lambda: self.services.checkin.register_walkin(
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
        self.say(f"Not registered: {error}", error=True)

    def _registered(self, result: CheckinResult) -> None:
        from kiosk.ui.screens.detail import DetailScreen

        reg = result.verdict.registration
        queue = self.services.print_queue
        if result.print_job is not None and queue is not None:
            queue.wake()
        self.app.sound("ok" if result.verdict.ok else "refused")  # type: ignore[attr-defined]
        badge = "badge sent to the printer" if result.print_job is not None else "no badge queued"
        message = f"Walk-in registered and checked in: {reg.full_name if reg else ''} — {badge}."
        self.app.pop_screen()
        if reg is not None:
            self.app.push_screen(DetailScreen(reg.id, message))
