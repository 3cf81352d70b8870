"""Registration lists from CSV and JSON files: pretix, Eventbrite and our generic format.

Parsing is all-or-nothing: every row is checked before anything is written, and each
problem names the file, the line, the column as the file spells it and what to do next.
``read_files`` returns what was found (for ``--dry-run``); ``load_files`` raises
``RegistrationImportError`` when any file has a problem. The formats are in
``formats.py`` (one registry), bytes-to-records in ``reading.py``, the event definition
in ``event.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core.model import Registration
from kiosk.errors import InputFileError
from sync.importers.event import EventFileError, load_event
from sync.importers.formats import (
    CSV_FORMATS,
    GENERIC_COLUMNS,
    Bad,
    Format,
    Outcome,
    detect,
    generic_registration,
    present,
    pretix_json_orders,
    pretix_json_registrations,
)
from sync.importers.reading import ReadError, Record, column_key, decode, read_table
from sync.pretix_mapping import days_from_product, role_from_product

__all__ = [
    "FORMATS",
    "GENERIC_COLUMNS",
    "EventFileError",
    "FileResult",
    "RegistrationImportError",
    "RowProblem",
    "days_from_product",
    "load_event",
    "load_files",
    "load_registrations",
    "read_files",
    "read_registrations",
    "role_from_product",
]

FORMATS = ("auto", "generic", "pretix", "eventbrite")
MAX_REPORTED = 20
_KNOWN = frozenset(column_key(c) for f in CSV_FORMATS.values() for c in f.columns)
# What spreadsheets make of a long number: 9.12346E+20 (or 9,12346E+20 in French), 1234.0
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_DECIMAL = re.compile(r"^\d+[.,]0+$")
_NUMBER_START = frozenset("+-0123456789")
# ="00123": how exporters keep Excel from dropping a code's leading zeros; the file then
# holds the formula, not the code
_TEXT_FORMULA = re.compile(r'^="(.*)"$')


@dataclass(frozen=True)
class RowProblem:
    file: str
    line: int  # 0: the file as a whole, or a JSON file (``column`` is then the JSON path)
    column: str  # as the file spells it
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f", column {self.column!r}" if self.column else ""
        return f"{where}{col}: {self.message}"


@dataclass
class RegistrationImportError(InputFileError):
    """The file cannot be imported; nothing was written. Lists the problems found."""

    problems: list[RowProblem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = "\n".join(f"  {p}" for p in self.problems[:MAX_REPORTED])
        more = len(self.problems) - MAX_REPORTED
        tail = f"\n  … and {more} more" if more > 0 else ""
        return (
            f"import refused, nothing was written ({len(self.problems)} problem(s)):\n{shown}{tail}"
        )


class Origin(NamedTuple):
    """Where a registration came from in its file, to name it in later refusals."""

    line: int
    code_column: str  # as the file spells it, or the JSON path of the codes


@dataclass
class FileResult:
    """One file read: its valid registrations, where each came from, and its problems."""

    path: Path
    format: str
    encoding: str
    registrations: list[Registration] = field(default_factory=list)
    origins: dict[str, Origin] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    refused_rows: int = 0
    id_column: str = "id"  # as the file spells it (CSV), to name it in later refusals

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(str(self.path), line, column, message))


def read_registrations(
    path: Path | str, fmt: str = "auto", timezone: str | None = None, encoding: str | None = None
) -> FileResult:
    """Read one file (CSV, or JSON when it ends in .json); never raises for its content."""
    path = Path(path)
    result = FileResult(path, fmt, encoding or "")
    try:
        tz = _zone(timezone)
    except ValueError as exc:
        result.problem(0, "", str(exc))
        return result
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        result.problem(0, "", "file not found")
        return result
    except OSError as exc:
        result.problem(0, "", exc.strerror or str(exc))
        return result
    try:
        text, result.encoding = decode(data, encoding)
    except ReadError as err:
        result.problem(err.line, "", err.message)
        return result
    if path.suffix.lower() == ".json":
        _read_json(result, text, fmt, tz)
    else:
        _read_csv(result, text, fmt, tz)
    return result


def read_files(
    paths: Iterable[Path | str],
    fmt: str = "auto",
    timezone: str | None = None,
    encoding: str | None = None,
) -> list[FileResult]:
    """Read every file; duplicate codes across the files are problems too."""
    results = [read_registrations(p, fmt, timezone, encoding) for p in paths]
    owner: dict[str, tuple[FileResult, str]] = {}
    holder: dict[str, tuple[FileResult, Registration]] = {}  # id -> where it is first
    for result in results:
        for reg in list(result.registrations):
            first_file, first = holder.setdefault(reg.id, (result, reg))
            if first_file is not result and first != reg:
                result.problem(
                    result.origins[reg.id].line,
                    result.id_column,
                    f"id {reg.id!r} is also on {first_file.path}:"
                    f"{first_file.origins[reg.id].line}, with other details: one would silently "
                    "replace the other. Remove one of the two rows, or import the files one by "
                    "one if this file is meant to update the other",
                )
                result.registrations.remove(reg)
                result.refused_rows += 1
                continue
            clash = next((c for c in reg.codes if c in owner and owner[c][1] != reg.id), None)
            if clash is None:
                owner.update(dict.fromkeys(reg.codes, (result, reg.id)))
                continue
            other, other_id = owner[clash]
            where = result.origins[reg.id]
            first = other.origins[other_id]
            result.problem(
                where.line,
                where.code_column,
                f"code {_short(clash)} is also on {other.path}:{first.line} ({other_id!r}): at "
                "the door it would match two registrations; correct one of the two files",
            )
            result.registrations.remove(reg)
            result.refused_rows += 1
    return results


def load_registrations(
    path: Path | str, fmt: str = "auto", timezone: str | None = None, encoding: str | None = None
) -> list[Registration]:
    """Parse a whole registration file; raise RegistrationImportError listing bad rows."""
    result = read_registrations(path, fmt, timezone, encoding)
    if result.problems:
        raise RegistrationImportError(result.problems)
    return result.registrations


def load_files(
    paths: Iterable[Path | str],
    fmt: str = "auto",
    timezone: str | None = None,
    encoding: str | None = None,
) -> list[tuple[Path, list[Registration]]]:
    """Parse every file before anything is written: one bad file refuses them all."""
    results = read_files(paths, fmt, timezone, encoding)
    problems = [p for r in results for p in r.problems]
    if problems:
        raise RegistrationImportError(problems)
    return [(r.path, r.registrations) for r in results]


# -- CSV ---------------------------------------------------------------------------------------


def _read_csv(result: FileResult, text: str, fmt: str, tz: ZoneInfo | None) -> None:
    try:
        table = read_table(text, _KNOWN.__contains__)
    except ReadError as err:
        result.problem(err.line, "", err.message)
        return
    chosen = detect(table.spelled) if fmt == "auto" else CSV_FORMATS.get(fmt)
    if chosen is None:
        shown = ", ".join(repr(h) for h in table.headers[:8])
        result.problem(
            table.header_line,
            "",
            "unknown column layout: expected the generic format (id, first_name, last_name, …), "
            "a pretix order positions export (Order code, Position ID, …) or an Eventbrite "
            f"attendee report (Attendee #, Barcode #, …); found columns {shown}. (pretix "
            "writes the column names in your account's language: export it with English set)",
        )
        return
    result.format = chosen.name
    names = present(chosen, table.spelled)
    missing = [c for c in chosen.required if c not in names]
    if missing:
        for column in missing:
            result.problem(table.header_line, column, f"missing: {chosen.title} needs this column")
        return
    spelled = {c: table.spelled[column_key(c)] for c in names}.get
    result.id_column = ", ".join(spelled(c, c) for c in chosen.id_columns)
    if not chosen.first_of_repeats:
        twice = [c for c in chosen.columns if c in names and column_key(c) in table.repeated]
        for column in twice:
            where = " and ".join(str(n) for n in table.repeated[column_key(column)])
            result.problem(
                table.header_line,
                spelled(column, column),
                f"this column appears more than once in the header (columns {where}): "
                "which one holds the data is unclear; keep one of them and import again",
            )
        if twice:
            return
    try:
        _take_rows(result, chosen, chosen.rows(table.records(chosen.columns), tz), spelled)
    except ReadError as err:
        result.problem(err.line, "", err.message)
        return
    if chosen.fixed_length_codes:
        _shortened_codes(result, chosen, spelled(chosen.code_column, chosen.code_column))


def _take_rows(
    result: FileResult,
    chosen: Format,
    outcomes: Iterable[Outcome],
    spelled: Callable[[str, str], str],
) -> None:
    """Keep the good rows, name the bad ones; duplicates inside the file are bad too."""
    seen: dict[str, int] = {}
    code_lines: dict[str, int] = {}
    code_column = spelled(chosen.code_column, chosen.code_column)
    for record, outcome in outcomes:
        if isinstance(outcome, Bad):
            result.problem(record.line, spelled(outcome.column, outcome.column), outcome.message)
            result.refused_rows += 1
            continue
        mangled = _spreadsheet_damage(chosen, record)
        if mangled is not None:
            column, message = mangled
            result.problem(record.line, spelled(column, column), message)
            result.refused_rows += 1
            continue
        reg = outcome
        if reg.id in seen:
            result.problem(
                record.line,
                ", ".join(spelled(c, c) for c in chosen.id_columns),
                f"duplicate id {reg.id!r} (first on line {seen[reg.id]}): remove one of the two rows",
            )
            result.refused_rows += 1
            continue
        clash = next((c for c in reg.codes if c in code_lines), None)
        if clash is not None:
            result.problem(
                record.line,
                code_column,
                f"code {_short(clash)} is also on line {code_lines[clash]}: at the door it would "
                "match two registrations; correct one of the two rows",
            )
            result.refused_rows += 1
            continue
        seen[reg.id] = record.line
        code_lines.update(dict.fromkeys(reg.codes, record.line))
        result.registrations.append(reg)
        result.origins[reg.id] = Origin(record.line, code_column)


def _spreadsheet_damage(fmt: Format, record: Record) -> tuple[str, str] | None:
    """(column, message) when a code or id cell holds what a spreadsheet makes of a number."""
    for column in (fmt.code_column, *fmt.id_columns):
        cell = (record.cells.get(column) or "").strip()
        formula = _TEXT_FORMULA.match(cell)
        if formula:
            return column, (
                f"{cell!r} is a spreadsheet formula that shows {formula.group(1)!r}, not the "
                f'code itself. Write the code without ="…" (format the column as Text in '
                "Excel to keep its leading zeros) and import again"
            )
        if not cell or cell[0] not in _NUMBER_START:
            continue  # most codes (signed tickets, pretix secrets) are no number at all
        for value in re.split(r"[;|]", cell):
            value = value.strip()
            if _SCIENTIFIC.match(value):
                what = "a long number in scientific notation: its digits are lost"
            elif _DECIMAL.match(value):
                what = "a number with a decimal part added"
            else:
                continue
            return column, (
                f"{value!r} is {what}, as Excel writes a barcode it took for a number. Export "
                f"the file again from {fmt.source} and import it without opening it in Excel "
                "(or, in Excel, import this column as Text)"
            )
    return None


def _shortened_codes(result: FileResult, fmt: Format, column: str) -> None:
    """Barcodes of one fixed length where some came out shorter: leading zeros dropped."""
    digits = [reg for reg in result.registrations if reg.codes and reg.codes[0].isdigit()]
    if not digits:
        return
    longest = max(len(reg.codes[0]) for reg in digits)
    for reg in digits:
        if len(reg.codes[0]) < longest:
            result.problem(
                result.origins[reg.id].line,
                column,
                f"{reg.codes[0]!r} has {len(reg.codes[0])} digits where the file's other barcodes "
                f"have {longest}: a spreadsheet dropped its leading zeros. Export the file again "
                f"from {fmt.source} and import it without opening it in Excel",
            )
            result.registrations.remove(reg)
            del result.origins[reg.id]
            result.refused_rows += 1
    result.problems.sort(key=lambda p: p.line)


# -- JSON --------------------------------------------------------------------------------------


def _read_json(result: FileResult, text: str, fmt: str, tz: ZoneInfo | None) -> None:
    try:
        data = json.loads(text, object_pairs_hook=_one_value_per_key)
    except json.JSONDecodeError as exc:
        result.problem(exc.lineno, "", f"not valid JSON: {exc.msg}")
        return
    except _RepeatedKey as exc:
        result.problem(
            0,
            exc.key,
            "this field appears twice in one object: JSON readers keep either one, so which "
            "holds the data is unclear; keep one of them",
        )
        return
    except RecursionError:
        result.problem(
            0, "", "JSON nested too deeply to be a registration list (is this the right file?)"
        )
        return
    pretix = pretix_json_orders(data) if fmt in ("auto", "pretix") else None
    if pretix is not None:
        result.format = "pretix"
        orders, types = pretix
        outcomes = list(pretix_json_registrations(orders, types))
        _collect_json(result, outcomes, "secret")
        return
    if fmt not in ("auto", "generic"):
        result.problem(
            0,
            "",
            f"--format {fmt} reads CSV; a JSON file is the generic format or pretix's order data",
        )
        return
    result.format = "generic"
    items = data.get("registrations") if isinstance(data, dict) else data
    if not isinstance(items, list):
        result.problem(
            1,
            "",
            'expected a list of registrations (or {"registrations": [...]}), or pretix\'s order data export',
        )
        return
    generic: list[tuple[str, Registration | Bad]] = []
    for index, item in enumerate(items):
        where = f"registrations[{index}]"
        if not isinstance(item, dict):
            generic.append((where, Bad("", "expected an object")))
            continue
        try:
            generic.append((where, generic_registration(_json_cells(item), tz)))
        except Bad as bad:
            generic.append((where, bad))
    _collect_json(result, generic, "codes")


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _RepeatedKey(key)
        data[key] = value
    return data


def _json_cells(item: Mapping[str, Any]) -> dict[str, str]:
    unknown = sorted(set(item) - set(GENERIC_COLUMNS))
    if unknown:
        raise Bad(unknown[0], f"unknown field (the fields are: {', '.join(GENERIC_COLUMNS)})")
    cells: dict[str, str] = {}
    for key, value in item.items():
        if isinstance(value, list) and all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        ):
            cells[key] = ";".join(str(v) for v in value)
        elif value is None:
            cells[key] = ""
        elif isinstance(value, float) and key in ("id", "codes"):
            raise Bad(
                key,
                f"{value!r} is a number with a fraction or an exponent: its digits may be "
                'lost. Write ids and codes as text, in quotes ("00123")',
            )
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            cells[key] = str(value)
        else:
            raise Bad(key, "expected text, a number or a list of them")
    return cells


def _collect_json(
    result: FileResult, outcomes: Sequence[tuple[str, Registration | Bad]], code_field: str
) -> None:
    seen: dict[str, str] = {}
    code_owner: dict[str, str] = {}
    for where, outcome in outcomes:
        if isinstance(outcome, Bad):
            column = f"{where}.{outcome.column}" if outcome.column else where
            result.problem(0, column, outcome.message)
            result.refused_rows += 1
            continue
        reg = outcome
        if reg.id in seen:
            result.problem(0, where, f"duplicate id {reg.id!r} (first at {seen[reg.id]})")
            result.refused_rows += 1
            continue
        clash = next((c for c in reg.codes if c in code_owner), None)
        if clash is not None:
            result.problem(
                0,
                f"{where}.{code_field}",
                f"code {_short(clash)} is also on {code_owner[clash]}: at the door it would "
                "match two registrations",
            )
            result.refused_rows += 1
            continue
        seen[reg.id] = where
        code_owner.update(dict.fromkeys(reg.codes, where))
        result.registrations.append(reg)
        result.origins[reg.id] = Origin(0, f"{where}.{code_field}")


def _short(code: str) -> str:
    return repr(code if len(code) <= 24 else code[:21] + "…")


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
