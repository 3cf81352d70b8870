"""Registration files as real tools write them (tests/fixtures/exports/, see build.py there).

Every corpus file either imports to exactly the expected registrations or is refused with
file, line, the column as the file spells it and the next step, leaving the store as it
was. Then the kinds as properties: any row order, encoding and delimiter give the same
registrations; invisible characters never change what search finds.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path

import ftfy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import main
from kiosk.core.codes import CodeClashError
from kiosk.core.model import Registration, Status
from sync.importers import (
    RegistrationImportError,
    load_files,
    load_registrations,
    read_registrations,
)
from sync.pretix_mapping import OrderFacts, name_parts_with_fallback, registration_from_position
from sync.store import LocalStore
from tests.conftest import ROOT, demo_config
from tests.fixtures.exports import build

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"

FRENCH = [
    ("FR01", "Hélène", "Dupont", ("CODE-FR01",), Status.CONFIRMED),
    ("FR02", "Noël", "L'Hôte", ("CODE-FR02",), Status.CONFIRMED),
    ("FR03", "Cécile", "Bœuf", ("CODE-FR03",), Status.CONFIRMED),
    ("FR04", "Jean-François", "D'Almeida", ("CODE-FR04",), Status.UNPAID),
]
PRETIX = [
    ("pretix-KQ7RT-1", "Nadia", "Tazi", ("xk4n2mq8vd9w7tp3fh6j5rbc",), Status.CONFIRMED),
    # the workshop add-on carries no name: its ticket's holder
    ("pretix-KQ7RT-2", "Nadia", "Tazi", ("pz8q3m5n7v2c9x4b6l1k0hgf",), Status.CONFIRMED),
    # an order with only the invoice name
    ("pretix-M3XPL-1", "Youssef", "Amrani", ("a9s8d7f6g5h4j3k2l1q0w9e8",), Status.UNPAID),
    ("pretix-ZT5WB-1", "Salma", "Idrissi", ("r1t2y3u4i5o6p7a8s9d0f1g2",), Status.CONFIRMED),
    ("pretix-ZT5WB-2", "Rachid", "Naciri", ("h3j4k5l6z7x8c9v0b1n2m3q4",), Status.CONFIRMED),
    # an unnamed add-on in an order naming two people: the buyer's (invoice) name
    ("pretix-ZT5WB-3", "Omar", "Bennani", ("w5e6r7t8y9u0i1o2p3a4s5d6",), Status.CONFIRMED),
    ("pretix-C0NX1-1", "Paul", "Martin", ("c4n5c6e7l8l9e0d1t2i3c4k5",), Status.CANCELLED),
]
GOOD = {
    "pretix_positions.csv": PRETIX,
    "pretix_api_orders.json": PRETIX,
    # pretix's JSON export has one attendee name field, never split (invoice names have parts)
    "pretix_orders.json": [
        (i, f, la, c, s)
        if i in ("pretix-M3XPL-1", "pretix-ZT5WB-3")
        else (i, f"{f} {la}", "", c, s)
        for i, f, la, c, s in PRETIX
    ],
    "eventbrite_report.csv": [
        ("eventbrite-3101010100", "Grace", "Hall", ("912345670131010101001",), Status.CONFIRMED),
        ("eventbrite-3101010101", "Mehdi", "Chraibi", ("912345670231010101011",), Status.CONFIRMED),
        ("eventbrite-3101010102", "Tom", "Gone", ("912345670331010102001",), Status.CANCELLED),
        ("eventbrite-0101010103", "Zoé", "Lambert", ("012345670401010103001",), Status.CONFIRMED),
    ],
    "excel_fr_sep_cp1252.csv": FRENCH,
    "excel_fr_utf8_bom_notes.csv": FRENCH,
    "excel_unicode_text.txt": [
        ("AR01", "محمد", "العلوي", ("CODE-AR01",), Status.CONFIRMED),
        ("AR02", "فاطمة الزهراء", "بنعلي", ("CODE-AR02",), Status.CONFIRMED),
        ("AR03", "Amina", "El Fassi", ("CODE-AR03",), Status.CONFIRMED),
    ],
    # "First Name", "Last Name " and "Codes" as an organiser types them; lone-CR lines
    "typed_headers_mac_cr.csv": FRENCH,
    "invisible_characters.csv": [
        ("IN01", "Sara", "BenAli", ("CODE-IN01",), Status.CONFIRMED),
        ("IN02", "يوسف", "المنصوري", ("CODE-IN02",), Status.CONFIRMED),
        ("IN03", "Léa", "Martin", ("CODE-IN03",), Status.CONFIRMED),
        ("IN04", "مهر\u200cناز", "رحیمی", ("CODE-IN04",), Status.CONFIRMED),
    ],
}
# file -> (line, column as the file spells it, part of the message) of the first problem
BAD = {
    "pretix_positions_unnamed_addon.csv": (4, "Attendee name", "fill in the order's invoice name"),
    "eventbrite_after_excel.csv": (2, "Barcode #", "'9.12346E+20' is a long number in scientific"),
    "eventbrite_zeros_and_decimals.csv": (3, "Barcode #", "decimal part added"),
    "arabic_windows_cp1256.csv": (2, "", "--encoding (cp1256"),
    "nested.json": (0, "", "nested too deeply"),
    "utf8_garbled_by_excel.csv": (2, "", "'HÃ©lÃ¨ne' is 'Hélène' read with the wrong encoding"),
    "arabic_saved_as_ansi.csv": (4, "first_name", "letters became question marks"),
    "excel_mac_csv.csv": (2, "", "--encoding mac_roman"),
    "codes_pasted_and_formulas.csv": (2, "codes", "holds RIGHT-TO-LEFT MARK (U+200F)"),
    "duplicate_columns.csv": (
        1,
        "codes",
        "appears more than once in the header (columns 10 and 11)",
    ),
}


def summary(regs: list[Registration]) -> list[tuple[object, ...]]:
    return [(r.id, r.first_name, r.last_name, r.codes, r.status) for r in regs]


def test_the_corpus_is_what_build_writes():
    for name, data in build.build().items():
        assert (EXPORTS / name).read_bytes() == data, (
            f"run tests/fixtures/exports/build.py ({name})"
        )
    assert set(GOOD) | set(BAD) == set(build.build())


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_good_export_imports_exactly(name):
    assert summary(load_registrations(EXPORTS / name)) == GOOD[name]


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_export_is_refused_with_line_column_and_next_step(name):
    result = read_registrations(EXPORTS / name)
    line, column, message = BAD[name]
    first = result.problems[0]
    assert (first.file, first.line, first.column) == (str(EXPORTS / name), line, column)
    assert message in first.message


def test_every_damaged_eventbrite_row_is_named():
    result = read_registrations(EXPORTS / "eventbrite_zeros_and_decimals.csv")
    assert [(p.line, p.column) for p in result.problems] == [(3, "Barcode #"), (5, "Barcode #")]
    assert "dropped its leading zeros" in result.problems[1].message
    assert "has 20 digits where the file's other barcodes have 21" in result.problems[1].message
    excel = read_registrations(EXPORTS / "eventbrite_after_excel.csv")
    assert [p.line for p in excel.problems] == [2, 3, 4, 5]
    assert "without opening it in Excel" in excel.problems[0].message


def test_the_pretix_csv_export_and_the_api_path_give_the_same_registrations():
    """The same orders through the CSV export and through the call sync/pretix.py makes."""
    page = build.api_page()
    items = build.PRETIX_JSON["event"]["items"]
    ticket_types = {(i["id"], None): i["name"] for i in items}
    from_api = []
    for order_data in page["results"]:
        order = OrderFacts(
            code=order_data["code"],
            status=order_data["status"],
            locale=order_data["locale"],
            email=order_data["email"],
        )
        by_id = {p["id"]: p for p in order_data["positions"]}
        invoice = order_data.get("invoice_address") or {}
        for position in order_data["positions"]:
            parts = name_parts_with_fallback(position, by_id, invoice)
            from_api.append(registration_from_position(position, order, ticket_types, parts))
    assert from_api == load_registrations(EXPORTS / "pretix_positions.csv")


# -- the command line, both ways ------------------------------------------------------------


@pytest.fixture
def demo(tmp_path):
    config = demo_config(tmp_path, extra='[staff]\nlanguage = "en"\n')  # the replies asserted
    assert main.main(["--config", str(config), "setup"]) == 0
    return config


def snapshot(config: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    db = sqlite3.connect(config.parent / "data" / "desk-1.db")
    try:
        regs = db.execute("SELECT * FROM registrations ORDER BY id").fetchall()
        codes = db.execute("SELECT * FROM codes ORDER BY code, registration_id").fetchall()
    finally:
        db.close()
    return regs, codes


def test_cli_imports_the_good_files_and_refuses_the_bad_ones_writing_nothing(demo, capsys):
    before = snapshot(demo)
    for name in sorted(BAD):
        assert main.main(["--config", str(demo), "import", str(EXPORTS / name)]) == 1, name
        err = capsys.readouterr().err
        assert "nothing was written" in err and str(EXPORTS / name) in err
        assert "Traceback" not in err
        assert snapshot(demo) == before, name
    # one bad file among good ones refuses them all
    args = [str(EXPORTS / "excel_fr_sep_cp1252.csv"), str(EXPORTS / "eventbrite_after_excel.csv")]
    assert main.main(["--config", str(demo), "import", *args]) == 1
    assert snapshot(demo) == before
    capsys.readouterr()
    # all the good files together: the same orders as pretix CSV and JSON (names split or
    # not) would replace each other, so they are refused naming both rows
    assert main.main(["--config", str(demo), "import", *(str(EXPORTS / n) for n in GOOD)]) == 1
    assert "is also on" in capsys.readouterr().err and snapshot(demo) == before
    # files whose shared ids carry the same details (two French Excel saves) import together
    distinct = ["pretix_positions.csv", "eventbrite_report.csv", "excel_fr_sep_cp1252.csv",
                "excel_fr_utf8_bom_notes.csv", "excel_unicode_text.txt",
                "invisible_characters.csv"]  # fmt: skip
    assert main.main(["--config", str(demo), "import", *(str(EXPORTS / n) for n in distinct)]) == 0


def test_cli_imports_each_good_file(demo, capsys):
    store_path = demo.parent / "data" / "desk-1.db"
    for name in sorted(GOOD):
        assert main.main(["--config", str(demo), "import", str(EXPORTS / name)]) == 0, name
        out = capsys.readouterr().out
        assert f"{len(GOOD[name])} registrations" in out
        with LocalStore(store_path) as store:
            got = [store.get(row[0]) for row in GOOD[name]]
        assert summary([g for g in got if g is not None]) == GOOD[name]


def test_encoding_option_reads_an_arabic_windows_file(demo, capsys):
    path = str(EXPORTS / "arabic_windows_cp1256.csv")
    assert main.main(["--config", str(demo), "import", path]) == 1
    assert "--encoding" in capsys.readouterr().err
    assert main.main(["--config", str(demo), "import", "--encoding", "cp1256", path]) == 0
    with LocalStore(demo.parent / "data" / "desk-1.db") as store:
        assert store.get("AR01").full_name == "محمد العلوي"
        assert "AR01" in [r.id for r in store.search("محمد العلوي")]
    assert main.main(["--config", str(demo), "import", "--encoding", "klingon", path]) == 1
    assert "unknown encoding 'klingon'" in capsys.readouterr().err


def test_dry_run_says_new_updated_unchanged_refused_and_writes_nothing(demo, tmp_path, capsys):
    rows = list(csv.reader((ROOT / "demo/registrations.csv").open(encoding="utf-8")))
    rows[1][2] = "Hughes-Renamed"  # S0001 changes
    rows.append(["N0001", "Nouvelle", "Personne", *[""] * (len(rows[0]) - 3)])
    changed = tmp_path / "changed.csv"
    with changed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    before = snapshot(demo)
    assert main.main(["--config", str(demo), "import", "--dry-run", str(changed)]) == 0
    out = capsys.readouterr().out
    assert f"{changed}: generic, utf-8: 1 new, 1 updated, 759 unchanged, 0 refused" in out
    assert "nothing written" in out
    assert snapshot(demo) == before
    bad = str(EXPORTS / "eventbrite_zeros_and_decimals.csv")
    assert main.main(["--config", str(demo), "import", "--dry-run", str(changed), bad]) == 1
    captured = capsys.readouterr()
    assert f"{bad}: eventbrite, utf-8: 2 new, 0 updated, 0 unchanged, 2 refused" in captured.out
    assert f"{bad}:5, column 'Barcode #'" in captured.err
    assert snapshot(demo) == before


# -- a code belongs to one registration ------------------------------------------------------


def test_a_file_reusing_a_stored_code_is_refused_naming_both(demo, tmp_path, capsys):
    s0001 = next(csv.DictReader((ROOT / "demo/registrations.csv").open(encoding="utf-8")))
    path = tmp_path / "late.csv"
    path.write_text(
        "Attendee #,First Name,Last Name,Barcode #\n"
        f"777,Ines,Later,OK-CODE-777\n778,Ali,Reuse,{s0001['codes']}\n",
        encoding="utf-8",
    )
    before = snapshot(demo)
    for extra in ([], ["--dry-run"]):
        assert main.main(["--config", str(demo), "import", *extra, str(path)]) == 1
        err = capsys.readouterr().err
        assert f"{path}:3, column 'Barcode #'" in err
        assert "'eventbrite-778' (Ali Reuse) already belongs to 'S0001' (Ethan Hughes)" in err
        assert snapshot(demo) == before
    # the same person updated under their own id keeps their code
    path.write_text(
        f"id,first_name,last_name,codes\nS0001,Ethan,Hughes,{s0001['codes']}\n", encoding="utf-8"
    )
    assert main.main(["--config", str(demo), "import", str(path)]) == 0


def test_a_walkin_reusing_a_code_is_refused_and_nothing_is_queued(store):
    pending = store.count_pending()
    with pytest.raises(CodeClashError, match="'W-k1-1' already belongs to 'R1'"):
        store.add_walkin(Registration("W-k1-1", "Walk", "In", ("CODE-1",)), "AB")
    assert store.get("W-k1-1") is None and store.count_pending() == pending
    assert [r.id for r in store.find_by_code("CODE-1")] == ["R1"]


def test_import_registrations_moves_a_code_only_when_its_owner_gives_it_up(store):
    with pytest.raises(CodeClashError):
        store.import_registrations([Registration("NEW", "New", "One", ("CODE-2",))])
    moved = [
        Registration("R2", "محمد", "العلوي", ("CODE-2-NEW",)),
        Registration("NEW", "New", "One", ("CODE-2",)),
    ]
    store.import_registrations(moved)
    assert [r.id for r in store.find_by_code("CODE-2")] == ["NEW"]


def test_hub_import_refuses_a_code_the_hub_already_holds(tmp_path, capsys):
    from sync.hub.db import HubDB

    config = demo_config(tmp_path)
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    args = ["--config", str(config), "hub", "import", "--database", database]
    assert main.main([*args, str(EXPORTS / "excel_fr_sep_cp1252.csv")]) == 0
    late = tmp_path / "late.csv"
    late.write_text("id;first_name;last_name;codes\nX9;Xavier;Neuf;CODE-FR02\n", encoding="utf-8")
    capsys.readouterr()
    assert main.main([*args, str(late)]) == 1
    err = capsys.readouterr().err
    assert f"{late}:2, column 'codes'" in err and "already belongs to 'FR02' (Noël L'Hôte)" in err
    assert main.main([*args, str(EXPORTS / "nested.json")]) == 1
    assert "nested too deeply" in capsys.readouterr().err
    db = HubDB(database)
    try:
        assert db.registration("X9") is None and db.count_registrations() == 4
        with pytest.raises(CodeClashError):
            db.import_registrations([Registration("X9", "Xavier", "Neuf", ("CODE-FR02",))])
        assert db.code_clashes([Registration("FR02", "Noël", "L'Hôte", ("CODE-FR02",))]) == []
    finally:
        db.close()


# -- any order, encoding and delimiter: the same registrations --------------------------------

HEADER = build.GENERIC_HEADER
ROWS = build.FRENCH + build.ARABIC + build.INVISIBLE


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(len(ROWS))),
    columns=st.permutations(range(len(HEADER))),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    sep_line=st.booleans(),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),  # a lone CR: Numbers on a Mac
)
def test_any_row_order_encoding_and_delimiter_give_the_same_registrations(
    tmp_path, order, columns, encoding, delimiter, sep_line, newline
):
    rows = [ROWS[i] for i in order]
    if encoding == "cp1252":  # Western Windows cannot hold Arabic: its files have none
        rows = [r for r in rows if _encodable("".join(r), "cp1252")]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows([[row[c] for c in columns] for row in [HEADER, *rows]])
    text = (f"sep={delimiter}{newline}" if sep_line else "") + out.getvalue()
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data  # Excel's "Unicode text" always starts with its BOM
    path = tmp_path / "any.csv"
    path.write_bytes(data)
    expected = {r.id: r for r in load_registrations(EXPORTS / "excel_fr_utf8_bom_notes.csv")}
    expected |= {r.id: r for r in load_registrations(EXPORTS / "excel_unicode_text.txt")}
    expected |= {r.id: r for r in load_registrations(EXPORTS / "invisible_characters.csv")}
    got = {r.id: r for r in load_registrations(path)}
    assert got == {rid: expected[rid] for rid in (r[0] for r in rows)}


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def test_search_finds_the_names_that_came_with_invisible_characters(demo, capsys):
    path = str(EXPORTS / "invisible_characters.csv")
    assert main.main(["--config", str(demo), "import", path]) == 0
    capsys.readouterr()
    for typed, found in [("sara benali", "IN01"), ("يوسف المنصوري", "IN02"), ("lea martin", "IN03"),
                         ("مهرناز", "IN04"), ("casa tech", "IN01")]:  # fmt: skip
        assert main.main(["--config", str(demo), "search", typed]) == 0, typed
        assert found in capsys.readouterr().out, typed


@pytest.mark.parametrize(
    ("text", "encoding", "line", "message"),
    [
        # an unclosed quote swallows the rest of the file: named at the row where it starts
        ('id;first_name;last_name\nA1;"Ann;Lee\nA2;Bob;Ray\n', None, 3, "unclosed quote"),
        ("id;first_name;last_name\nA1;Ann;Lee;extra\n", None, 2, "a stray semicolon"),
        ("\ufeffid,first_name\nA1,Ann\n", "cp1252", 1, "it is UTF-8, not cp1252"),
        ("id,first_name\nA1,Ann\n", "klingon", 0, "unknown encoding"),
        ("sep=;\n\n", None, 2, "the header line is empty"),
        ("sep=;\nname;mail\n", None, 2, "unknown column layout"),
    ],
)
def test_unreadable_tables_name_the_line(tmp_path, text, encoding, line, message):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    problem = read_registrations(path, encoding=encoding).problems[0]
    assert problem.line == line and message in problem.message


def test_a_header_is_found_by_name_whatever_its_case_spacing_or_invisible_marks(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "\u200bORDER CODE ; position id;STATUS;Attendee  name\nAB1;1;Paid;Ann Lee\n", "utf-8"
    )
    result = read_registrations(path)
    assert [r.id for r in result.registrations] == ["pretix-AB1-1"], result.problems


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    code=st.text(
        alphabet=st.characters(blacklist_characters=';|"\r\n', blacklist_categories=("Cs",)),
        min_size=1,
        max_size=40,
    ).filter(
        lambda c: (
            c.strip() == c
            and c.isprintable()
            and ftfy.fix_encoding(c) == c  # UTF-8 garbled by a code page: refused, see below
            and not re.match(r"^[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?$", c)
        )
    )
)  # (numbers as a spreadsheet writes them are refused: test_every_damaged_eventbrite_row…;
#    invisible characters too: test_a_code_holding_what_no_scanner_sends_is_refused;
#    and text garbled by a code page: test_utf8_read_as_ansi_is_refused_never_imported)
def test_codes_are_kept_exactly_as_written(tmp_path, code):
    """Codes are credentials: a signed ticket's base45 holds double spaces; nothing is cleaned."""
    path = tmp_path / "codes.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["id", "first_name", "codes"], ["C1", "Ann", code]])
    [reg] = load_registrations(path)
    assert reg.codes == (code,)


def test_dry_run_names_a_file_refused_as_a_whole(demo, capsys):
    nested = EXPORTS / "nested.json"
    assert main.main(["--config", str(demo), "import", "--dry-run", str(nested)]) == 1
    captured = capsys.readouterr()
    assert f"{nested}: refused as a whole" in captured.out
    assert "nested too deeply" in captured.err and "Traceback" not in captured.err


def test_two_files_of_one_import_sharing_a_code_are_refused_naming_both(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("id,first_name,codes\nA1,Ann,SAME\n", encoding="utf-8")
    second.write_text("id;first_name;codes\nB1;Bob;OTHER\nB2;Bea;SAME\n", encoding="utf-8")
    with pytest.raises(RegistrationImportError) as err:
        load_files([first, second])
    [problem] = err.value.problems
    assert (problem.file, problem.line, problem.column) == (str(second), 3, "codes")
    assert f"also on {first}:2 ('A1')" in problem.message


# -- what spreadsheets do without a word ------------------------------------------------------

INVISIBLE_OR_CONTROL = st.characters(categories=("Cf", "Cc", "Zs", "Zl", "Zp")).filter(
    lambda c: c not in ' ;|"\r\n'
)


@settings(max_examples=60, deadline=None)
@given(
    code=st.text(alphabet="ABCDEFGHJK0123456789-", min_size=4, max_size=20),
    char=INVISIBLE_OR_CONTROL,
    at=st.integers(0, 20),
    fmt=st.sampled_from(["generic", "eventbrite", "pretix"]),
)
def test_a_code_holding_what_no_scanner_sends_is_refused(code, char, at, fmt):
    """Kept, the code never matches the scan; cleaned, it is no longer the issued code."""
    at = min(at, len(code))
    dirty = code[:at] + char + code[at:]
    header, row, column = {
        "generic": (["id", "first_name", "codes"], ["C1", "Ann", dirty], "codes"),
        "eventbrite": (["Attendee #", "First Name", "Barcode #"], ["1", "Ann", dirty], "Barcode #"),
        "pretix": (
            ["Order code", "Position ID", "Status", "Attendee name", "Ticket secret"],
            ["AB1", "1", "paid", "Ann Lee", dirty],
            "Ticket secret",
        ),
    }[fmt]
    if dirty.strip() != dirty:
        return  # the ends are trimmed, as for any cell
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    with _tmp_file(out.getvalue().encode("utf-8")) as path:
        result = read_registrations(path)
    assert result.registrations == []
    [problem] = result.problems
    if char == "\x00":  # no text file holds one: the file is refused as a whole
        assert (problem.line, problem.column) == (2, "") and "NUL" in problem.message
        return
    assert (problem.line, problem.column) == (2, column)
    assert f"(U+{ord(char):04X}), which no scanner sends" in problem.message


@settings(max_examples=40, deadline=None)
@given(
    spellings=st.lists(
        st.tuples(st.sampled_from(["lower", "upper", "title"]), st.booleans(), st.booleans()),
        min_size=len(HEADER),
        max_size=len(HEADER),
    )
)
def test_a_header_typed_with_spaces_or_capitals_reads_as_the_column(spellings):
    """'First Name', 'FIRST_NAME ', 'first name' are all first_name: never a column dropped."""
    typed = []
    for name, (case, spaces, pad) in zip(HEADER, spellings, strict=True):
        name = getattr(name, case)()
        name = name.replace("_", " ") if spaces else name
        typed.append(f" {name} " if pad else name)
    out = io.StringIO()
    csv.writer(out).writerows([typed, *build.FRENCH])
    with _tmp_file(out.getvalue().encode("utf-8")) as path:
        got = load_registrations(path)
    assert got == load_registrations(EXPORTS / "excel_fr_utf8_bom_notes.csv")


@settings(max_examples=40, deadline=None)
@given(row=st.sampled_from([r for r in ROWS if not "".join(r).isascii()]))
def test_utf8_read_as_ansi_is_refused_never_imported(row):
    """Garbled in the file (saved after a wrong open) or by a wrong --encoding: refused."""
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, row])
    utf8 = out.getvalue().encode("utf-8")
    garbled = utf8.decode("cp1252", "replace").encode("utf-8")
    with _tmp_file(garbled) as path:
        [problem] = read_registrations(path).problems
        assert problem.line == 2 and "read with the wrong encoding" in problem.message
    with _tmp_file(utf8) as path:
        forced = read_registrations(path, encoding="cp1252")
        if forced.problems:  # (Arabic UTF-8 holds bytes cp1252 lacks: refused as not cp1252)
            assert forced.registrations == []
            assert "import it without --encoding" in forced.problems[0].message or (
                "not cp1252 text" in forced.problems[0].message
            )


def test_names_lost_to_question_marks_are_refused_in_every_format(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(
        "Order code,Position ID,Status,Attendee name: Given name,Attendee name: Family name\n"
        "AB1,1,paid,????,??????\n",
        encoding="cp1252",
    )
    [problem] = read_registrations(path).problems
    assert (problem.line, problem.column) == (2, "Attendee name: Given name")
    path.write_text("Attendee #,First Name,Last Name\n1,Ann,?????\n", encoding="utf-8")
    [problem] = read_registrations(path).problems
    assert (problem.line, problem.column) == (2, "Last Name")
    path.write_text("id,first_name,last_name\nQ1,Who?,Lee\nQ2,Ann,Lee ?\n", encoding="utf-8")
    assert read_registrations(path).problems == []  # one question mark is punctuation


def test_a_pretix_export_keeps_reading_the_first_of_its_repeated_columns(tmp_path):
    """pretix writes Company and Country twice (attendee, then invoice address): not refused."""
    path = tmp_path / "p.csv"
    path.write_text(
        "Order code,Position ID,Status,Attendee name,Company,Country,Company,Country\n"
        "AB1,1,paid,Ann Lee,Attendee Co,MA,Invoice Co,FR\n",
        encoding="utf-8",
    )
    [reg] = load_registrations(path)
    assert (reg.organisation, reg.country) == ("Attendee Co", "MA")


class _tmp_file:
    """A file holding ``data`` for one read (hypothesis examples cannot share tmp_path)."""

    def __init__(self, data: bytes) -> None:
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name) / "in.csv"
        self.path.write_bytes(data)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()


@pytest.mark.parametrize(
    ("text", "ids", "line", "message"),
    [
        # a report's title and date above the column names: skipped, lines still counted
        ("Liste des inscrits;;;\r\nExport du 20/11/2026;;;\r\n;;;\r\n"
         "id;first_name;last_name;codes\r\nA1;Ann;Lee;C1\r\nA2;;;C2\r\n", ["A1"], 6,
         "a first or last name"),
        # rows above that are not a title: which is the header is unclear
        ("Liste;x;y\r\nid;first_name;codes\r\nA1;Ann;C1\r\n", [], 1,
         "the column names are on row 2, below a row that is no header"),
        # LibreOffice with ' as its string delimiter: cells would keep their quotes
        ("'id';'first_name';'codes'\r\n'A1';'Ann';'C1'\r\n", [], 1,
         "the cells are quoted with ' instead of"),
        # Excel's sep= line naming another delimiter than the header uses
        ("sep=,\r\nid;first_name;codes\r\nA1;Ann;C1\r\n", [], 1,
         'says "sep=,", but the column names are separated by semicolons'),
    ],
)  # fmt: skip
def test_the_header_is_found_below_a_title_or_the_refusal_says_where(
    tmp_path, text, ids, line, message
):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    result = read_registrations(path)
    assert [r.id for r in result.registrations] == ids
    assert result.problems[0].line == line and message in result.problems[0].message


def test_a_utf8_file_with_rows_pasted_in_another_encoding_names_the_line(tmp_path):
    """Decoded whole as Windows-1252, its UTF-8 rows would be mojibake: the stray line is named."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "id,first_name,last_name\nA1,Hélène,Dupont\nA2,محمد,العلوي\n".encode()
        + "A3,Noël,Martin\n".encode("cp1252")
    )
    [problem] = read_registrations(path).problems
    assert problem.line == 4 and "UTF-8 but for this line" in problem.message
    # a whole Arabic Windows file is not taken for one: it is named as such
    persian = "مهر\u200cناز، پژمان گلشيري، محمد، علي"
    path.write_bytes(f"id,first_name\nP1,{persian}\n".encode("cp1256"))
    [problem] = read_registrations(path).problems
    assert "--encoding (cp1256" in problem.message


def test_json_ids_and_codes_as_floats_are_refused(tmp_path):
    """json.loads keeps big integers exactly; a float (9.12346e+20, 123.0) has lost digits."""
    path = tmp_path / "r.json"
    path.write_text(
        '[{"id": "J1", "first_name": "Ann", "codes": 9.12346e20},'
        ' {"id": 2.0, "first_name": "Bob"},'
        ' {"id": "J3", "first_name": "Cy", "codes": 912345670131010101001}]',
        encoding="utf-8",
    )
    result = read_registrations(path)
    assert [p.column for p in result.problems] == ["registrations[0].codes", "registrations[1].id"]
    assert "write ids and codes as text" in result.problems[0].message.lower()
    assert [r.codes for r in result.registrations] == [("912345670131010101001",)]


def test_rows_may_stop_before_the_headers_own_empty_cells_but_not_before_a_named_column(
    tmp_path,
):
    """A wider sheet gives the header trailing empty cells that some rows leave out; a row
    short of a named column may be shifted (a missing delimiter) and is refused."""
    path = tmp_path / "t.csv"
    path.write_text("id;first_name;last_name;codes;;\nA1;Ann;Lee;C1\nA2;Bob;Ray;C2;;\n", "utf-8")
    assert [r.codes for r in load_registrations(path)] == [("C1",), ("C2",)]
    path.write_text("id;first_name;last_name;codes;;\nA1;Ann;Lee;C1\nA2;Bob Ray;C2\n", "utf-8")
    result = read_registrations(path)
    assert result.registrations == [] or [r.id for r in result.registrations] == ["A1"]
    [problem] = result.problems
    assert problem.line == 3 and "a missing semicolon in this row?" in problem.message
    assert "Excel also leaves out the empty cells at the end of some rows" in problem.message


def test_a_json_field_twice_in_one_object_is_refused(tmp_path):
    """json.loads keeps the last of two equal keys without a word: which code is meant?"""
    path = tmp_path / "r.json"
    path.write_text('[{"id": "A1", "first_name": "Ann", "codes": "X", "codes": "Y"}]', "utf-8")
    [problem] = read_registrations(path).problems
    assert problem.column == "codes" and "appears twice in one object" in problem.message


def test_an_unknown_layout_says_pretix_must_export_in_english(tmp_path):
    path = tmp_path / "fr.csv"
    path.write_text("Code de commande,ID de position,Statut\nAB1,1,payé\n", "utf-8")
    [problem] = read_registrations(path).problems
    assert "export it with English set" in problem.message


def test_an_organizer_level_pretix_export_holding_other_events_is_refused(tmp_path):
    """pretix's organizer-level export lists every event's orders: last year's would import."""
    path = tmp_path / "orders.csv"
    path.write_text(
        "Event slug,Order code,Position ID,Status,Attendee name,Ticket secret\n"
        "scc-2026,AB1,1,paid,Ann Lee,s1\nscc-2025,ZZ9,1,paid,Old Timer,s2\n",
        encoding="utf-8",
    )
    result = read_registrations(path)
    [problem] = result.problems
    assert (problem.line, problem.column) == (3, "Event slug")
    assert "several events' orders" in problem.message
    with pytest.raises(RegistrationImportError):
        load_registrations(path)


@pytest.mark.parametrize("magic", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_a_workbook_is_named_as_one_not_as_a_binary_file(tmp_path, magic):
    """pretix's and Eventbrite's default export is a workbook; the CSV is one of the options."""
    path = tmp_path / "orders.xlsx"
    path.write_bytes(magic + b"\x00" * 64)
    [problem] = read_registrations(path).problems
    assert problem.line == 0 and "spreadsheet workbook" in problem.message
    assert '"CSV UTF-8"' in problem.message


def test_an_id_that_lost_its_leading_zeros_is_refused_not_added_twice(demo, tmp_path, capsys):
    """0042 saved through Excel comes back as 42: a second registration of the same person."""
    first = tmp_path / "first.csv"
    first.write_text("id,first_name,last_name\n0042,Ann,Lee\n", encoding="utf-8")
    assert main.main(["--config", str(demo), "import", str(first)]) == 0
    again = tmp_path / "again.csv"
    again.write_text("ID,first_name,last_name\n42,Ann,Lee\n43,Bob,Ray\n", encoding="utf-8")
    before = snapshot(demo)
    capsys.readouterr()
    for extra in ([], ["--dry-run"]):
        assert main.main(["--config", str(demo), "import", *extra, str(again)]) == 1
        err = capsys.readouterr().err
        assert f"{again}:2, column 'ID': id '42' (Ann Lee) is new, but '0042' (Ann Lee)" in err
        assert snapshot(demo) == before
    # a new id that never had zeros imports
    again.write_text("ID,first_name,last_name\n43,Bob,Ray\n", encoding="utf-8")
    assert main.main(["--config", str(demo), "import", str(again)]) == 0
    # an Eventbrite Attendee # too
    report = tmp_path / "report.csv"
    report.write_text("Attendee #,First Name,Last Name\n0101010103,Zoé,Lambert\n", "utf-8")
    assert main.main(["--config", str(demo), "import", str(report)]) == 0
    report.write_text("Attendee #,First Name,Last Name\n101010103,Zoé,Lambert\n", "utf-8")
    capsys.readouterr()
    assert main.main(["--config", str(demo), "import", str(report)]) == 1
    assert "'eventbrite-101010103' (Zoé Lambert) is new, but" in capsys.readouterr().err


def test_one_id_in_two_files_of_an_import_with_other_details_is_refused(tmp_path):
    """The later file's row silently replaced the earlier one's; same details are no loss."""
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("id,first_name,last_name,codes\nX1,Ann,Lee,CX1\n", encoding="utf-8")
    second.write_text("ID;first_name;last_name;codes\nX1;Bob;Ray;CX2\n", encoding="utf-8")
    with pytest.raises(RegistrationImportError) as err:
        load_files([first, second])
    [problem] = err.value.problems
    assert (problem.file, problem.line, problem.column) == (str(second), 2, "ID")
    assert f"id 'X1' is also on {first}:2, with other details" in problem.message
    second.write_text("id;first_name;last_name;codes\nX1;Ann;Lee;CX1\n", encoding="utf-8")
    assert [len(regs) for _, regs in load_files([first, second])] == [1, 1]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_an_encoding_refusal_names_the_line_whatever_the_line_ends(tmp_path, newline):
    """Numbers on a Mac ends lines with a lone CR: line 3 is still line 3."""
    rows = ["id,first_name", "A1,Ann", "A2,HÃ©lÃ¨ne"]
    path = tmp_path / "t.csv"
    path.write_bytes(newline.join(rows).encode("utf-8"))
    assert read_registrations(path).problems[0].line == 3
    path.write_bytes(newline.join(rows[:2]).encode() + newline.encode() + b"A2,H\xe9\x00l")
    assert read_registrations(path).problems[0].line == 3
    path.write_bytes(newline.join([*rows[:2], "A2,Hélène"]).encode() + b"\xff")
    assert read_registrations(path).problems[0].line == 3
