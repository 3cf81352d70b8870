"""sync.store as a package: every name imported from the old module still is, and the one
LocalStore still offers every method it had, over one connection."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest

import sync.store
import sync.wire
from kiosk.core.model import Scan, ScanKind
from kiosk.core.ports import PrintReason, PrintRequest
from sync.store import LocalStore

# Imported from sync.store across the code, the tests and the benchmarks before the split.
NAMES = [
    "LocalStore", "StoreError", "SCHEMA_VERSION", "SCAN_TIME_MIN", "SCAN_TIME_MAX",
    "UpsertCounts", "registration_from_dict", "registration_to_dict", "scan_from_dict",
    "scan_to_dict", "scan_time", "utc_text", "list_from_dict", "list_to_dict",
    "facts_from_dict", "facts_to_dict",
]  # fmt: skip

# LocalStore's public methods before the split (61).
METHODS = [
    "add_codes",
    "add_remote_scans",
    "add_sync_conflicts",
    "add_walkin",
    "all_registrations",
    "apply_pull",
    "checkin_list",
    "checkin_lists",
    "claim_print_job",
    "close",
    "code_clashes",
    "count_pending",
    "count_print_jobs",
    "count_registrations",
    "count_scans",
    "enqueue_upload",
    "event",
    "exclusive",
    "find_by_code",
    "get",
    "get_meta",
    "history",
    "import_batches",
    "import_registrations",
    "last_full_pull",
    "mark_failed",
    "mark_sent",
    "next_print_job",
    "outbox_failures",
    "own_scan_nonces",
    "own_walkin_ids",
    "pending",
    "preview_registrations",
    "print_done",
    "print_failed",
    "print_job",
    "print_jobs",
    "print_uncertain",
    "purge_attendee_data",
    "queue_print",
    "record",
    "request_badge",
    "route_print_job",
    "save_event",
    "scans",
    "scans_of",
    "schema_version",
    "search",
    "session",
    "session_inside",
    "sessions",
    "set_badge_name",
    "set_meta",
    "set_print_job",
    "settle_interrupted_prints",
    "staff_actions",
    "sync_conflicts",
    "sync_cursor",
    "ticket_facts",
    "transaction",
    "upsert_registrations",
]


@pytest.mark.parametrize("name", NAMES)
def test_every_name_imported_from_sync_store_still_is(name):
    assert hasattr(importlib.import_module("sync.store"), name)


def test_the_codec_names_are_the_wire_modules_not_copies():
    for name in ("registration_to_dict", "scan_from_dict", "utc_text", "SCAN_TIME_MIN"):
        assert getattr(sync.store, name) is getattr(sync.wire, name)


def test_local_store_keeps_every_method_over_one_connection(tmp_path):
    assert len(METHODS) == 61
    missing = [m for m in METHODS if not hasattr(LocalStore, m)]
    assert missing == []
    scan = Scan("n1", "door", datetime(2026, 12, 8, 9, tzinfo=UTC), "C1", "R1",
                ScanKind.ENTRY, True, "ok", day=1)  # fmt: skip
    with LocalStore(tmp_path / "kiosk.db") as store:
        assert store.schema_version == sync.store.SCHEMA_VERSION
        # the families share one transaction: a failure undoes the scan log, the outbox,
        # the print queue and the meta table together
        with pytest.raises(RuntimeError), store.transaction():
            store.record(scan, PrintRequest("R1", PrintReason.CHECKIN))
            store.set_meta("x", "y")
            raise RuntimeError("interrupted")
        assert (store.scans(), store.pending(), store.print_jobs(), store.get_meta("x")) == (
            [],
            [],
            [],
            None,
        )
