"""One mapping from pretix order positions to kiosk registrations.

pretix rows reach the kiosk three ways: the REST API (``sync/pretix.py``), the "Order data"
CSV export (sheet "Order positions") and the "Order data (JSON)" export, both read by
``sync/importers``. All three call ``registration_from_pretix``, so the same position gives
the same registration whichever way it came: the id ``pretix-<order code>-<position
number>``, the status (order status and position flags, worst wins), the name with
pretix's own fallbacks, the product's role and days.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.core.model import Lang, Registration, Role, Status
from kiosk.core.normalize import clean
from kiosk.core.questions import CheckinQuestion, question_from_dict

ROLE_WORDS = {
    "intervenant": "speaker",
    "orateur": "speaker",
    "presse": "press",
    "journalist": "press",
    "organizer": "organiser",
    "organisateur": "organiser",
    "attendee": "participant",
    "sponsor": "sponsor",
    "exposant": "exhibitor",
    "bénévole": "staff",
    "volunteer": "staff",
}


def role_from_product(product: str) -> Role:
    """'Speaker pass' -> speaker, 'Presse' -> press; whole words only ('Express' is no press)."""
    words = set(re.findall(r"\w+", product.lower()))
    for word, role in {**ROLE_WORDS, **{r.value: r.value for r in Role}}.items():
        if word in words:
            return Role(role)
    return Role.PARTICIPANT


_DAYS = re.compile(
    r"\b(?:days?|jours?)\s*(\d)(?:\s*(?:-|–|to|à|au)\s*(\d)"
    r"|((?:\s*(?:,|&|\+|and|et)\s*\d)+))?\b",
    re.IGNORECASE,
)


def days_from_product(product: str) -> frozenset[int]:
    """'Day 1 pass' -> {1}; 'Days 1-2', 'Jour 1 et 2', 'Day 1 & 2' -> {1, 2}; else every day."""
    days: set[int] = set()
    for first, last, more in _DAYS.findall(product):
        start = int(first)
        days.update(range(start, int(last) + 1) if last else [start])
        days.update(int(d) for d in re.findall(r"\d", more))
    return frozenset(d for d in days if 1 <= d <= 8)


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """The order fields a registration depends on (pretix's order resource names)."""

    code: str
    status: str  # n pending, p paid, e expired, c canceled
    valid_if_pending: bool = False
    require_approval: bool = False
    locale: str = ""
    email: str = ""  # the buyer's: used when the position has no attendee e-mail


ORDER_STATUSES = {"n", "p", "e", "c"}


def registration_status(position: Mapping[str, Any], order: OrderFacts) -> Status:
    """pretix's order status and position flags as the kiosk's status (worst wins)."""
    if position.get("canceled") or order.status in ("c", "e"):
        return Status.CANCELLED
    if position.get("blocked"):
        return Status.BLOCKED
    if order.status == "n" and (order.require_approval or not order.valid_if_pending):
        return Status.UNPAID
    return Status.CONFIRMED


def split_name(parts: Mapping[str, Any] | None) -> tuple[str, str]:
    """(first, last) from pretix's attendee_name_parts; a one-field name is never split."""
    parts = parts or {}
    given = " ".join(
        str(parts[k]).strip() for k in ("given_name", "middle_name") if parts.get(k)
    ).strip()
    family = str(parts.get("family_name") or "").strip()
    if given or family:
        return given, family
    for key in ("full_name", "_legacy", "calling_name"):
        if parts.get(key):
            return str(parts[key]).strip(), ""
    return "", ""


def own_name_parts(position: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The position's name parts; the JSON export carries only ``attendee_name``."""
    parts = position.get("attendee_name_parts")
    if parts and any(v for k, v in parts.items() if not k.startswith("_")):
        return dict(parts)
    if position.get("attendee_name"):
        return {"full_name": position["attendee_name"]}
    return None


def name_parts_with_fallback(
    position: Mapping[str, Any],
    by_id: Mapping[Any, Mapping[str, Any]],
    invoice: Mapping[str, Any],
) -> Mapping[str, Any] | None:
    """As pretix's check-in list does: the position's name, else the add-on's parent's
    (``addon_to`` looked up in ``by_id``), else the invoice address name."""
    own = own_name_parts(position)
    if own:
        return own
    parent = by_id.get(position.get("addon_to"))
    parent_parts = own_name_parts(parent) if parent else None
    if parent_parts:
        return parent_parts
    invoice_parts = invoice.get("name_parts")
    if invoice_parts and any(v for k, v in invoice_parts.items() if not k.startswith("_")):
        return dict(invoice_parts)
    if invoice.get("name"):
        return {"full_name": invoice["name"]}
    return None


def registration_from_pretix(
    position: Mapping[str, Any],
    order: OrderFacts,
    ticket_type: str,
    name_parts: Mapping[str, Any] | None,
) -> Registration:
    """One pretix order position as a kiosk registration; the one mapping of all paths.

    ``position`` uses the API's field names (positionid, secret, attendee_email, company,
    country, valid_from, valid_until, canceled, blocked); ``name_parts`` is the name chosen
    by ``name_parts_with_fallback``. Text is cleaned of invisible characters.
    """
    first, last = split_name(name_parts)
    lang = order.locale.split("-")[0].lower()
    secret = str(position.get("secret") or "").strip()
    return Registration(
        id=f"pretix-{order.code}-{position['positionid']}",
        first_name=clean(first),
        last_name=clean(last),
        codes=(secret,) if secret else (),
        email=str(position.get("attendee_email") or "").strip() or order.email.strip(),
        organisation=clean(str(position.get("company") or "")),
        role=role_from_product(ticket_type),
        ticket_type=clean(ticket_type),
        days=days_from_product(ticket_type),
        status=registration_status(position, order),
        lang=Lang(lang) if lang in {x.value for x in Lang} else None,
        valid_from=pretix_time(position.get("valid_from")),
        valid_until=pretix_time(position.get("valid_until")),
        country=clean(str(position.get("country") or "")),
    )


def registration_from_position(
    position: Mapping[str, Any],
    order: OrderFacts,
    ticket_types: Mapping[tuple[int, int | None], str],
    name_parts: Mapping[str, Any] | None = None,
) -> Registration:
    """One API order position as a kiosk registration (``ticket_types``: (item, variation)
    -> name). The id is the same as a CSV import of pretix's order export, so switching
    from the file to the API updates, not duplicates."""
    ticket_type = ticket_types.get(
        (int(position["item"]), position.get("variation")),
        ticket_types.get((int(position["item"]), None), ""),
    )
    parts = name_parts if name_parts is not None else own_name_parts(position)
    return registration_from_pretix(position, order, ticket_type, parts)


def pretix_time(value: object) -> datetime | None:
    """pretix's ISO 8601 date-times; one without a zone is taken as UTC; junk is None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def question_from_pretix(
    data: Mapping[str, Any], text: str, option_text: Callable[[Any], str]
) -> CheckinQuestion:
    """A check-in question from pretix's questions resource (its ``valid_*`` limits); ``text`` the question in the kiosk's language and
    ``option_text`` a function giving an option's text from its i18n ``answer``."""
    return question_from_dict(
        {
            "id": data["id"],
            "text": text,
            "type": data.get("type") or "S",
            "required": data.get("required"),
            "options": [
                [o["id"], o.get("identifier") or "", option_text(o.get("answer"))]
                for o in data.get("options") or ()
            ],
            "number_min": data.get("valid_number_min"),
            "number_max": data.get("valid_number_max"),
            "date_min": data.get("valid_date_min"),
            "date_max": data.get("valid_date_max"),
            "datetime_min": data.get("valid_datetime_min"),
            "datetime_max": data.get("valid_datetime_max"),
            "length_min": data.get("valid_string_length_min"),
            "length_max": data.get("valid_string_length_max"),
        }
    )
