"""What goes on a badge: the fields of one registration under its role's template."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kiosk.core.i18n import C_, Message, translate
from kiosk.core.model import Event, Lang, Registration, Role
from kiosk.core.normalize import clean
from kiosk.core.texts import days_text
from kiosk.locale import translator

# A badge's role band: upper case, in the badge's language (context "badge role", apart
# from the same words inside sentences).
ROLE_LABELS: dict[Role, Message] = {
    Role.PARTICIPANT: C_("badge role", "PARTICIPANT"),
    Role.SPEAKER: C_("badge role", "SPEAKER"),
    Role.PRESS: C_("badge role", "PRESS"),
    Role.STAFF: C_("badge role", "STAFF"),
    Role.ORGANISER: C_("badge role", "ORGANISER"),
    Role.SPONSOR: C_("badge role", "SPONSOR"),
    Role.EXHIBITOR: C_("badge role", "EXHIBITOR"),
    Role.VIP: C_("badge role", "VIP"),
}


def role_label(role: Role, lang: Lang | str) -> str:
    """The badge label of ``role`` in ``lang`` ("INTERVENANT" for a French speaker)."""
    return translate(translator(str(lang)), ROLE_LABELS[role])


BANDS = ("inverted", "outlined", "none")


@dataclass(frozen=True, slots=True)
class Template:
    """How one role's badge looks (from [badge] and [badge.roles.<role>] in config.toml)."""

    label: str = ""  # empty: the role's name in the badge language
    band: str = ""  # inverted (white on black) | outlined | none; empty: by role
    logo: str = ""  # PNG path; empty: no logo
    show_organisation: bool = True
    show_days: bool = True
    show_qr: bool = True
    name_max_dots: int = 0  # largest name text height in dots; 0: by paper width


@dataclass(frozen=True, slots=True)
class BadgeOptions:
    """Event-wide badge settings plus the per-role templates that override them."""

    event_name: str = ""
    language: Lang = Lang.FR
    default: Template = field(default_factory=Template)
    roles: dict[Role, Template] = field(default_factory=dict)

    def template(self, role: Role) -> Template:
        return self.roles.get(role, self.default)


@dataclass(frozen=True, slots=True)
class BadgeContent:
    """The resolved text of one badge: pure data, ready for either print method."""

    event_name: str
    name: str
    organisation: str
    role: Role
    role_label: str
    band: str
    days: str
    qr_data: str
    logo: Path | None = None
    name_max_dots: int = 0

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.event_name, self.name, self.organisation, self.role_label, self.days)


def merge(base: Template, **overrides: Any) -> Template:
    """A role template: the event default with the keys the role sets."""
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def badge_content(
    reg: Registration,
    event: Event | None,
    options: BadgeOptions,
) -> BadgeContent:
    """The badge of a registration: name as staff corrected it, role band, days and QR code."""
    t = options.template(reg.role)
    lang = options.language
    band = t.band or ("outlined" if reg.role is Role.PARTICIPANT else "inverted")
    event_name = options.event_name or (event.name if event else "")
    return BadgeContent(
        event_name=event_name,
        name=reg.name_on_badge,  # cleaned of invisible characters (kiosk.core.normalize)
        organisation=clean(reg.organisation) if t.show_organisation else "",
        role=reg.role,
        role_label=t.label or role_label(reg.role, lang),
        band=band,
        days=_days(reg, event, lang) if t.show_days else "",
        qr_data=reg.codes[0] if (t.show_qr and reg.codes) else "",
        logo=Path(t.logo) if t.logo else None,
        name_max_dots=t.name_max_dots,
    )


def _days(reg: Registration, event: Event | None, lang: Lang) -> str:
    text = days_text(reg.days, translator(str(lang)))
    text = text[:1].upper() + text[1:]
    if event is None:
        return text
    dates = [d.date for d in event.days if reg.valid_on(d.number)]
    if not dates:
        return text
    shown = " – ".join(sorted({f"{d:%d/%m}" for d in (dates[0], dates[-1])}))
    return f"{text} · {shown}"
