"""The registry of registration file formats: their columns, how a row becomes a registration.

CSV formats are read by header name (``reading.column_key``: case, spacing and invisible
characters ignored), so column order and extra columns do not matter. Each format names
its id column and its code column, which the loader checks for what spreadsheets do to
long numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.model import Lang, Registration, Role, Status
from kiosk.core.normalize import clean
from sync.importers.reading import Record, column_key
from sync.pretix_mapping import (
    ROLE_WORDS,
    OrderFacts,
    days_from_product,
    name_parts_with_fallback,
    own_name_parts,
    registration_from_pretix,
    role_from_product,
)


class Bad(Exception):
    """One bad cell: ``column`` is the format's name for it, turned into the file's spelling
    (or a JSON path) by the loader."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


Outcome = tuple[Record, Registration | Bad]


@dataclass(frozen=True)
class Format:
    """One kind of file: ``rows`` maps every record (all of them, for formats whose rows
    depend on each other, like pretix add-ons and their tickets)."""

    name: str
    title: str  # for messages: "a pretix order positions export"
    columns: tuple[str, ...]
    required: tuple[str, ...]
    id_columns: tuple[str, ...]
    code_column: str
    source: str  # where to export it again from, for messages
    signature: Callable[[frozenset[str]], bool]
    rows: Callable[[Iterable[Record], ZoneInfo | None], Iterator[Outcome]]
    fixed_length_codes: bool = False  # the platform's barcodes are all the same length
    # the platform writes some names twice and the first is the one to read (pretix: the
    # attendee's Company, Country… then the invoice address's, and questions after them)
    first_of_repeats: bool = False


# -- field parsers ----------------------------------------------------------------------------


def _enum(enum: Any, column: str, raw: str, aliases: Mapping[str, str] | None = None) -> Any:
    value = (aliases or {}).get(raw.strip().lower(), raw.strip().lower())
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(e.value for e in enum)
        raise Bad(column, f"{raw!r} is not one of: {choices}") from None


STATUS_WORDS = {
    "paid": "confirmed",
    "canceled": "cancelled",
    "pending": "unpaid",
    "expired": "cancelled",
}


def _days(column: str, raw: str) -> frozenset[int]:
    if not raw.strip():
        return frozenset()
    parts = [p for p in re.split(r"[;,| ]+", raw.strip()) if p]
    try:
        days = frozenset(int(p) for p in parts)
    except ValueError:
        raise Bad(column, f"{raw!r}: expected day numbers like '1;2'") from None
    if any(not 1 <= d <= 8 for d in days):
        raise Bad(column, f"{raw!r}: day numbers go from 1 to 8")
    return days


_ITEMS = re.compile(r"[;|]")


def _list(raw: str) -> tuple[str, ...]:
    if ";" not in raw and "|" not in raw:
        one = clean(raw)
        return (one,) if one else ()
    return tuple(p for p in map(clean, _ITEMS.split(raw)) if p)


def _codes(raw: str, column: str = "codes") -> tuple[str, ...]:
    """Codes are credentials: kept as written (base45 has spaces), only the ends trimmed;
    one holding a character no scanner sends is refused (``code``)."""
    if ";" not in raw and "|" not in raw:
        one = raw.strip()
        return (code(column, one),) if one else ()
    return tuple(code(column, p) for p in (p.strip() for p in _ITEMS.split(raw)) if p)


def code(column: str, value: str) -> str:
    """``value`` when a scanner could send it; else Bad. A bidi mark, zero-width space,
    BOM, no-break space or control character inside a code comes from a copy and paste:
    kept, the code would never match the scan, and cleaned, it would no longer be the
    code that was issued, so the row is refused."""
    if value.isprintable():  # str.isprintable: no Cc, Cf, Z* but the plain space
        return value
    for char in value:
        if char.isprintable():
            continue
        name = unicodedata.name(char, "a control character")
        raise Bad(
            column,
            f"code {value!r} holds {name} (U+{ord(char):04X}), which no scanner sends: it "
            "came with a copy and paste. Remove it from the code and import again",
        )
    return value


def _when(column: str, raw: str, tz: ZoneInfo | None) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    for parse in (datetime.fromisoformat, lambda s: datetime.strptime(s, "%d/%m/%Y %H:%M")):
        try:
            value = parse(raw)
        except ValueError:
            continue
        if value.tzinfo is None:
            if tz is None:
                raise Bad(column, f"{raw!r} has no time zone: write it like 2026-12-08T09:00+01:00")
            value = value.replace(tzinfo=tz)
        return value
    raise Bad(
        column, f"{raw!r} is not a date and time (expected ISO 8601, e.g. 2026-12-08T09:00+01:00)"
    )


def _email(column: str, raw: str) -> str:
    raw = clean(raw)
    if raw and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", raw):
        raise Bad(column, f"{raw!r} is not an e-mail address")
    return raw


def _required(cells: Mapping[str, str], column: str) -> str:
    value = clean(cells.get(column) or "")
    if not value:
        raise Bad(column, "is empty; this column is required")
    return value


def _text(cells: Mapping[str, str], column: str) -> str:
    return _kept(column, clean(cells.get(column) or ""))


def _kept(column: str, value: str) -> str:
    """``value``, unless its letters were lost to a code page: Excel's plain "CSV" writes
    each character its code page cannot hold as ``?`` (an Arabic name on a French
    Windows becomes ``???? ??????``), and the file then reads without an error."""
    if "??" in value or (value and not value.strip("? ")):
        raise Bad(
            column,
            f'{value!r}: letters became question marks, as Excel\'s plain "CSV" writes a '
            "script its code page cannot hold (Arabic on a French Windows). Save the sheet "
            'as "CSV UTF-8" or "Unicode text" and import that file',
        )
    return value


def _each(
    records: Iterable[Record],
    tz: ZoneInfo | None,
    one: Callable[[Mapping[str, str], ZoneInfo | None], Registration],
) -> Iterator[Outcome]:
    for record in records:
        try:
            yield record, one(record.cells, tz)
        except Bad as bad:
            yield record, bad


# -- generic ----------------------------------------------------------------------------------

GENERIC_COLUMNS = (
    "id", "first_name", "last_name", "email", "organisation", "role", "ticket_type", "days",
    "sessions", "status", "lang", "codes", "valid_from", "valid_until", "country", "badge_name",
)  # fmt: skip


def generic_registration(cells: Mapping[str, str], tz: ZoneInfo | None) -> Registration:
    """Our own format's row (``GENERIC_COLUMNS``); raises Bad naming the column."""
    first, last = _text(cells, "first_name"), _text(cells, "last_name")
    if not (first or last):
        raise Bad("first_name", "a registration needs a first or last name")
    lang = (cells.get("lang") or "").strip()
    return Registration(
        id=_required(cells, "id"),
        first_name=first,
        last_name=last,
        codes=_codes(cells.get("codes") or ""),
        email=_email("email", cells.get("email") or ""),
        organisation=_text(cells, "organisation"),
        role=_enum(Role, "role", cells.get("role") or "participant", ROLE_WORDS),
        ticket_type=_text(cells, "ticket_type"),
        days=_days("days", cells.get("days") or ""),
        sessions=frozenset(_list(cells.get("sessions") or "")),
        status=_enum(Status, "status", cells.get("status") or "confirmed", STATUS_WORDS),
        lang=_enum(Lang, "lang", lang) if lang else None,
        valid_from=_when("valid_from", cells.get("valid_from") or "", tz),
        valid_until=_when("valid_until", cells.get("valid_until") or "", tz),
        country=_text(cells, "country"),
        badge_name=_text(cells, "badge_name"),
    )


GENERIC = Format(
    name="generic",
    title="the generic format",
    columns=GENERIC_COLUMNS,
    required=("id",),
    id_columns=("id",),
    code_column="codes",
    source="the system that wrote it",
    signature=lambda names: "id" in names and bool({"first_name", "last_name"} & names),
    rows=lambda records, tz: _each(records, tz, generic_registration),
)

# -- pretix "Order data" export, sheet "Order positions" ----------------------------------------

_PRETIX_NAME_PARTS = {
    "Title": "title",
    "Given name": "given_name",
    "Middle name": "middle_name",
    "Family name": "family_name",
    "Calling name": "calling_name",
    "Full name": "full_name",
}
PRETIX_COLUMNS = (
    "Event slug", "Order code", "Position ID", "Status", "Email", "Product", "Variation", "Attendee name",
    *(f"Attendee name: {label}" for label in _PRETIX_NAME_PARTS),
    "Attendee email", "Company", "Country", "Ticket secret", "Valid from", "Valid until",
    "Blocked", "Order locale", "Invoice address name",
    *(f"Invoice address name: {label}" for label in _PRETIX_NAME_PARTS),
)  # fmt: skip
# pretix's Status column shows the order status by name; the kiosk's own words are accepted too
_PRETIX_ORDER_STATUS = {
    "paid": "p", "pending": "n", "expired": "e", "canceled": "c", "cancelled": "c",
    "confirmed": "p", "unpaid": "n", "blocked": "p",
    "payé": "p", "payée": "p", "en attente": "n", "expiré": "e", "expirée": "e", "annulé": "c",
    "annulée": "c",
}  # fmt: skip
_YES = {"yes", "oui", "true", "1", "ja"}


def _parts(cells: Mapping[str, str], prefix: str) -> dict[str, str]:
    parts = {key: _text(cells, f"{prefix}: {label}") for label, key in _PRETIX_NAME_PARTS.items()}
    parts = {k: v for k, v in parts.items() if v}
    if not parts and _text(cells, prefix):
        parts = {"full_name": _text(cells, prefix)}
    return parts


def _pretix_rows(records: Iterable[Record], tz: ZoneInfo | None) -> Iterator[Outcome]:
    orders: dict[str, list[Record]] = {}
    event = ""
    for record in records:
        # An organizer-level export holds every event's orders (last year's too): only one
        # event's file can be this event's registration list.
        slug = clean(record.cells.get("Event slug") or "")
        event = event or slug
        if slug and slug != event:
            yield (
                record,
                Bad(
                    "Event slug",
                    f"this row is of event {slug!r}, the file's first rows of {event!r}: it holds "
                    "several events' orders. In pretix, export the order data from this event's "
                    "own page, not the organizer's",
                ),
            )
            continue
        orders.setdefault(clean(record.cells.get("Order code") or ""), []).append(record)
    for code, group in orders.items():
        positions: list[tuple[Record, dict[str, Any] | Bad]] = []
        for record in group:
            try:
                positions.append((record, _pretix_position(record.cells, tz)))
            except Bad as bad:
                positions.append((record, bad))
        named = [p for _, p in positions if isinstance(p, dict) and own_name_parts(p)]
        # The CSV export does not say which ticket an add-on belongs to: when the order names
        # one person only, the add-on is theirs (pretix's check-in list would say the same).
        parent = named[0] if len(named) == 1 else None
        by_id = {"parent": parent} if parent else {}
        for record, position in positions:
            if isinstance(position, Bad):
                yield record, position
                continue
            cells = record.cells
            try:
                status = _PRETIX_ORDER_STATUS.get(_required(cells, "Status").lower())
                if status is None:
                    raise Bad(
                        "Status",
                        f"{cells['Status']!r}: expected Paid, Pending, Expired or Canceled",
                    )
                order = OrderFacts(
                    code=code,
                    status=status,
                    locale=_text(cells, "Order locale"),
                    email=_email("Email", cells.get("Email") or ""),
                )
                invoice = {"name_parts": _parts(cells, "Invoice address name")}
                parts = name_parts_with_fallback({**position, "addon_to": "parent"}, by_id, invoice)
                if not parts:
                    raise Bad(
                        "Attendee name",
                        f"no attendee name on this position, and order {code} names no single "
                        "ticket holder and no invoice name: in pretix, ask for the attendee name "
                        "on this product or fill in the order's invoice name, then export again",
                    )
                product, variation = _text(cells, "Product"), _text(cells, "Variation")
                ticket_type = f"{product} – {variation}" if variation else product
                yield record, registration_from_pretix(position, order, ticket_type, parts)
            except Bad as bad:
                yield record, bad


def _pretix_position(cells: Mapping[str, str], tz: ZoneInfo | None) -> dict[str, Any]:
    """A CSV row in the API's position field names, for the one pretix mapping."""
    _required(cells, "Order code")
    valid_from = _when("Valid from", cells.get("Valid from") or "", tz)
    valid_until = _when("Valid until", cells.get("Valid until") or "", tz)
    parts = _parts(cells, "Attendee name")
    return {
        "positionid": _required(cells, "Position ID"),
        "secret": code("Ticket secret", (cells.get("Ticket secret") or "").strip()),
        "attendee_name_parts": parts,
        "attendee_email": _email("Attendee email", cells.get("Attendee email") or ""),
        "company": _text(cells, "Company"),
        "country": _text(cells, "Country"),
        "blocked": clean(cells.get("Blocked") or "").lower() in _YES
        or clean(cells.get("Status") or "").lower() == "blocked",
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_until": valid_until.isoformat() if valid_until else None,
    }


PRETIX = Format(
    name="pretix",
    title="a pretix order positions export",
    columns=PRETIX_COLUMNS,
    required=("Order code", "Position ID", "Status"),
    id_columns=("Order code", "Position ID"),
    code_column="Ticket secret",
    source="pretix (Orders → Export → Order data, sheet Order positions)",
    signature=lambda names: {"Order code", "Position ID"} <= names,
    rows=_pretix_rows,
    first_of_repeats=True,
)

# -- Eventbrite attendee report ---------------------------------------------------------------

EVENTBRITE_COLUMNS = (
    "Attendee #", "Barcode #", "Order #", "First Name", "Last Name", "Surname", "Email",
    "Attendee Status", "Ticket Type", "Company",
)  # fmt: skip
_EVENTBRITE_STATUS = {
    "attending": "confirmed",
    "checked in": "confirmed",
    "not attending": "cancelled",
}


def _eventbrite(cells: Mapping[str, str], tz: ZoneInfo | None) -> Registration:
    attendee = _required(cells, "Attendee #")
    last_col = "Last Name" if cells.get("Last Name") is not None else "Surname"
    first, last = _text(cells, "First Name"), _text(cells, last_col)
    if not (first or last):
        raise Bad("First Name", "no attendee name")
    barcode = code("Barcode #", (cells.get("Barcode #") or "").strip())
    raw_status = clean(cells.get("Attendee Status") or "Attending").lower()
    if raw_status not in _EVENTBRITE_STATUS:
        raise Bad(
            "Attendee Status", f"{raw_status!r}: expected Attending, Checked In or Not Attending"
        )
    ticket_type = _text(cells, "Ticket Type")
    return Registration(
        id=f"eventbrite-{attendee}",
        first_name=first,
        last_name=last,
        codes=(barcode,) if barcode else (),
        email=_email("Email", cells.get("Email") or ""),
        organisation=_text(cells, "Company"),
        role=role_from_product(ticket_type),
        ticket_type=ticket_type,
        days=days_from_product(ticket_type),
        status=Status(_EVENTBRITE_STATUS[raw_status]),
    )


EVENTBRITE = Format(
    name="eventbrite",
    title="an Eventbrite attendee report",
    columns=EVENTBRITE_COLUMNS,
    required=("Attendee #",),
    id_columns=("Attendee #",),
    code_column="Barcode #",
    source="Eventbrite (Reports → Attendee summary → Export as CSV)",
    signature=lambda names: "Attendee #" in names or "Barcode #" in names,
    rows=lambda records, tz: _each(records, tz, _eventbrite),
    fixed_length_codes=True,
)

CSV_FORMATS: dict[str, Format] = {f.name: f for f in (PRETIX, EVENTBRITE, GENERIC)}


def present(fmt: Format, keys: Iterable[str]) -> frozenset[str]:
    """The format's column names among a header's ``column_key``s."""
    have = set(keys)
    return frozenset(c for c in fmt.columns if column_key(c) in have)


def detect(keys: Iterable[str]) -> Format | None:
    """The first format whose signature columns the header has (pretix, Eventbrite, generic)."""
    keys = set(keys)
    return next((f for f in CSV_FORMATS.values() if f.signature(present(f, keys))), None)


# -- JSON: generic lists and pretix's order data ---------------------------------------------------


def pretix_json_orders(data: Any) -> tuple[list[Any], dict[tuple[int, int | None], str]] | None:
    """(orders, ticket types) when ``data`` is pretix's "Order data (JSON)" export
    (``{"event": {"items": …, "orders": …}}``) or an orders API page or list; else None."""
    items: list[Any] = []
    if isinstance(data, dict) and isinstance(data.get("event"), dict) and "orders" in data["event"]:
        orders, items = data["event"].get("orders"), data["event"].get("items") or []
    elif isinstance(data, dict) and isinstance(data.get("results"), list):
        orders = data["results"]
    elif isinstance(data, list):
        orders = data
    else:
        return None
    if not isinstance(orders, list) or not orders:
        return None
    if not all(
        isinstance(o, dict) and "code" in o and isinstance(o.get("positions"), list) for o in orders
    ):
        return None
    types: dict[tuple[int, int | None], str] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            continue
        name = _i18n(item.get("name"))
        types[(item["id"], None)] = name
        for variation in item.get("variations") or []:
            if isinstance(variation, dict) and isinstance(variation.get("id"), int):
                label = _i18n(variation.get("name") or variation.get("value"))
                types[(item["id"], variation["id"])] = f"{name} – {label}" if label else name
    return orders, types


def _i18n(value: Any) -> str:
    if isinstance(value, dict):
        for lang in ("en", "fr"):
            if value.get(lang):
                return str(value[lang])
        return str(next((v for v in value.values() if v), ""))
    return "" if value is None else str(value)


def pretix_json_registrations(
    orders: Sequence[Any], types: Mapping[tuple[int, int | None], str]
) -> Iterator[tuple[str, Registration | Bad]]:
    """(JSON path, registration or problem) for every position of every order."""
    for o, order_data in enumerate(orders):
        status = str(order_data.get("status") or "")
        if status not in {"n", "p", "e", "c"}:
            yield f"orders[{o}].status", Bad("", f"{status!r}: expected n, p, e or c")
            continue
        order = OrderFacts(
            code=str(order_data["code"]),
            status=status,
            valid_if_pending=bool(order_data.get("valid_if_pending")),
            require_approval=bool(order_data.get("require_approval")),
            locale=str(order_data.get("locale") or ""),
            email=str(order_data.get("email") or ""),
        )
        positions = [p for p in order_data["positions"] if isinstance(p, dict)]
        by_id = {p.get("id"): p for p in positions}
        invoice = (
            order_data.get("invoice_address")
            if isinstance(order_data.get("invoice_address"), dict)
            else {}
        )
        for p, position in enumerate(positions):
            where = f"orders[{o}].positions[{p}]"
            if "positionid" not in position or not isinstance(position.get("item"), int):
                yield where, Bad("", "a position needs positionid and item")
                continue
            parts = name_parts_with_fallback(position, by_id, invoice or {})
            if not parts:
                yield (
                    where,
                    Bad(
                        "attendee_name",
                        f"no attendee name, no named parent ticket and no invoice name in order {order.code}",
                    ),
                )
                continue
            variation = position.get("variation")
            ticket_type = types.get(
                (position["item"], variation), types.get((position["item"], None), "")
            )
            yield where, registration_from_pretix(position, order, ticket_type, parts)
