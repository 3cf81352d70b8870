"""The store's schema: the migrations, one per ``PRAGMA user_version`` step, and the file.

A new step is a new key of ``_MIGRATIONS`` and ``SCHEMA_VERSION`` raised to it; a store
written by a newer program (a higher user_version) is refused, never downgraded.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from kiosk.errors import StorageError

SCHEMA_VERSION = 3

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE registrations (
        id TEXT PRIMARY KEY,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        email TEXT NOT NULL DEFAULT '',
        organisation TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL,
        ticket_type TEXT NOT NULL DEFAULT '',
        days TEXT NOT NULL DEFAULT '',
        sessions TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        lang TEXT,
        valid_from TEXT,
        valid_until TEXT,
        badge_name TEXT NOT NULL DEFAULT '',
        print_count INTEGER NOT NULL DEFAULT 0,
        country TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        fingerprint TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE codes (
        code TEXT NOT NULL,
        registration_id TEXT NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
        PRIMARY KEY (code, registration_id)
    );
    CREATE INDEX codes_by_registration ON codes(registration_id);
    CREATE VIRTUAL TABLE registrations_fts USING fts5(
        words, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        room TEXT NOT NULL DEFAULT '',
        day INTEGER NOT NULL,
        start TEXT NOT NULL,
        end TEXT NOT NULL,
        capacity INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE scans (
        seq INTEGER PRIMARY KEY,
        nonce TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL,
        kiosk_name TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        day INTEGER,
        code TEXT NOT NULL,
        registration_id TEXT,
        kind TEXT NOT NULL,
        accepted INTEGER NOT NULL,
        reason TEXT NOT NULL,
        session_id TEXT,
        staff TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        forced INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL DEFAULT 'local'
    );
    CREATE INDEX scans_by_registration ON scans(registration_id, at);
    CREATE INDEX scans_by_session ON scans(session_id, registration_id)
        WHERE session_id IS NOT NULL;
    CREATE TRIGGER scans_are_append_only BEFORE UPDATE ON scans
        BEGIN SELECT RAISE(ABORT, 'the scan log is append-only'); END;
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE print_jobs (
        id INTEGER PRIMARY KEY,
        registration_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        staff TEXT NOT NULL DEFAULT '',
        printer TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        printed_at TEXT,
        scan_nonce TEXT
    );
    CREATE INDEX print_jobs_waiting ON print_jobs(status, id);
    CREATE TABLE staff_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        staff TEXT NOT NULL,
        action TEXT NOT NULL,
        registration_id TEXT,
        detail TEXT NOT NULL DEFAULT ''
    );
    """,
    # At most one badge waiting per registration (pending, printing, uncertain, to print at
    # the desk, held for staff): a second copy on a tray can be taken by the next person.
    # Duplicates queued by older versions are cancelled, keeping the one being sent or
    # interrupted mid-badge (it may be in the tray: a pending copy would print beside it),
    # else the oldest.
    2: """
    UPDATE print_jobs SET status = 'cancelled',
        last_error = 'a second badge waiting for the same person: cancelled'
        WHERE status IN ('pending', 'printing', 'uncertain', 'desk', 'held')
        AND id NOT IN (SELECT id FROM (SELECT id, row_number() OVER (
                PARTITION BY registration_id
                ORDER BY CASE status WHEN 'printing' THEN 0 WHEN 'uncertain' THEN 1 ELSE 2 END,
                    id) AS rank
            FROM print_jobs
            WHERE status IN ('pending', 'printing', 'uncertain', 'desk', 'held'))
            WHERE rank = 1);
    CREATE UNIQUE INDEX print_jobs_one_waiting ON print_jobs(registration_id)
        WHERE status IN ('pending', 'printing', 'uncertain', 'desk', 'held')
    """,
    # pretix check-in lists as pulled (door '' is the entrance, else a session id), the
    # order-position facts their checks read, and the ids a full pull has seen so far.
    3: """
    CREATE TABLE checkin_lists (
        door TEXT PRIMARY KEY,
        list_id INTEGER NOT NULL,
        config TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE ticket_facts (
        registration_id TEXT PRIMARY KEY,
        facts TEXT NOT NULL
    );
    CREATE TABLE pull_seen (registration_id TEXT PRIMARY KEY);
    """,
}


class StoreError(StorageError, RuntimeError):
    """The store file cannot be used (newer schema, not a store, unreadable)."""


def create_private(path: Path) -> None:
    """Create the file (and folder) readable by its owner only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def migrate(
    db: sqlite3.Connection, transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]
) -> None:
    """Bring the file to SCHEMA_VERSION, one step per transaction (``transaction()`` gives
    it). Raises sqlite3.DatabaseError for a file of a newer program."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"schema version {version} is newer than this program's {SCHEMA_VERSION}"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with transaction() as tx:
            for statement in _MIGRATIONS[target].split(";\n"):
                if statement.strip():
                    tx.execute(statement)
            tx.execute(f"PRAGMA user_version={target}")
