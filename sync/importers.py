"""Registration lists from CSV and JSON files: pretix, Eventbrite and our generic format.

Parsing is all-or-nothing: every row is checked before anything is written, and a bad
row is reported with its file, line and column. The event definition (days, sessions)
is a small JSON file read by ``load_event``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core.model import Event, EventDay, Lang, Registration, Role, Session, Status

FORMATS = ("auto", "generic", "pretix", "eventbrite")
MAX_REPORTED = 20


@dataclass(frozen=True)
class RowProblem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f", column {self.column!r}" if self.column else ""
        return f"{where}{col}: {self.message}"


@dataclass
class RegistrationImportError(Exception):
    """The file cannot be imported; nothing was written. Lists the problems found."""

    problems: list[RowProblem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = "\n".join(f"  {p}" for p in self.problems[:MAX_REPORTED])
        more = len(self.problems) - MAX_REPORTED
        tail = f"\n  … and {more} more" if more > 0 else ""
        return (
            f"import refused, nothing was written ({len(self.problems)} problem(s)):\n{shown}{tail}"
        )


class _Bad(Exception):
    """One bad cell: raised by field parsers, turned into a RowProblem with file/line/column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# -- field parsers --------------------------------------------------------------------------


def _enum(enum: Any, column: str, raw: str, aliases: dict[str, str] | None = None) -> Any:
    value = (aliases or {}).get(raw.strip().lower(), raw.strip().lower())
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(e.value for e in enum)
        raise _Bad(column, f"{raw!r} is not one of: {choices}") from None


_ROLE_ALIASES = {
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
_STATUS_ALIASES = {
    "paid": "confirmed",
    "canceled": "cancelled",
    "pending": "unpaid",
    "expired": "cancelled",
}


def _days(column: str, raw: str) -> frozenset[int]:
    parts = [p for p in re.split(r"[;,| ]+", raw.strip()) if p]
    try:
        days = frozenset(int(p) for p in parts)
    except ValueError:
        raise _Bad(column, f"{raw!r}: expected day numbers like '1;2'") from None
    if any(not 1 <= d <= 8 for d in days):
        raise _Bad(column, f"{raw!r}: day numbers go from 1 to 8")
    return days


def _list(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;|]", raw) if p.strip())


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
                raise _Bad(
                    column, f"{raw!r} has no time zone: write it like 2026-12-08T09:00+01:00"
                )
            value = value.replace(tzinfo=tz)
        return value
    raise _Bad(
        column, f"{raw!r} is not a date and time (expected ISO 8601, e.g. 2026-12-08T09:00+01:00)"
    )


def _email(column: str, raw: str) -> str:
    raw = raw.strip()
    if raw and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", raw):
        raise _Bad(column, f"{raw!r} is not an e-mail address")
    return raw


def _required(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise _Bad(column, "is empty; this column is required")
    return value


# -- row mappings ----------------------------------------------------------------------------

RowMapper = Callable[[dict[str, str], ZoneInfo | None], Registration]

GENERIC_COLUMNS = (
    "id", "first_name", "last_name", "email", "organisation", "role", "ticket_type", "days",
    "sessions", "status", "lang", "codes", "valid_from", "valid_until", "country", "badge_name",
)  # fmt: skip


def _generic(row: dict[str, str], tz: ZoneInfo | None) -> Registration:
    first, last = (row.get("first_name") or "").strip(), (row.get("last_name") or "").strip()
    if not (first or last):
        raise _Bad("first_name", "a registration needs a first or last name")
    lang = (row.get("lang") or "").strip()
    return Registration(
        id=_required(row, "id"),
        first_name=first,
        last_name=last,
        codes=_list(row.get("codes") or ""),
        email=_email("email", row.get("email") or ""),
        organisation=(row.get("organisation") or "").strip(),
        role=_enum(Role, "role", row.get("role") or "participant", _ROLE_ALIASES),
        ticket_type=(row.get("ticket_type") or "").strip(),
        days=_days("days", row.get("days") or ""),
        sessions=frozenset(_list(row.get("sessions") or "")),
        status=_enum(Status, "status", row.get("status") or "confirmed", _STATUS_ALIASES),
        lang=_enum(Lang, "lang", lang) if lang else None,
        valid_from=_when("valid_from", row.get("valid_from") or "", tz),
        valid_until=_when("valid_until", row.get("valid_until") or "", tz),
        country=(row.get("country") or "").strip(),
        badge_name=(row.get("badge_name") or "").strip(),
    )


def role_from_product(product: str) -> Role:
    """'Speaker pass' -> speaker, 'Presse' -> press; whole words only ('Express' is no press)."""
    words = set(re.findall(r"\w+", product.lower()))
    for word, role in {**_ROLE_ALIASES, **{r.value: r.value for r in Role}}.items():
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


def _pretix(row: dict[str, str], tz: ZoneInfo | None) -> Registration:
    order, position = _required(row, "Order code"), _required(row, "Position ID")
    given = (row.get("Attendee name: Given name") or "").strip()
    family = (row.get("Attendee name: Family name") or "").strip()
    if not (given or family):
        given = (row.get("Attendee name") or "").strip()  # full name: never split it
    if not (given or family):
        raise _Bad("Attendee name", "no attendee name on this position")
    status = _enum(Status, "Status", _required(row, "Status"), _STATUS_ALIASES)
    if (row.get("Blocked") or "").strip().lower() in {"yes", "oui", "true", "1"}:
        status = Status.BLOCKED
    product = (row.get("Product") or "").strip()
    variation = (row.get("Variation") or "").strip()
    ticket_type = f"{product} – {variation}" if variation else product
    secret = (row.get("Ticket secret") or "").strip()
    return Registration(
        id=f"pretix-{order}-{position}",
        first_name=given,
        last_name=family,
        codes=(secret,) if secret else (),
        email=_email("Attendee email", row.get("Attendee email") or "")
        or _email("Email", row.get("Email") or ""),
        organisation=(row.get("Company") or "").strip(),
        role=role_from_product(ticket_type),
        ticket_type=ticket_type,
        days=days_from_product(ticket_type),
        status=status,
        valid_from=_when("Valid from", row.get("Valid from") or "", tz),
        valid_until=_when("Valid until", row.get("Valid until") or "", tz),
        country=(row.get("Country") or "").strip(),
    )


_EVENTBRITE_STATUS = {
    "attending": "confirmed",
    "checked in": "confirmed",
    "not attending": "cancelled",
}


def _eventbrite(row: dict[str, str], tz: ZoneInfo | None) -> Registration:
    attendee = _required(row, "Attendee #")
    last_col = "Last Name" if "Last Name" in row else "Surname"
    first, last = (row.get("First Name") or "").strip(), (row.get(last_col) or "").strip()
    if not (first or last):
        raise _Bad("First Name", "no attendee name")
    barcode = (row.get("Barcode #") or "").strip()
    raw_status = (row.get("Attendee Status") or "Attending").strip().lower()
    if raw_status not in _EVENTBRITE_STATUS:
        raise _Bad(
            "Attendee Status", f"{raw_status!r}: expected Attending, Checked In or Not Attending"
        )
    ticket_type = (row.get("Ticket Type") or "").strip()
    return Registration(
        id=f"eventbrite-{attendee}",
        first_name=first,
        last_name=last,
        codes=(barcode,) if barcode else (),
        email=_email("Email", row.get("Email") or ""),
        organisation=(row.get("Company") or "").strip(),
        role=role_from_product(ticket_type),
        ticket_type=ticket_type,
        days=days_from_product(ticket_type),
        status=Status(_EVENTBRITE_STATUS[raw_status]),
    )


_MAPPERS: dict[str, RowMapper] = {"generic": _generic, "pretix": _pretix, "eventbrite": _eventbrite}
_REQUIRED = {
    "generic": ("id",),
    "pretix": ("Order code", "Position ID", "Status"),
    "eventbrite": ("Attendee #",),
}


def detect_format(headers: list[str]) -> str | None:
    names = set(headers)
    if {"Order code", "Position ID"} <= names:
        return "pretix"
    if "Attendee #" in names or "Barcode #" in names:
        return "eventbrite"
    if "id" in names and ({"first_name", "last_name"} & names):
        return "generic"
    return None


# -- files -----------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RegistrationImportError([RowProblem(str(path), 0, "", "file not found")]) from None
    except OSError as exc:
        raise RegistrationImportError(
            [RowProblem(str(path), 0, "", exc.strerror or str(exc))]
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RegistrationImportError(
            [RowProblem(str(path), line, "", "not UTF-8 text (save the file as UTF-8 CSV)")]
        ) from None


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise RegistrationImportError([RowProblem(str(path), 1, "", "the file is empty")]) from None
    yield 1, {"__headers__": "\x1f".join(headers)}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(headers):
            raise _RowShape(line, len(cells), len(headers))
        row: dict[str, str] = {}
        for h, c in zip(headers, cells, strict=True):
            row.setdefault(h, c)  # pretix repeats "Company": the first is the attendee's
        yield line, row


class _RowShape(Exception):
    def __init__(self, line: int, got: int, expected: int) -> None:
        self.line, self.got, self.expected = line, got, expected


def load_registrations(
    path: Path | str, fmt: str = "auto", timezone: str | None = None
) -> list[Registration]:
    """Parse a whole registration file; raise RegistrationImportError listing bad rows."""
    path = Path(path)
    tz = _zone(timezone)
    text = _read_text(path)
    if path.suffix.lower() == ".json":
        return _from_json(path, text, tz)
    problems: list[RowProblem] = []
    registrations: list[Registration] = []
    seen: dict[str, int] = {}
    code_lines: dict[str, int] = {}
    mapper: RowMapper | None = None
    try:
        for line, row in _csv_rows(path, text):
            if "__headers__" in row:
                headers = row["__headers__"].split("\x1f")
                chosen = detect_format(headers) if fmt == "auto" else fmt
                if chosen not in _MAPPERS:
                    raise RegistrationImportError([RowProblem(
                        str(path), 1, "",
                        "unknown column layout: expected the generic format (id, first_name, "
                        "last_name, …), a pretix order positions export or an Eventbrite "
                        f"attendee report; found columns {', '.join(headers[:8])}",
                    )])  # fmt: skip
                missing = [c for c in _REQUIRED[chosen] if c not in headers]
                if missing:
                    raise RegistrationImportError(
                        [
                            RowProblem(str(path), 1, c, f"missing column for the {chosen} format")
                            for c in missing
                        ]
                    )
                mapper = _MAPPERS[chosen]
                continue
            assert mapper is not None
            try:
                reg = mapper(row, tz)
            except _Bad as bad:
                problems.append(RowProblem(str(path), line, bad.column, bad.message))
                continue
            if reg.id in seen:
                problems.append(
                    RowProblem(
                        str(path),
                        line,
                        "id",
                        f"duplicate id {reg.id!r} (first on line {seen[reg.id]})",
                    )
                )
                continue
            clash = next((c for c in reg.codes if c in code_lines), None)
            if clash is not None:
                problems.append(
                    RowProblem(
                        str(path),
                        line,
                        "codes",
                        f"code {clash[:24]!r} is also on line {code_lines[clash]}: at the door "
                        "it would match two registrations",
                    )
                )
                continue
            seen[reg.id] = line
            code_lines.update(dict.fromkeys(reg.codes, line))
            registrations.append(reg)
    except _RowShape as shape:
        problems.append(
            RowProblem(
                str(path),
                shape.line,
                "",
                f"{shape.got} cells where the header has {shape.expected}",
            )
        )
    except csv.Error as exc:
        problems.append(RowProblem(str(path), 0, "", f"broken CSV: {exc}"))
    if problems:
        raise RegistrationImportError(problems)
    return registrations


def load_files(
    paths: Iterable[Path | str], fmt: str = "auto", timezone: str | None = None
) -> list[tuple[Path, list[Registration]]]:
    """Parse every file before anything is written: one bad file refuses them all."""
    return [(Path(p), load_registrations(p, fmt, timezone)) for p in paths]


def _from_json(path: Path, text: str, tz: ZoneInfo | None) -> list[Registration]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistrationImportError(
            [RowProblem(str(path), exc.lineno, "", f"not valid JSON: {exc.msg}")]
        ) from None
    items = data.get("registrations") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise RegistrationImportError(
            [
                RowProblem(
                    str(path),
                    1,
                    "",
                    'expected a list of registrations (or {"registrations": [...]})',
                )
            ]
        )
    problems: list[RowProblem] = []
    registrations: list[Registration] = []
    seen: set[str] = set()
    code_owner: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"registrations[{index}]"
        if not isinstance(item, dict):
            problems.append(RowProblem(str(path), 0, where, "expected an object"))
            continue
        row = {k: _cell(v) for k, v in item.items()}
        unknown = sorted(set(row) - set(GENERIC_COLUMNS))
        if unknown:
            problems.append(RowProblem(str(path), 0, f"{where}.{unknown[0]}", "unknown field"))
            continue
        try:
            reg = _generic(row, tz)
        except _Bad as bad:
            problems.append(RowProblem(str(path), 0, f"{where}.{bad.column}", bad.message))
            continue
        if reg.id in seen:
            problems.append(RowProblem(str(path), 0, f"{where}.id", f"duplicate id {reg.id!r}"))
            continue
        clash = next((c for c in reg.codes if c in code_owner), None)
        if clash is not None:
            message = f"code {clash[:24]!r} is also on {code_owner[clash]}"
            problems.append(RowProblem(str(path), 0, f"{where}.codes", message))
            continue
        seen.add(reg.id)
        code_owner.update(dict.fromkeys(reg.codes, where))
        registrations.append(reg)
    if problems:
        raise RegistrationImportError(problems)
    return registrations


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RegistrationImportError(
            [RowProblem("", 0, "", f"unknown time zone {name!r}")]
        ) from None


# -- event definition ------------------------------------------------------------------------


class EventFileError(ValueError):
    """The event definition file is unusable; the message names the file and key."""


def load_event(path: Path | str) -> tuple[Event, list[Session]]:
    """Read the event definition: slug, name, time zone, days and sessions."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EventFileError(f"{path}: event definition not found") from None
    except json.JSONDecodeError as exc:
        raise EventFileError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None

    def need(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
        if key not in obj:
            raise EventFileError(f"{path}: {where}{key} is missing")
        if not isinstance(obj[key], kind) or (isinstance(obj[key], bool) and kind is int):
            raise EventFileError(f"{path}: {where}{key} must be a {kind.__name__}")
        return obj[key]

    if not isinstance(data, dict):
        raise EventFileError(f"{path}: expected a JSON object")
    tz_name = need(data, "timezone", str, "")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise EventFileError(f"{path}: timezone {tz_name!r} is not a known time zone") from None
    days: list[EventDay] = []
    for i, d in enumerate(need(data, "days", list, "")):
        where = f"days[{i}]."
        try:
            days.append(
                EventDay(
                    need(d, "number", int, where), date.fromisoformat(need(d, "date", str, where))
                )
            )
        except ValueError:
            raise EventFileError(f"{path}: {where}date must be YYYY-MM-DD") from None
    if not days:
        raise EventFileError(f"{path}: days is empty")
    by_number = {d.number: d.date for d in days}
    event = Event(need(data, "slug", str, ""), need(data, "name", str, ""), tuple(days), tz_name)
    sessions: list[Session] = []
    for i, s in enumerate(data.get("sessions", [])):
        where = f"sessions[{i}]."
        day = need(s, "day", int, where)
        if day not in by_number:
            raise EventFileError(f"{path}: {where}day {day} is not one of the event's days")
        try:
            start = datetime.combine(
                by_number[day], time.fromisoformat(need(s, "start", str, where)), tz
            )
            end = datetime.combine(
                by_number[day], time.fromisoformat(need(s, "end", str, where)), tz
            )
        except ValueError:
            raise EventFileError(f"{path}: {where}start/end must be HH:MM") from None
        if end <= start:
            raise EventFileError(f"{path}: {where}end must be after start")
        capacity = s.get("capacity", 0)
        if not isinstance(capacity, int) or capacity < 0:
            raise EventFileError(f"{path}: {where}capacity must be a whole number ≥ 0")
        sessions.append(Session(need(s, "id", str, where), need(s, "title", str, where),
                                s.get("room", ""), day, start, end, capacity))  # fmt: skip
    return event, sessions
