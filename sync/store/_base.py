"""The database object every table family of the store shares: one connection, one lock."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from sync.store.schema import StoreError, create_private, migrate
from sync.wire import utc_text


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Database:
    """The store's one SQLite connection, its lock, transactions, meta and staff log.

    One connection guarded by a lock: the UI, the camera worker and the sync engine may
    call it from different threads. Every write commits before it returns.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        create_private(self.path)
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            migrate(self._db, self.transaction)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a usable Accueil store ({exc})") from None
        for suffix in ("-wal", "-shm"):
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                os.chmod(side, 0o600)

    # -- plumbing -------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; rolled back whole on any exception.

        Nested calls on the same thread join the outer transaction, which commits (or rolls
        back) everything at its end.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def exclusive(self) -> AbstractContextManager[object]:
        """Hold the store, across threads and processes, from a decision to its commit.

        What a scan reads (history, session count) and what it writes are one
        transaction, so two scans of one code can never both be first.
        """
        return self.transaction()

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    @property
    def schema_version(self) -> int:
        return int(self._query("PRAGMA user_version")[0][0])

    # -- meta -------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: str, db: sqlite3.Connection | None = None) -> None:
        sql = "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value"
        if db is not None:
            db.execute(sql, (key, value))
            return
        with self.transaction() as tx:
            tx.execute(sql, (key, value))

    # -- staff log ------------------------------------------------------------------------

    def _staff_log(
        self,
        db: sqlite3.Connection,
        staff: str,
        action: str,
        registration_id: str | None,
        detail: str,
    ) -> None:
        db.execute(
            "INSERT INTO staff_log(at, staff, action, registration_id, detail) VALUES (?, ?, ?, ?, ?)",
            (utc_text(datetime.now(UTC)), staff, action, registration_id, detail),
        )

    def staff_actions(self, registration_id: str | None = None) -> list[dict[str, object]]:
        if registration_id is None:
            rows = self._query("SELECT * FROM staff_log ORDER BY id")
        else:
            rows = self._query(
                "SELECT * FROM staff_log WHERE registration_id = ? ORDER BY id", (registration_id,)
            )
        return [dict(r) for r in rows]
