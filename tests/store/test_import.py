"""Importing registration lists: every malformed-row kind, all or nothing, idempotent."""

from __future__ import annotations

import csv
import json

import pytest

from kiosk.core.model import Role, Status
from sync.importers import EventFileError, RegistrationImportError, load_event, load_registrations
from tests.conftest import ROOT

HEADER = "id,first_name,last_name,email,organisation,role,days,status,codes\n"
GOOD = "G1,Hélène,Dupont,h@example.org,Lydec,speaker,1;2,confirmed,QR-1\nG2,أحمد,بنعلي,,,participant,1,paid,QR-2\n"


def write(tmp_path, text, name="regs.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_generic_csv(tmp_path):
    regs = load_registrations(write(tmp_path, HEADER + GOOD))
    assert [(r.id, r.role, r.days, r.status, r.codes) for r in regs] == [
        ("G1", Role.SPEAKER, frozenset({1, 2}), Status.CONFIRMED, ("QR-1",)),
        ("G2", Role.PARTICIPANT, frozenset({1}), Status.CONFIRMED, ("QR-2",)),
    ]


def test_semicolon_csv_from_excel_with_bom(tmp_path):
    text = "\ufeff" + (HEADER + GOOD).replace(",", "\t")
    assert len(load_registrations(write(tmp_path, text))) == 2


@pytest.mark.parametrize(
    ("row", "line", "column", "message"),
    [
        ("B1,Ann,Lee,not-an-email,,participant,1,confirmed,Q", 4, "email", "not an e-mail"),
        ("B1,Ann,Lee,,,astronaut,1,confirmed,Q", 4, "role", "not one of"),
        ("B1,Ann,Lee,,,participant,one,confirmed,Q", 4, "days", "day numbers"),
        ("B1,Ann,Lee,,,participant,9,confirmed,Q", 4, "days", "1 to 8"),
        ("B1,Ann,Lee,,,participant,1,maybe,Q", 4, "status", "not one of"),
        (",Ann,Lee,,,participant,1,confirmed,Q", 4, "id", "required"),
        ("B1,,,,,participant,1,confirmed,Q", 4, "first_name", "needs a first or last name"),
        ("G1,Again,Dup,,,participant,1,confirmed,Q", 4, "id", "duplicate id"),
        ("B1,Ann,Lee", 4, "", "cells where the header has"),
        ("B1,Ann,Lee,,,participant,1,confirmed,QR-2", 4, "codes", "also on line 3"),
    ],
)
def test_each_malformed_row_kind_names_file_line_column(tmp_path, row, line, column, message):
    path = write(tmp_path, HEADER + GOOD + row + "\n")
    with pytest.raises(RegistrationImportError) as err:
        load_registrations(path)
    problem = err.value.problems[0]
    assert (problem.file, problem.line, problem.column) == (str(path), line, column)
    assert message in problem.message
    assert str(path) in str(err.value) and "nothing was written" in str(err.value)


def test_not_utf8_unknown_layout_empty_and_missing(tmp_path):
    bad = tmp_path / "arabic-windows.csv"  # Windows-1256: never guessed (see test_exports.py)
    bad.write_bytes((HEADER + "L1,محمد,العلوي,,,participant,1,confirmed,Q\n").encode("cp1256"))
    for path, message in [
        (bad, "not UTF-8"),
        (write(tmp_path, "name;mail\nx;y\n", "odd.csv"), "unknown column layout"),
        (write(tmp_path, "", "empty.csv"), "empty"),
        (tmp_path / "missing.csv", "not found"),
        (write(tmp_path, '[{"id": 1', "broken.json"), "not valid JSON"),
    ]:
        with pytest.raises(RegistrationImportError, match=message):
            load_registrations(path)


def test_failed_import_leaves_the_store_unchanged(store, tmp_path):
    before = [(r.id, r.status) for r in store.all_registrations()]
    with pytest.raises(RegistrationImportError):
        store.upsert_registrations(
            load_registrations(write(tmp_path, HEADER + GOOD + "B,,,,,x,1,confirmed,Q\n"))
        )
    assert [(r.id, r.status) for r in store.all_registrations()] == before


def test_reimport_is_idempotent_and_updates_by_id(store, tmp_path):
    path = write(tmp_path, HEADER + GOOD)
    first = store.upsert_registrations(load_registrations(path))
    again = store.upsert_registrations(load_registrations(path))
    assert (first.added, again.added, again.updated, again.unchanged) == (2, 0, 0, 2)
    snapshot = store._db.execute("SELECT * FROM registrations ORDER BY id").fetchall()
    store.upsert_registrations(load_registrations(path))
    assert store._db.execute("SELECT * FROM registrations ORDER BY id").fetchall() == snapshot
    changed = write(tmp_path, HEADER + GOOD.replace("confirmed", "cancelled"))
    assert store.upsert_registrations(load_registrations(changed)).updated == 1
    assert store.get("G1").status is Status.CANCELLED


def test_pretix_order_positions_export(tmp_path):
    headers = ["Event slug", "Order code", "Position ID", "Status", "Email", "Product", "Variation",
               "Attendee name", "Attendee name: Given name", "Attendee name: Family name",
               "Attendee email", "Company", "Ticket secret", "Blocked", "Valid from", "Valid until", "Company"]  # fmt: skip
    rows = [
        ["scc", "ABC12", "1", "paid", "buyer@x.org", "Speaker pass", "", "Nadia Tazi", "Nadia", "Tazi",
         "nadia@x.org", "OCP", "s3cr3tabc", "", "", "", "Invoice Co"],
        ["scc", "ABC12", "2", "pending", "buyer@x.org", "Day 2 pass", "", "Karim Alaoui", "", "",
         "", "", "s3cr3tdef", "", "2026-12-09T08:00+01:00", "", ""],
        ["scc", "XYZ99", "1", "paid", "c@x.org", "Full pass", "", "Old", "Old", "Guest",
         "", "", "s3cr3tghi", "Yes", "", "", ""],
    ]  # fmt: skip
    path = tmp_path / "pretix.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([headers, *rows])
    regs = {r.id: r for r in load_registrations(path)}
    nadia, karim, old = regs["pretix-ABC12-1"], regs["pretix-ABC12-2"], regs["pretix-XYZ99-1"]
    assert (nadia.first_name, nadia.last_name, nadia.role, nadia.organisation) == (
        "Nadia",
        "Tazi",
        Role.SPEAKER,
        "OCP",
    )
    assert nadia.codes == ("s3cr3tabc",) and nadia.email == "nadia@x.org"
    assert (karim.first_name, karim.status, karim.days, karim.email) == (
        "Karim Alaoui",
        Status.UNPAID,
        frozenset({2}),
        "buyer@x.org",
    )
    assert karim.valid_from is not None
    assert old.status is Status.BLOCKED


def test_eventbrite_attendee_report(tmp_path):
    text = ("Order #,Order Date,First Name,Last Name,Email,Quantity,Ticket Type,Attendee #,Barcode #,Attendee Status ,Company\n"
            "111,2026-10-01,Grace,Hall,grace@x.org,1,Press,9001,900100001,Attending,Reuters\n"
            "112,2026-10-02,Tom,Gone,tom@x.org,1,General,9002,900200001,Not Attending,\n")  # fmt: skip
    regs = load_registrations(write(tmp_path, text, "eventbrite.csv"))
    assert [(r.id, r.codes, r.role, r.status) for r in regs] == [
        ("eventbrite-9001", ("900100001",), Role.PRESS, Status.CONFIRMED),
        ("eventbrite-9002", ("900200001",), Role.PARTICIPANT, Status.CANCELLED),
    ]


def test_generic_json_with_field_errors_named(tmp_path):
    good = [{"id": "J1", "first_name": "Léa", "last_name": "Faure", "days": [1], "codes": ["X"]}]
    assert load_registrations(write(tmp_path, json.dumps(good), "r.json"))[0].days == frozenset({1})
    bad = [*good, {"id": "J2", "first_name": "A", "role": "pilot"}, {"id": "J3", "nickname": "x"}]
    with pytest.raises(RegistrationImportError) as err:
        load_registrations(write(tmp_path, json.dumps({"registrations": bad}), "bad.json"))
    assert [p.column for p in err.value.problems] == [
        "registrations[1].role",
        "registrations[2].nickname",
    ]


def test_demo_files_import_cleanly():
    regs = load_registrations(ROOT / "demo" / "registrations.csv")
    event, sessions = load_event(ROOT / "demo" / "event.json")
    assert len(regs) == 760 and len(sessions) == 9 and len(event.days) == 2


def test_event_file_errors_name_the_key(tmp_path):
    data = json.loads((ROOT / "demo" / "event.json").read_text(encoding="utf-8"))
    data["sessions"][0]["day"] = 5
    path = write(tmp_path, json.dumps(data), "event.json")
    with pytest.raises(EventFileError, match=r"sessions\[0\]\.day 5"):
        load_event(path)


def test_product_names_give_days_and_roles_by_whole_words():
    from sync.importers import days_from_product, role_from_product

    assert days_from_product("Day 1-2 pass") == {1, 2}
    assert days_from_product("Pass jour 1 et 2") == {1, 2}
    assert days_from_product("Day 2 pass") == {2}
    assert days_from_product("Full pass (2 days)") == frozenset()
    assert role_from_product("Express Pass") is Role.PARTICIPANT
    assert role_from_product("Impression 3D workshop") is Role.PARTICIPANT
    assert role_from_product("Pass Presse") is Role.PRESS
