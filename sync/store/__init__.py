"""The kiosk's local store: one SQLite file, WAL, synchronous=FULL, owner-only.

It holds the synced registration list, sessions, the append-only scan log, the outbox of
what still has to be uploaded, the badge print queue and the staff action log. One module
per table family (``registrations``, ``scans``, ``print_jobs``, ``pretix``, ``sync_state``)
over one ``Database`` (``_base``: the connection, its lock, transactions); ``schema`` holds
the migrations. ``LocalStore`` composes them and writes what spans families (a check-in,
a walk-in) in one transaction. The JSON shapes it stores and uploads are ``sync.wire``'s.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from kiosk.core.model import Registration, Scan, ScanKind
from kiosk.core.ports import PrintRequest
from sync.store.print_jobs import PrintQueue
from sync.store.registrations import UpsertCounts
from sync.store.schema import _MIGRATIONS, SCHEMA_VERSION, StoreError
from sync.store.sync_state import SyncState

# The codec once lived here: these names stay importable from sync.store.
from sync.wire import (
    SCAN_TIME_MAX,
    SCAN_TIME_MIN,
    facts_from_dict,
    facts_to_dict,
    list_from_dict,
    list_to_dict,
    registration_from_dict,
    registration_to_dict,
    scan_from_dict,
    scan_time,
    scan_to_dict,
    utc_text,
)

__all__ = [
    "SCAN_TIME_MAX",
    "SCAN_TIME_MIN",
    "SCHEMA_VERSION",
    "_MIGRATIONS",
    "LocalStore",
    "StoreError",
    "UpsertCounts",
    "facts_from_dict",
    "facts_to_dict",
    "list_from_dict",
    "list_to_dict",
    "registration_from_dict",
    "registration_to_dict",
    "scan_from_dict",
    "scan_time",
    "scan_to_dict",
    "utc_text",
]


class LocalStore(SyncState, PrintQueue):
    """SQLite-backed RegistrationStore, ScanLog, Outbox and PrintQueue for one kiosk.

    One connection guarded by a lock: the UI, the camera worker and the sync engine may
    call it from different threads. Every write commits before it returns.
    """

    def record(self, scan: Scan, print_request: PrintRequest | None = None) -> int | None:
        """Append the scan, queue its upload and its badge, in one committed transaction."""
        with self.transaction() as db:
            self._insert_scan(db, scan, origin="local")
            if scan.kind is ScanKind.UNDO:  # a badge not printed yet goes with its check-in
                db.execute(
                    "UPDATE print_jobs SET status = 'cancelled' WHERE scan_nonce = ? "
                    "AND status IN ('pending', 'desk', 'held')",
                    (scan.code,),
                )
            db.execute(
                "INSERT INTO outbox(kind, key, payload, created_at) VALUES ('scan', ?, ?, ?)",
                (scan.nonce, json.dumps(scan_to_dict(scan)), utc_text(scan.at)),
            )
            if print_request is None:
                return None
            return self._request_badge(
                db, print_request, "", replace=False, at=scan.at, scan_nonce=scan.nonce
            ).job_id

    def add_walkin(self, registration: Registration, staff: str) -> None:
        """Store a registration made at the desk and queue it for upload, atomically.

        Raises CodeClashError, writing nothing, when its code already belongs to someone.
        """
        now = utc_text(datetime.now(UTC))
        with self.transaction() as db:
            self._refuse_clashes(db, [registration])
            self._upsert(db, registration, "walkin", now)
            self.enqueue_upload(
                db, "registration", registration.id, json.dumps(registration_to_dict(registration))
            )
            self._staff_log(db, staff, "walkin", registration.id, registration.full_name)
