"""The one way the project writes CSV: cells a spreadsheet would run as a formula are defused.

Names, e-mails and scanned codes come from attendees and scanners. Excel, LibreOffice and
Google Sheets treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and
a leading tab or carriage return can hide such a character from a casual check, so a
registration named ``=HYPERLINK("http://…")`` would run in the organiser's spreadsheet
(CSV or formula injection, CWE-1236). Following OWASP's advice, such a text cell is written
with a leading apostrophe: spreadsheets show the text as it was and evaluate nothing. A
program reading the file back removes one apostrophe in front of one of those characters.

Numbers (``int``/``float`` values, and texts that are only a signed decimal number such as
``-3`` or ``+2.5``) are left alone: a spreadsheet reads them as numbers, not formulas.
defusedcsv does the same for its list of characters but not for tab and carriage return,
hence this module.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def neutralise(cell: Any) -> Any:
    """The cell to write: a text starting like a formula gets a leading ``'``; others as is."""
    formula = isinstance(cell, str) and cell.startswith(FORMULA_STARTS)
    return "'" + cell if formula and not _PLAIN_NUMBER.fullmatch(cell) else cell


class SafeWriter:
    """``csv.writer`` whose every cell passes through :func:`neutralise`.

    Python 3.11's writer quotes only the characters of ``lineterminator``, so with ``"\n"``
    a carriage return inside a cell was written bare and a spreadsheet split the row there;
    a row holding one is written with every cell quoted.
    """

    def __init__(self, f: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(f, **fmtparams)
        self._quoted = csv.writer(f, **{**fmtparams, "quoting": csv.QUOTE_ALL})

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = [neutralise(c) for c in row]
        bare_cr = any(isinstance(c, str) and "\r" in c for c in cells)
        return (self._quoted if bare_cr else self._writer).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` whose every cell (header included) passes through :func:`neutralise`."""

    def __init__(self, f: IO[str], fieldnames: Iterable[str], **kwargs: Any) -> None:
        super().__init__(f, list(fieldnames), **kwargs)
        fmt = {k: v for k, v in kwargs.items() if k not in ("restval", "extrasaction")}
        self.writer = SafeWriter(f, **fmt)  # type: ignore[assignment]


def writer(f: IO[str], **fmtparams: Any) -> SafeWriter:
    """A CSV writer for ``f`` (opened with ``newline=""``); same options as ``csv.writer``."""
    return SafeWriter(f, **fmtparams)
