"""From a file's bytes to records: encoding, Excel's ``sep=`` line, delimiter, line numbers.

What real tools write, and what is done with it:

- UTF-8 with or without a BOM (pretix, Eventbrite, Excel's "CSV UTF-8"); UTF-16 with a BOM
  (Excel's "Unicode text", tab separated). Windows-1252 (Excel's plain "CSV" on a French
  Windows) is recognised only when the text reads as Latin-script words; anything else that
  is not UTF-8 is refused with the line of the first undecodable byte, and ``--encoding``
  names the file's encoding (cp1256 for an Arabic Windows, cp1252…). Never mojibake.
- Excel's first line ``sep=;`` names the delimiter; it is honoured and skipped.
- Otherwise the delimiter is the one that splits the header line into known column names
  (comma, semicolon, tab or bar): content is never sniffed, so quotes and long notes in
  the rows cannot fool it. The quote character is ``"``, as RFC 4180 and Excel write it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ftfy

from kiosk.core.normalize import clean
from kiosk.errors import InputFileError

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
_SEP_LINE = re.compile(r'^"?sep=(.)"?[,;\t|]*$')
# The first line and the rest: Numbers and old Mac tools end lines with a lone CR
_FIRST_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")
# What a UTF-8 letter looks like read as Windows-1252 or Latin-1: a lead byte (Ã, Ø, Ù, â…)
# then a continuation byte (0x80-0xBF: ©, ¨, …, or Windows-1252's € ‚ ƒ … ™ in 0x80-0x9F).
# A quick filter over the whole file; ftfy confirms each hit.
_GARBLED_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)
# Mac Roman read as Windows-1252: é é ë à ô É become Ž ‘ ˆ ™ ƒ inside words ("CŽcile",
# "No‘l"), where French or English Windows text has none of them (’ and œ are left alone:
# L’Oréal and Bœuf are Windows-1252 words).
_MAC_ROMAN_SIGN = re.compile(
    r"[ƒˆ‰‹›˜™†‡•„](?=[^\W\d_])|(?<=[^\W\d_])[ƒˆ‰‹›˜™†‡•„]"
    r"|(?<=[^\W\d_])[‘“”](?=[^\W\d_])|(?<=[^\W\d_])[ŠŒŽŸ](?=[^\W\d_A-Z])"
)
# Three non-ASCII letters in a row: Arabic (or another script) read through the wrong code page.
_FOREIGN_RUN = re.compile(r"[^\W\d_a-zA-Z]{3,}")


class ReadError(InputFileError):
    """The file cannot be read as text or as a table: line 0 means the whole file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def column_key(name: str) -> str:
    """How header names are compared: invisible characters, case, spacing and underscores
    ignored, so a spreadsheet's ``First Name`` is our ``first_name``."""
    return " ".join(clean(name).casefold().replace("_", " ").split())


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Raises ReadError naming the line of the first bad byte."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # ZIP (xlsx, ods), OLE (xls)
        raise ReadError(
            0,
            "this is a spreadsheet workbook (xlsx, ods or xls), not a CSV file: open it and "
            "save the registrations' sheet as \"CSV UTF-8\" (pretix's order data: sheet "
            '"Order positions"), or export as CSV from the platform',
        )
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ReadError(
                0, f"unknown encoding {encoding!r} (try utf-8, cp1252, cp1256, utf-16)"
            ) from None
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        elif data.startswith(codecs.BOM_UTF8) and codec != "utf-8-sig":
            raise ReadError(
                1,
                f"the file starts with a UTF-8 BOM, so it is UTF-8, not {encoding}: import it without --encoding",
            )
        text = _strict(data, codec, f"not {encoding} text")
        _refuse_garbled(text, encoding)
        return text, codec
    text, codec = _detect(data)
    _refuse_garbled(text, None)
    return text, codec


def _detect(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig", "not UTF-8 text after its UTF-8 BOM"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", "not UTF-16 text after its UTF-16 BOM"), "utf-16"
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] and data[2]:
        return _strict(data, "utf-16-le", "not UTF-16 text"), "utf-16-le"
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] and data[3]:
        return _strict(data, "utf-16-be", "not UTF-16 text"), "utf-16-be"
    try:
        return _strict(data, "utf-8", "not UTF-8 text"), "utf-8"
    except ReadError as err:
        if "NUL" in err.message:
            raise
        line = err.line
    # Mostly UTF-8, with a few bytes that are not: rows pasted from a file in another
    # encoding (a single-byte code page's bytes rarely form valid UTF-8 by chance)
    mostly = data.decode("utf-8", "replace")
    bad = mostly.count("\ufffd")
    valid = sum(1 for c in mostly if c > "\x7f") - bad
    if valid and valid >= bad:
        raise ReadError(
            line,
            "the file is UTF-8 but for this line, which holds text in another encoding (rows "
            'pasted from another file?): correct this line, or save the whole file as "CSV '
            'UTF-8" from the spreadsheet where it looks right',
        )
    try:
        text = _strict(data, "cp1252", "not Windows-1252 text")
    except ReadError as err:
        if "NUL" in err.message:
            raise
        text = ""
    mac = _MAC_ROMAN_SIGN.search(text) if text else None
    if mac:
        raise ReadError(
            _line_at(text, mac.start()),
            'this looks like Excel\'s plain "CSV" from a Mac (Mac Roman: '
            f"{_word_at(text, mac.start(), mac.end())!r} read as Windows-1252): "
            'save it again as "CSV UTF-8", or import it with --encoding mac_roman',
        )
    if text and not _FOREIGN_RUN.search(text):
        return text, "cp1252"
    raise ReadError(
        line,
        "not UTF-8 text, and not French/English Windows-1252 either: save it again as "
        '"CSV UTF-8", or name its encoding with --encoding (cp1256 for Arabic Windows, '
        "cp1252 for Western Windows, mac_roman for Excel's plain CSV on a Mac)",
    )


def _refuse_garbled(text: str, encoding: str | None) -> None:
    """Refuse text where UTF-8 was read as Windows-1252 ("HÃ©lÃ¨ne" for "Hélène"): done
    by a spreadsheet that opened a UTF-8 file as "ANSI" and saved it, or by ``--encoding``
    naming a single-byte code page for a UTF-8 file. The first such word is named."""
    for hint in _GARBLED_HINT.finditer(text):
        word = _word_at(text, hint.start(), hint.end())
        fixed, steps = ftfy.fix_encoding_and_explain(word)
        if not any(step == ("decode", "utf-8") for step in steps):
            continue
        line = _line_at(text, hint.start())
        if encoding:
            raise ReadError(
                line,
                f"read as {encoding}, this file is garbled ({word!r} is {fixed!r} in UTF-8): "
                "it is UTF-8, import it without --encoding",
            )
        raise ReadError(
            line,
            f"the text was garbled before it reached this file: {word!r} is {fixed!r} read with "
            "the wrong encoding, as a spreadsheet does when it opens a UTF-8 file as ANSI and "
            "saves it. Export the file again from its source and import that file, or open it "
            'in Excel with Data → From Text/CSV, File origin "65001: Unicode (UTF-8)"',
        )


_BREAKS = (" ", "\n", "\r", ",", ";", "\t", "|", '"')


def _word_at(text: str, start: int, end: int) -> str:
    """The word of ``text`` around ``text[start:end]``, to quote in a message."""
    first = max(text.rfind(sep, 0, start) for sep in _BREAKS) + 1
    ends = [i for i in (text.find(sep, end) for sep in _BREAKS) if i >= 0]
    return text[first : min(ends, default=len(text))]


def _line_at(text: str, index: int) -> int:
    """The line of ``text[index]``, whatever the line ends: CRLF, LF or a lone CR (Mac)."""
    head = text[:index]
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


def _strict(data: bytes, codec: str, what: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode(codec, "replace")
        line = _line_at(prefix, len(prefix))
        raise ReadError(line, f'{what}: save it again as "CSV UTF-8"') from None
    if "\x00" in text:
        line = _line_at(text, text.index("\x00"))
        raise ReadError(line, f"{what}: it holds NUL characters (a binary file?)")
    return text


@dataclass(frozen=True, slots=True)
class Record:
    """One row: ``line`` is the file line where it starts (1 = the first line)."""

    line: int
    cells: dict[str, str]  # column name (column_key, or a format's name) -> text, as found


@dataclass
class Table:
    """A CSV file's header, and its rows read lazily (a bad row raises ReadError then)."""

    headers: list[str]  # as the file spells them
    spelled: dict[str, str]  # column_key -> the file's spelling
    index: dict[str, int]  # column_key -> the cell's index in a row (its first column)
    delimiter: str
    rows: Iterator[tuple[int, list[str]]]  # (line where the row starts, its cells), once
    header_line: int = 1
    repeated: dict[str, list[int]] = field(default_factory=dict)  # column_key -> 1-based columns

    def records(self, names: Iterable[str]) -> Iterator[Record]:
        """The rows as records holding the cells of ``names`` (found by ``column_key``)."""
        pairs = [(n, self.index[column_key(n)]) for n in names if column_key(n) in self.index]
        for line, cells in self.rows:
            yield Record(line, {n: cells[i] for n, i in pairs})


def read_table(text: str, known: Callable[[str], bool], first_line: int = 1) -> Table:
    """Split ``text`` into a header and rows. ``known`` tells a known column's
    ``column_key``, to find the delimiter. Raises ReadError when unreadable: for the
    header at once, for a row when the rows are read."""
    offset = first_line - 1
    forced = None
    first = _FIRST_LINE.match(text)
    assert first is not None  # the pattern matches any text
    head, rest = first.group(1), text[first.end() :]
    match = _SEP_LINE.match(head.lstrip("\ufeff").strip(" "))
    if match:
        forced, text, offset = match.group(1), rest, offset + 1
    delimiter, skip = _find_header(text, known, forced, offset)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True
    )
    try:
        for _ in range(skip):  # a title and a date above the header, as reports have
            next(reader)
        headers = [clean(h) for h in next(reader)]
    except StopIteration:
        raise ReadError(offset + 1, "the file is empty") from None
    except csv.Error as exc:
        raise ReadError(offset + reader.line_num, f"broken header line: {exc}") from None
    if not any(headers):
        raise ReadError(offset + 1, "the header line is empty: the column names go on this line")
    spelled: dict[str, str] = {}
    positions: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        key = column_key(header)
        if key and key in spelled:  # pretix repeats "Company": the first is the attendee's
            repeated.setdefault(key, [positions[key] + 1]).append(index + 1)
        elif key:
            spelled[key] = header
            positions[key] = index
    header_line = offset + reader.line_num
    rows = _rows(reader, offset, headers, _DELIMITER_NAMES[delimiter])
    return Table(headers, spelled, positions, delimiter, rows, header_line, repeated)


def _rows(
    reader: Any, offset: int, headers: list[str], name: str
) -> Iterator[tuple[int, list[str]]]:
    width = len(headers)
    # the header's own trailing empty cells (a wider sheet): rows may stop before them
    named = max((i + 1 for i, h in enumerate(headers) if h.strip()), default=0)
    ended = reader.line_num
    try:
        for cells in reader:
            start, ended = offset + ended + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > width and not any(c.strip() for c in cells[width:]):
                cells = cells[:width]  # Excel pads short rows of a wider sheet with delimiters
            elif named <= len(cells) < width:
                cells = cells + [""] * (width - len(cells))  # only unnamed columns missing
            if len(cells) != width:
                short = len(cells) < width
                raise ReadError(
                    start,
                    f"{len(cells)} cells where the header has {width} ({name} separated): "
                    + (
                        f"a missing {name} in this row? Excel also leaves out the empty cells "
                        "at the end of some rows: then fill the last column in every row (or "
                        "delete it if it is empty) and save again"
                        if short
                        else f"a stray {name} or an unclosed quote in this row?"
                    ),
                )
            yield start, cells
    except csv.Error as exc:
        raise ReadError(
            offset + reader.line_num, f"broken CSV ({exc}): an unclosed quote?"
        ) from None


def _known_in_first_row(text: str, delimiter: str, known: Callable[[str], bool]) -> int:
    try:
        row = next(csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delimiter), [])
    except csv.Error:
        return 0
    return sum(1 for cell in row if known(column_key(cell)))


_HEADER_SEARCH = 10  # lines looked at for a header below a report's title


def _find_header(
    text: str, known: Callable[[str], bool], forced: str | None, offset: int
) -> tuple[str, int]:
    """(delimiter, rows above the header). The delimiter is the one that splits the header
    into the most known column names. The header is the first row, unless that row has no
    known name and a row below has two or more: the rows above it are then a report's
    title (one cell each) and skipped, or refused when they hold more."""
    rows: dict[str, list[list[str]]] = {}
    for delimiter in (forced,) if forced else DELIMITERS:
        head = io.StringIO(text[:65536], newline="")  # the header, not the whole file
        reader = csv.reader(head, delimiter=delimiter)
        found: list[list[str]] = []
        try:
            for row in reader:
                found.append(row)
                if len(found) == _HEADER_SEARCH:
                    break
        except csv.Error:
            pass
        rows[delimiter] = found

    def score(delimiter: str, index: int) -> int:
        found = rows[delimiter]
        cells = found[index] if index < len(found) else []
        return sum(1 for cell in cells if known(column_key(cell)))

    best = max(rows, key=lambda d: score(d, 0))  # first of DELIMITERS on a tie
    if score(best, 0) > 0:
        return best, 0
    if forced:
        other = max(DELIMITERS, key=lambda d: _known_in_first_row(text, d, known))
        if _known_in_first_row(text, other, known):
            raise ReadError(
                offset,
                f'the first line says "sep={forced}", but the column names are separated by '
                f"{_DELIMITER_NAMES[other]}s: delete that first line and import again",
            )
    for index in range(1, _HEADER_SEARCH):
        below = max(rows, key=lambda d, i=index: score(d, i))
        if score(below, index) < 2:
            continue
        above = rows[below][:index]
        if all(sum(1 for c in row if c.strip()) <= 1 for row in above):
            return below, index
        raise ReadError(
            offset + 1,
            f"the column names are on row {index + 1}, below "
            f"{'a row that is' if index == 1 else f'{index} rows that are'} no header: "
            "delete the rows above the column names and import again",
        )
    for delimiter in (forced,) if forced else DELIMITERS:
        first = rows[delimiter][0] if rows[delimiter] else []
        if sum(1 for c in first if c[:1] == c[-1:] == "'" and known(column_key(c[1:-1]))) > 1:
            raise ReadError(
                offset + 1,
                'the cells are quoted with \' instead of ": save the file again with " as '
                'the string delimiter (LibreOffice: "Edit filter settings" when saving)',
            )
    return forced or ",", 0
