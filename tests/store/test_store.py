"""The local store: owner-only files, WAL + FULL sync, schema version, search, append-only log."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime

import pytest

from kiosk.core.model import Registration, Scan, ScanKind
from sync.store import SCHEMA_VERSION, LocalStore, StoreError
from tests.conftest import TZ


def test_files_are_owner_only_and_durable_settings_on(store, tmp_path):
    store.set_meta("x", "y")
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    db = store._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.schema_version == SCHEMA_VERSION


def test_newer_schema_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "future.db"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer than this program"):
        LocalStore(path)


def test_not_a_database_is_refused(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable Accueil store"):
        LocalStore(path)


def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path):
    with LocalStore(tmp_path / "k.db") as s:
        s.upsert_registrations([Registration("R1", "A", "B", ("C",))])
    with LocalStore(tmp_path / "k.db") as s:
        assert s.get("R1").codes == ("C",)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("helene", {"R1"}),
        ("HÉLÈNE", {"R1"}),
        ("hel dup", {"R1"}),
        ("Dupont", {"R1"}),
        ("محمد", {"R2"}),
        ("العل", {"R2"}),
        ("مُحَمَّد", {"R2"}),  # with vowel marks
        ("twin", {"R8", "R9"}),
        ("casablanca", {"R1"}),
        ("helene@example", {"R1"}),
        ("", set()),
        ("zzz", set()),
        ('"; DROP TABLE', set()),
    ],
)
def test_search_ignores_case_accents_and_arabic_marks(store, typed, expected):
    assert {r.id for r in store.search(typed)} == expected


def test_search_follows_corrections_and_updates(store):
    store.upsert_registrations([Registration("R1", "Hélène", "Martin", ("CODE-1",))])
    assert {r.id for r in store.search("martin")} == {"R1"}
    assert store.search("dupont") == []


def test_scan_log_is_append_only(store):
    scan = Scan(
        "n1", "k1", datetime(2026, 12, 8, 9, tzinfo=TZ), "C", "R1", ScanKind.ENTRY, True, "ok"
    )
    store.record(scan)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.transaction() as db:
        db.execute("UPDATE scans SET accepted = 0")
    assert store.scans()[0].accepted


def test_remote_scans_are_deduplicated_by_nonce_and_count_for_the_rules(store, service):
    scan = Scan("n9", "k9", datetime(2026, 12, 8, 9, tzinfo=TZ), "CODE-1", "R1", ScanKind.ENTRY,
                True, "ok", day=1, kiosk_name="Door B")  # fmt: skip
    assert store.add_remote_scans([scan, scan]) == 1
    assert store.add_remote_scans([scan]) == 0
    assert store.count_pending() == 0, "scans pulled from the hub are not uploaded back"
    refused = service.check("CODE-1").verdict
    assert (refused.reason.value, refused.previous_kiosk) == ("already_checked_in", "Door B")


def test_failed_transaction_leaves_nothing(store):
    before = store.count_registrations()
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("DELETE FROM registrations")
        raise RuntimeError("power cut")
    assert store.count_registrations() == before
