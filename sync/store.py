"""The kiosk's local store: one SQLite file, WAL, synchronous=FULL, owner-only.

It holds the synced registration list, sessions, the append-only scan log, the outbox of
what still has to be uploaded, the badge print queue and the staff action log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.core.checkin_list import CheckinList, TicketFacts
from kiosk.core.codes import CodeClash, CodeClashError, code_clashes
from kiosk.core.model import (
    Event,
    EventDay,
    Lang,
    Registration,
    Role,
    Scan,
    ScanHistory,
    ScanKind,
    Session,
    Status,
)
from kiosk.core.normalize import fold, tokens
from kiosk.core.ports import (
    OutboxItem,
    PrintJob,
    PrintJobConflict,
    PrintReason,
    PrintRequest,
    QueuedBadge,
)
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

# The statuses of a badge that may still come out (kiosk.core.ports.WAITING_STATUSES):
# at most one per registration, enforced by the print_jobs_one_waiting index.
_WAITING_SQL = "('pending', 'printing', 'uncertain', 'desk', 'held')"

_REG_COLUMNS = (
    "id, first_name, last_name, email, organisation, role, ticket_type, days, sessions, "
    "status, lang, valid_from, valid_until, badge_name, print_count, country"
)


class StoreError(StorageError, RuntimeError):
    """The store file cannot be used (newer schema, not a store, unreadable)."""


_log = logging.getLogger(__name__)

# The scan times any kiosk can have made. A time outside them (year 1, year 9999) is a
# bad value, not a scan: converting it to a local time zone overflows ``datetime``.
SCAN_TIME_MIN = datetime(1970, 1, 1, tzinfo=UTC)
SCAN_TIME_MAX = datetime(2100, 1, 1, tzinfo=UTC)


def scan_time(text: object) -> datetime:
    """An ISO 8601 scan time with a UTC offset, between SCAN_TIME_MIN and SCAN_TIME_MAX.

    Raises ValueError for anything else (no offset, out of range, not a time).
    """
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError(f"scan time {str(text)[:60]!r}: expected an ISO 8601 text")
    when = datetime.fromisoformat(text)
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"scan time {text!r} has no UTC offset")
    if abs(when.utcoffset() or timedelta()) > timedelta(hours=14):
        raise ValueError(f"scan time {text!r}: UTC offset beyond ±14:00")
    if not SCAN_TIME_MIN <= when < SCAN_TIME_MAX:
        raise ValueError(
            f"scan time {text!r} is outside {SCAN_TIME_MIN.year}-{SCAN_TIME_MAX.year - 1}"
        )
    return when


def utc_text(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("naive datetime: store times must be time-zone aware")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _create_private(path: Path) -> None:
    """Create the file (and folder) readable by its owner only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


_BATCH = 500
_UPSERT_SQL = (
    "INSERT INTO registrations(id, first_name, last_name, email, organisation, role, "
    "ticket_type, days, sessions, status, lang, valid_from, valid_until, badge_name, "
    "print_count, country, source, updated_at, fingerprint) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET first_name=excluded.first_name, "
    "last_name=excluded.last_name, email=excluded.email, "
    "organisation=excluded.organisation, role=excluded.role, "
    "ticket_type=excluded.ticket_type, days=excluded.days, sessions=excluded.sessions, "
    "status=excluded.status, lang=excluded.lang, valid_from=excluded.valid_from, "
    "valid_until=excluded.valid_until, "
    "badge_name=CASE WHEN excluded.badge_name != '' THEN excluded.badge_name "
    "ELSE registrations.badge_name END, "
    "print_count=max(registrations.print_count, excluded.print_count), "
    "country=excluded.country, source=excluded.source, updated_at=excluded.updated_at, "
    "fingerprint=excluded.fingerprint"
)


def _registration_values(reg: Registration) -> tuple[object, ...]:
    return (
        reg.id,
        reg.first_name,
        reg.last_name,
        reg.email,
        reg.organisation,
        reg.role.value,
        reg.ticket_type,
        ",".join(str(d) for d in sorted(reg.days)),
        ",".join(sorted(reg.sessions)),
        reg.status.value,
        reg.lang.value if reg.lang else None,
        utc_text(reg.valid_from) if reg.valid_from else None,
        utc_text(reg.valid_until) if reg.valid_until else None,
        reg.badge_name,
        reg.print_count,
        reg.country,
    )


def _fingerprint(reg: Registration, values: tuple[object, ...] | None = None) -> str:
    """What tells an unchanged registration from a changed one on re-import."""
    values = values if values is not None else _registration_values(reg)
    return hashlib.sha1(repr((values, reg.codes)).encode()).hexdigest()


def _search_words(reg: Registration, badge_name: str) -> str:
    """What name search matches: folded names, organisation and e-mail."""
    names = tokens(f"{reg.first_name} {reg.last_name} {badge_name} {reg.organisation}")
    return " ".join([*names, fold(reg.email)])


class LocalStore:
    """SQLite-backed RegistrationStore, ScanLog and Outbox for one kiosk.

    One connection guarded by a lock: the UI, the camera worker and the sync engine may
    call it from different threads. Every write commits before it returns.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        _create_private(self.path)
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._migrate()
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

    def __enter__(self) -> LocalStore:
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

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {version} is newer than this program's {SCHEMA_VERSION}"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction() as db:
                for statement in _MIGRATIONS[target].split(";\n"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={target}")

    @property
    def schema_version(self) -> int:
        return int(self._query("PRAGMA user_version")[0][0])

    # -- meta and event -------------------------------------------------------------------

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

    def save_event(self, event: Event, sessions: Sequence[Session]) -> None:
        """Replace the event definition and upsert its sessions, in one transaction."""
        payload = {
            "slug": event.slug,
            "name": event.name,
            "timezone": event.timezone,
            "days": [{"number": d.number, "date": d.date.isoformat()} for d in event.days],
        }
        with self.transaction() as db:
            self.set_meta("event", json.dumps(payload), db)
            db.executemany(
                "INSERT INTO sessions(id, title, room, day, start, end, capacity) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "title=excluded.title, room=excluded.room, day=excluded.day, "
                "start=excluded.start, end=excluded.end, capacity=excluded.capacity",
                [
                    (
                        s.id,
                        s.title,
                        s.room,
                        s.day,
                        s.start.isoformat(),
                        s.end.isoformat(),
                        s.capacity,
                    )
                    for s in sessions
                ],
            )

    def event(self) -> Event | None:
        raw = self.get_meta("event")
        if raw is None:
            return None
        data = json.loads(raw)
        return Event(
            slug=data["slug"],
            name=data["name"],
            timezone=data.get("timezone", "UTC"),
            days=tuple(EventDay(d["number"], date.fromisoformat(d["date"])) for d in data["days"]),
        )

    # -- registrations --------------------------------------------------------------------

    def upsert_registrations(
        self, registrations: Iterable[Registration], source: str = "import"
    ) -> UpsertCounts:
        """Insert or update by id, codes and search index included; all or nothing.

        A registration identical to the stored one is left alone, so re-importing the
        same file changes nothing.
        """
        now = utc_text(datetime.now(UTC))
        regs = list(registrations)
        counts = UpsertCounts()
        with self.transaction() as db:
            for start in range(0, len(regs), _BATCH):
                counts += self._upsert_many(db, regs[start : start + _BATCH], source, now)
        return counts

    def import_registrations(
        self, registrations: Iterable[Registration], source: str = "import"
    ) -> UpsertCounts:
        """``upsert_registrations`` under the code-ownership rule (``kiosk.core.codes``).

        Raises CodeClashError, writing nothing, when a code would belong to a second
        registration: one already in the store, or another of this batch. Pulled rows
        (``apply_pull``) are the source's word and are not policed here; the door still
        answers ``ambiguous`` for a code the source shares.
        """
        return self.import_batches([(source, list(registrations))])[0]

    def import_batches(
        self, batches: Sequence[tuple[str, Sequence[Registration]]]
    ) -> list[UpsertCounts]:
        """Several files' registrations in one transaction, one UpsertCounts per batch (in
        order): all or nothing, under the code-ownership rule (see import_registrations)."""
        now = utc_text(datetime.now(UTC))
        results: list[UpsertCounts] = []
        with self.transaction() as db:
            self._refuse_clashes(db, [reg for _, regs in batches for reg in regs])
            for source, regs in batches:
                counts = UpsertCounts()
                for start in range(0, len(regs), _BATCH):
                    counts += self._upsert_many(db, regs[start : start + _BATCH], source, now)
                results.append(counts)
        return results

    def code_clashes(self, registrations: Sequence[Registration]) -> list[CodeClash]:
        """What ``import_registrations`` would refuse, without writing (a dry run)."""
        with self._lock:
            return self._clashes(self._db, registrations)

    def preview_registrations(self, registrations: Iterable[Registration]) -> UpsertCounts:
        """The counts ``upsert_registrations`` would return, without writing anything."""
        regs = list(registrations)
        counts = UpsertCounts()
        with self._lock:
            for start in range(0, len(regs), _BATCH):
                batch = regs[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                known = dict(
                    self._db.execute(
                        f"SELECT id, fingerprint FROM registrations WHERE id IN ({marks})",
                        [r.id for r in batch],
                    ).fetchall()
                )
                for reg in batch:
                    if reg.id not in known:
                        counts.added += 1
                    elif known[reg.id] == _fingerprint(reg):
                        counts.unchanged += 1
                    else:
                        counts.updated += 1
        return counts

    def _clashes(
        self, db: sqlite3.Connection, regs: Sequence[Registration]
    ) -> list[CodeClash]:
        codes = list({code for reg in regs for code in reg.codes})
        owners: dict[str, list[str]] = {}
        for start in range(0, len(codes), _BATCH):
            part = codes[start : start + _BATCH]
            marks = ",".join("?" * len(part))
            for code, owner in db.execute(
                f"SELECT code, registration_id FROM codes WHERE code IN ({marks})", part
            ):
                owners.setdefault(code, []).append(owner)
        # an update that carries codes replaces the stored ones; one without keeps them
        releasing = {reg.id for reg in regs if reg.codes}
        return code_clashes(regs, owners, releasing)

    def _refuse_clashes(self, db: sqlite3.Connection, regs: Sequence[Registration]) -> None:
        clashes = self._clashes(db, regs)
        if clashes:
            raise CodeClashError(clashes)

    def _upsert(self, db: sqlite3.Connection, reg: Registration, source: str, now: str) -> str:
        """Write one registration; return 'added', 'updated' or 'unchanged'."""
        counts = self._upsert_many(db, [reg], source, now)
        return "added" if counts.added else "updated" if counts.updated else "unchanged"

    def _upsert_many(
        self, db: sqlite3.Connection, regs: Sequence[Registration], source: str, now: str
    ) -> UpsertCounts:
        """Write a batch inside the caller's transaction, a statement per table, not per row."""
        ids = [r.id for r in regs]
        marks = ",".join("?" * len(ids))
        known = {
            row[0]: (row[1], row[2])
            for row in db.execute(
                f"SELECT id, fingerprint, badge_name FROM registrations WHERE id IN ({marks})", ids
            )
        }
        counts = UpsertCounts()
        rows, changed = [], []
        for reg in regs:
            values = _registration_values(reg)
            fingerprint = _fingerprint(reg, values)
            old = known.get(reg.id)
            if old is not None and old[0] == fingerprint:
                counts.unchanged += 1
                continue
            if old is None:
                counts.added += 1
            else:
                counts.updated += 1
            # a badge-name correction made here survives a pull that carries none
            badge_name = reg.badge_name or (old[1] if old else "")
            rows.append((*values, source, now, fingerprint))
            changed.append((reg, old is not None, badge_name))
        if not rows:
            return counts
        db.executemany(_UPSERT_SQL, rows)
        changed_ids = [reg.id for reg, _, _ in changed]
        marks = ",".join("?" * len(changed_ids))
        rowids = dict(
            db.execute(f"SELECT id, rowid FROM registrations WHERE id IN ({marks})", changed_ids)
        )
        updated = [(rowids[reg.id],) for reg, was_known, _ in changed if was_known]
        db.executemany("DELETE FROM registrations_fts WHERE rowid = ?", updated)
        db.executemany(
            "DELETE FROM codes WHERE registration_id = ?",
            [(reg.id,) for reg, was_known, _ in changed if was_known and reg.codes],
        )
        db.executemany(
            "INSERT OR IGNORE INTO codes(code, registration_id) VALUES (?, ?)",
            [(code, reg.id) for reg, _, _ in changed for code in reg.codes],
        )
        db.executemany(
            "INSERT INTO registrations_fts(rowid, words) VALUES (?, ?)",
            [(rowids[reg.id], _search_words(reg, badge_name)) for reg, _, badge_name in changed],
        )
        return counts

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

    def add_codes(self, registration_id: str, codes: Sequence[str]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO codes(code, registration_id) VALUES (?, ?)",
                [(c, registration_id) for c in codes],
            )

    def _registrations(self, where: str, params: Sequence[object]) -> list[Registration]:
        rows = self._query(f"SELECT rowid, {_REG_COLUMNS} FROM registrations WHERE {where}", params)
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        codes: dict[str, list[str]] = {i: [] for i in ids}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            for code_row in self._query(
                f"SELECT registration_id, code FROM codes WHERE registration_id IN ({marks}) "
                "ORDER BY rowid",
                chunk,
            ):
                codes[code_row[0]].append(code_row[1])
        return [_registration(r, tuple(codes[r["id"]])) for r in rows]

    def get(self, registration_id: str) -> Registration | None:
        found = self._registrations("id = ?", (registration_id,))
        return found[0] if found else None

    def find_by_code(self, code: str) -> list[Registration]:
        return self._registrations(
            "id IN (SELECT registration_id FROM codes WHERE code = ?)", (code,)
        )

    def all_registrations(self) -> list[Registration]:
        return self._registrations("1 = 1 ORDER BY last_name, first_name", ())

    def count_registrations(self) -> int:
        return int(self._query("SELECT count(*) FROM registrations")[0][0])

    def search(self, text: str, limit: int = 20) -> list[Registration]:
        """Registrations whose name, organisation or e-mail words start with every typed word."""
        # SQLite reads the FTS5 query as a C string: a NUL would end it inside a quote.
        words = [w for w in (t.replace("\x00", "") for t in tokens(text)) if w]
        if not words:
            return []
        query = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
        return self._registrations(
            "rowid IN (SELECT rowid FROM registrations_fts WHERE registrations_fts MATCH ? "
            "ORDER BY rank LIMIT ?) ORDER BY last_name, first_name",
            (query, limit),
        )

    def set_badge_name(self, registration_id: str, name: str, staff: str) -> None:
        """Correct the name printed on the badge (the registration itself stays as synced)."""
        reg = self.get(registration_id)
        if reg is None:
            raise LookupError(f"no registration {registration_id!r}")
        with self.transaction() as db:
            rowid = db.execute(
                "UPDATE registrations SET badge_name = ? WHERE id = ? RETURNING rowid",
                (name.strip(), reg.id),
            ).fetchone()[0]
            db.execute(
                "UPDATE registrations_fts SET words = ? WHERE rowid = ?",
                (_search_words(reg, name.strip()), rowid),
            )
            self._staff_log(db, staff, "badge_name", reg.id, f"{reg.name_on_badge} -> {name}")

    # -- sessions -------------------------------------------------------------------------

    def session(self, session_id: str) -> Session | None:
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(rows[0]) if rows else None

    def sessions(self) -> list[Session]:
        return [_session(r) for r in self._query("SELECT * FROM sessions ORDER BY day, start")]

    # -- scan log -------------------------------------------------------------------------

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

    def _insert_scan(self, db: sqlite3.Connection, scan: Scan, origin: str) -> bool:
        cursor = db.execute(
            "INSERT INTO scans(nonce, kiosk_id, kiosk_name, at, day, code, registration_id, "
            "kind, accepted, reason, session_id, staff, note, forced, origin) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(nonce) DO NOTHING",
            (
                scan.nonce,
                scan.kiosk_id,
                scan.kiosk_name,
                utc_text(scan.at),
                scan.day,
                scan.code,
                scan.registration_id,
                scan.kind.value,
                int(scan.accepted),
                scan.reason,
                scan.session_id,
                scan.staff,
                scan.note,
                int(scan.forced),
                origin,
            ),
        )
        return cursor.rowcount == 1

    def add_remote_scans(self, scans: Iterable[Scan]) -> int:
        """Scans made at other kiosks, pulled from the hub; known nonces are skipped."""
        with self.transaction() as db:
            return sum(self._insert_scan(db, s, origin="remote") for s in scans)

    def history(self, registration_id: str) -> ScanHistory:
        rows = self._query(
            "SELECT * FROM scans WHERE registration_id = ? AND accepted = 1 ORDER BY at, seq",
            (registration_id,),
        )
        return ScanHistory(tuple(_readable_scans(rows)))

    def scans_of(self, registration_id: str) -> list[Scan]:
        """Every scan of the registration, refused ones included (staff detail screen)."""
        rows = self._query(
            "SELECT * FROM scans WHERE registration_id = ? ORDER BY at, seq", (registration_id,)
        )
        return list(_readable_scans(rows))

    def session_inside(self, session_id: str) -> int:
        """People whose last live move at this session's doors was an entry."""
        rows = self._query(
            "SELECT count(*) FROM ("
            "  SELECT kind, max(at || printf('%012d', seq)) FROM scans"
            "  WHERE session_id = ? AND accepted = 1"
            "    AND kind IN ('session_entry', 'session_exit')"
            "    AND nonce NOT IN (SELECT code FROM scans WHERE kind = 'undo' AND accepted = 1)"
            "  GROUP BY registration_id"
            ") WHERE kind = 'session_entry'",
            (session_id,),
        )
        return int(rows[0][0])

    def scans(
        self, since_seq: int = 0, limit: int | None = None, origin: str | None = None
    ) -> list[Scan]:
        """Scans in log order; origin 'local' (made here) or 'remote' (pulled) filters them."""
        sql = "SELECT * FROM scans WHERE seq > ?"
        params: list[object] = [since_seq]
        if origin is not None:
            sql += " AND origin = ?"
            params.append(origin)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return list(_readable_scans(self._query(sql, params)))

    def count_scans(self, accepted: bool | None = None) -> int:
        if accepted is None:
            return int(self._query("SELECT count(*) FROM scans")[0][0])
        return int(
            self._query("SELECT count(*) FROM scans WHERE accepted = ?", (int(accepted),))[0][0]
        )

    # -- outbox ---------------------------------------------------------------------------

    def pending(self, limit: int = 500) -> list[OutboxItem]:
        rows = self._query(
            "SELECT seq, kind, key, payload, attempts FROM outbox ORDER BY seq LIMIT ?", (limit,)
        )
        return [OutboxItem(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def mark_sent(self, seqs: Sequence[int]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])

    def mark_failed(self, seqs: Sequence[int], error: str) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                [(error, s) for s in seqs],
            )

    def count_pending(self) -> int:
        return int(self._query("SELECT count(*) FROM outbox")[0][0])

    def enqueue_upload(self, db: sqlite3.Connection, kind: str, key: str, payload: str) -> None:
        db.execute(
            "INSERT INTO outbox(kind, key, payload, created_at) VALUES (?, ?, ?, ?)",
            (kind, key, payload, utc_text(datetime.now(UTC))),
        )

    # -- print queue ----------------------------------------------------------------------

    def queue_print(self, request: PrintRequest, printer: str = "") -> int:
        """The job that will print this badge (see request_badge): its id."""
        return self.request_badge(request, printer).job_id

    def request_badge(
        self,
        request: PrintRequest,
        printer: str = "",
        *,
        replace: bool = False,
        seen: int | None = None,
    ) -> QueuedBadge:
        """Ask for a badge; at most one waits per registration, decided in this transaction.

        With none waiting, a new 'pending' job. With one waiting, that job is the badge:
        a check-in or walk-in joins it unchanged; a staff reprint (reason 'reprint') makes
        a pending, desk or held job due now on ``printer`` ('' keeps the printer it was
        moved to, else the main printer), or with ``replace`` cancels it and queues a new
        one. An 'uncertain' job (the kiosk stopped mid-badge) is cancelled by a staff
        reprint, who checked the tray, and joined by anything else; a 'printing' one is
        joined. The print_jobs_one_waiting index refuses any second waiting job, so no path
        can queue two. ``request.hold`` (a command printing it at once): a new or released
        job is 'held' instead of 'pending', for that command to claim by id.

        ``seen``: the waiting job staff were shown when they chose to print it or replace
        it. If it is no longer the one waiting (a worker printed it in the meantime), a
        new job would be a second badge: PrintJobConflict, and nothing is queued.
        """
        with self.transaction() as db:
            if seen is not None:
                row = db.execute(
                    f"SELECT status FROM print_jobs WHERE id = ? AND registration_id = ? "
                    f"AND status NOT IN {_WAITING_SQL}",
                    (seen, request.registration_id),
                ).fetchone()
                if row is not None:
                    raise PrintJobConflict(
                        f"job {seen} was {row[0]} meanwhile"
                        + (": the badge is in the tray" if row[0] == "done" else "")
                        + "; no new badge queued (a second copy could be taken by someone "
                        "else). Ask again if it is really missing."
                    )
            return self._request_badge(db, request, printer, replace=replace, at=None)

    def _request_badge(
        self,
        db: sqlite3.Connection,
        request: PrintRequest,
        printer: str,
        *,
        replace: bool,
        at: datetime | None,
        scan_nonce: str | None = None,
    ) -> QueuedBadge:
        row = db.execute(
            f"SELECT * FROM print_jobs WHERE registration_id = ? AND status IN {_WAITING_SQL}",
            (request.registration_id,),
        ).fetchone()
        staff_asked = request.reason is PrintReason.REPRINT
        previous = _print_job(row) if row is not None else None
        outcome = "queued"
        if previous is not None:
            status = previous.status
            if status == "printing" or not staff_asked:
                return QueuedBadge(previous.id, "joined", previous)
            if status == "uncertain" or replace:
                db.execute("UPDATE print_jobs SET status = 'cancelled' WHERE id = ?", (row["id"],))
                outcome = "replaced"
            else:
                db.execute(  # '' keeps a printer the job was moved to (the desk's)
                    "UPDATE print_jobs SET status = ?, next_attempt_at = NULL, "
                    "printer = CASE WHEN ? = '' THEN printer ELSE ? END, last_error = '' "
                    "WHERE id = ?",
                    ("held" if request.hold else "pending", printer, printer, previous.id),
                )
                detail = json.dumps({"job": previous.id, "joined": True, "printer": printer})
                self._staff_log(db, request.staff, "reprint", request.registration_id, detail)
                return QueuedBadge(previous.id, "joined", previous)
        cursor = db.execute(
            "INSERT INTO print_jobs(registration_id, reason, staff, printer, created_at, "
            "scan_nonce, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                request.registration_id,
                request.reason.value,
                request.staff,
                printer,
                utc_text(at or datetime.now(UTC)),
                scan_nonce,
                "held" if request.hold else "pending",
            ),
        )
        job_id = int(cursor.lastrowid or 0)
        if request.staff and scan_nonce is None:
            detail = json.dumps({"job": job_id, "replaced": previous.id}) if previous else ""
            self._staff_log(
                db, request.staff, request.reason.value, request.registration_id, detail
            )
        return QueuedBadge(job_id, outcome, previous)

    def print_jobs(self, status: str | None = None, limit: int = 200) -> list[PrintJob]:
        if status is None:
            rows = self._query("SELECT * FROM print_jobs ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._query(
                "SELECT * FROM print_jobs WHERE status = ? ORDER BY id LIMIT ?", (status, limit)
            )
        return [_print_job(r) for r in rows]

    def print_job(self, job_id: int) -> PrintJob | None:
        rows = self._query("SELECT * FROM print_jobs WHERE id = ?", (job_id,))
        return _print_job(rows[0]) if rows else None

    def next_print_job(self, now: datetime, printer: str = "") -> PrintJob | None:
        """The oldest pending job that is due, for this printer (or unassigned)."""
        rows = self._query(
            "SELECT * FROM print_jobs WHERE status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
            "AND (printer = '' OR printer = ?) ORDER BY id LIMIT 1",
            (utc_text(now), printer),
        )
        return _print_job(rows[0]) if rows else None

    def print_done(self, job_id: int, now: datetime) -> None:
        """Mark printed and count it on the registration, atomically (no double count).

        An 'uncertain' job is marked too: only the worker that took it reports, so its
        lease was ended by a wall clock jumping ahead, not by that worker dying.
        """
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE print_jobs SET status = 'done', printed_at = ?, attempts = attempts + 1 "
                "WHERE id = ? AND status IN ('pending', 'printing', 'uncertain')",
                (utc_text(now), job_id),
            )
            if cursor.rowcount:
                db.execute(
                    "UPDATE registrations SET print_count = print_count + 1 WHERE id = "
                    "(SELECT registration_id FROM print_jobs WHERE id = ?)",
                    (job_id,),
                )

    def print_failed(
        self, job_id: int, error: str, retry_at: datetime | None, *, hold: bool = False
    ) -> None:
        """Record a failed attempt; the job waits until retry_at (None: give up).

        ``hold``: a command's job goes back to 'held' (staff release it), not 'pending'.
        As in print_done, the worker's word wins over a lease a clock jump ended.
        """
        with self.transaction() as db:
            db.execute(
                "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = ?, status = CASE WHEN ? IS NULL THEN 'failed' "
                "WHEN ? THEN 'held' ELSE 'pending' END "
                "WHERE id = ? AND status IN ('pending', 'printing', 'uncertain')",
                (error, utc_text(retry_at) if retry_at else None, retry_at, hold, job_id),
            )

    def print_uncertain(self, job_id: int, error: str) -> None:
        """The whole badge was sent, then the printer went away before confirming it.

        It may be in the tray, so it becomes 'uncertain' (as after a crash mid-badge):
        staff check the tray, then reprint or cancel; it is never resent by itself.
        """
        with self.transaction() as db:
            db.execute(
                "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?, "
                "status = 'uncertain', next_attempt_at = NULL "
                "WHERE id = ? AND status IN ('pending', 'printing')",
                (error, job_id),
            )

    def set_print_job(
        self, job_id: int, staff: str, *, status: str | None = None, printer: str | None = None
    ) -> None:
        """Staff actions on a job: cancel, retry or release (status='pending'), move.

        Raises PrintJobConflict, and changes nothing, for an unknown, done or cancelled
        job, one being printed (in any process), or a retry that would make a second badge
        wait for the same person. Moving a job is one row changing printer: the first
        printer can no longer take it once this commits.
        """
        with self.transaction() as db:
            row = db.execute("SELECT * FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise PrintJobConflict(f"no print job {job_id}")
            if row["status"] in ("done", "cancelled"):
                raise PrintJobConflict(f"job {job_id} is already {row['status']}")
            if row["status"] == "printing":
                raise PrintJobConflict(f"job {job_id} is printing right now")
            if status is not None and status != "cancelled":
                other = db.execute(
                    f"SELECT id FROM print_jobs WHERE registration_id = ? AND id != ? "
                    f"AND status IN {_WAITING_SQL}",
                    (row["registration_id"], job_id),
                ).fetchone()
                if other is not None:
                    raise PrintJobConflict(
                        f"a badge for {row['registration_id']} is already waiting "
                        f"(job {other[0]}): print or cancel that one"
                    )
            if status is not None:
                db.execute(
                    "UPDATE print_jobs SET status = ?, next_attempt_at = NULL WHERE id = ?",
                    (status, job_id),
                )
            if printer is not None:
                db.execute("UPDATE print_jobs SET printer = ? WHERE id = ?", (printer, job_id))
            detail = json.dumps({"job": job_id, "status": status, "printer": printer})
            self._staff_log(db, staff, "print_job", row["registration_id"], detail)

    def route_print_job(
        self, job_id: int, *, status: str = "pending", printer: str | None = None, note: str = ""
    ) -> bool:
        """Send a pending job elsewhere: to ``printer``, or set aside as 'desk' or 'held'.

        Only a job still 'pending' moves (one UPDATE, so a worker cannot claim it on the
        old printer afterwards), or a 'held' one stays held with the note; returns False
        when it was already taken, printed or cancelled. ``note`` is shown to staff as the job's last error.
        """
        if status not in ("pending", "desk", "held"):
            raise ValueError(f"cannot route a job to status {status!r}")
        with self.transaction() as db:
            return (
                db.execute(
                    "UPDATE print_jobs SET status = ?, printer = coalesce(?, printer), "
                    "next_attempt_at = NULL, last_error = ? WHERE id = ? "
                    "AND (status = 'pending' OR (status = 'held' AND ? = 'held'))",
                    (status, printer, note, job_id, status),
                ).rowcount
                == 1
            )

    def count_print_jobs(self, status: str = "pending") -> int:
        return int(self._query("SELECT count(*) FROM print_jobs WHERE status = ?", (status,))[0][0])

    def claim_print_job(
        self,
        now: datetime,
        lease_until: datetime,
        printer: str = "",
        *,
        job_id: int | None = None,
        assigned_only: bool = False,
    ) -> PrintJob | None:
        """Take the oldest due job for a printer, hidden from other workers until lease_until.

        Unassigned jobs ('' printer) go to the main printer; a printer with assigned_only
        takes only the jobs moved to it. The job is 'printing' until done or failed; one
        whose worker died mid-print is never printed again by itself (the badge may have come
        out, and a second copy in the tray could go to the next attendee): when the lease
        ends, settle_interrupted_prints marks it 'uncertain' for staff to check.
        """
        # A retry time later than the lease being granted was written by a clock that has
        # since gone back (no back-off is that long): the job is due now, not in an hour.
        sql = (
            "SELECT * FROM print_jobs WHERE status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ? OR next_attempt_at > ?) "
            + ("AND printer = ? " if assigned_only else "AND (printer = ? OR printer = '') ")
        )
        params: list[object] = [utc_text(now), utc_text(lease_until), printer]
        if job_id is not None:  # a command printing its own job: a 'held' one too
            sql = sql.replace("status = 'pending'", "status IN ('pending', 'held')", 1)
            sql += "AND id = ? "
            params.append(job_id)
        with self.transaction() as db:
            row = db.execute(sql + "ORDER BY id LIMIT 1", params).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE print_jobs SET status = 'printing', next_attempt_at = ? WHERE id = ?",
                (utc_text(lease_until), row["id"]),
            )
        return self.print_job(row["id"])

    def settle_interrupted_prints(self, now: datetime, latest: datetime | None = None) -> int:
        """Jobs whose printing worker died (lease over) become 'uncertain'; return how many.

        ``latest``: the end of a lease granted now. A lease ending after it was granted by
        a clock that has since gone back; it is treated as over (a live worker's report
        still wins: print_done, print_failed).
        """
        with self.transaction() as db:
            return db.execute(
                "UPDATE print_jobs SET status = 'uncertain', last_error = 'the kiosk stopped "
                "while printing this badge: check whether it came out' "
                "WHERE status = 'printing' AND (next_attempt_at <= ? OR next_attempt_at > ?)",
                (utc_text(now), utc_text(latest) if latest else "9999"),
            ).rowcount

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

    # -- sync (hub) --

    def sync_cursor(self, source: str) -> str | None:
        """Where the next incremental pull from ``source`` starts (None: a full pull)."""
        return self.get_meta(f"sync.{source}.cursor")

    def apply_pull(
        self,
        source: str,
        registrations: Sequence[Registration],
        scans: Sequence[Scan],
        cursor: str | None,
        chunk: int = 1000,
        *,
        facts: Mapping[str, TicketFacts] | None = None,
        lists: Mapping[str, CheckinList] | None = None,
        full_page: int = 0,
        full_done: bool = False,
        event: Event | None = None,
    ) -> tuple[int, int]:
        """Store one pulled page; return (registrations changed, remote scans added).

        Short transactions, so a check-in never waits long behind a big page; the cursor
        is saved with the last one. A crash before that re-pulls the page, harmlessly.

        ``facts`` (by registration id) and ``lists`` (by door) are pretix's check-in data.
        ``event``: the event definition from a source that owns it (pretix), saved when it
        differs. ``full_page`` (1, 2, …) marks the pages of a full pull: its registrations are noted,
        and with ``full_done`` the ones of this source the full pull did not bring are
        removed (they left the list); ``last_full_pull()`` says how many.
        """
        if event is not None and event != self.event():
            self.save_event(event, [])
        if lists is not None:
            self._save_lists(source, lists)
        if facts:
            with self.transaction() as db:
                db.executemany(
                    "INSERT INTO ticket_facts(registration_id, facts) VALUES (?, ?) "
                    "ON CONFLICT(registration_id) DO UPDATE SET facts=excluded.facts",
                    [(rid, json.dumps(facts_to_dict(f))) for rid, f in facts.items()],
                )
        if full_page:
            with self.transaction() as db:
                if full_page == 1:
                    db.execute("DELETE FROM pull_seen")
                db.executemany(
                    "INSERT OR IGNORE INTO pull_seen(registration_id) VALUES (?)",
                    [(r.id,) for r in registrations],
                )
        now = utc_text(datetime.now(UTC))
        work: list[tuple[str, Sequence[Registration] | Sequence[Scan]]] = [
            ("regs", registrations[i : i + chunk]) for i in range(0, len(registrations), chunk)
        ] + [("scans", scans[i : i + chunk]) for i in range(0, len(scans), chunk)]
        changed = added = 0
        for n, (what, part) in enumerate(work or [("none", [])], start=1):
            # Pulled rows can be pulled again, so they skip the fsync per commit; WAL keeps
            # commits in order, so the cursor is never durable before its rows. The lock is
            # held throughout: no check-in commits while synchronous is NORMAL.
            with self._lock:
                self._db.execute("PRAGMA synchronous=NORMAL")
                try:
                    with self.transaction() as db:
                        if what == "regs":
                            counts = self._upsert_many(db, part, source, now)  # type: ignore[arg-type]
                            changed += counts.added + counts.updated
                        else:
                            for scan in part:
                                added += self._insert_scan(db, scan, origin="remote")  # type: ignore[arg-type]
                        if n == max(len(work), 1) and cursor is not None:
                            self.set_meta(f"sync.{source}.cursor", cursor, db)
                finally:
                    self._db.execute("PRAGMA synchronous=FULL")
        if full_page and full_done:
            changed += self._retire_unseen(source)
        return changed, added

    def _retire_unseen(self, source: str) -> int:
        """Remove this source's registrations a finished full pull did not bring.

        Their scans stay in the log (nothing is lost); their codes go, so a ticket that
        left the list is refused as unknown, as pretix's list no longer holds it.
        """
        with self.transaction() as db:
            gone = [
                (row[0], row[1])
                for row in db.execute(
                    "SELECT id, rowid FROM registrations WHERE source = ? AND id NOT IN "
                    "(SELECT registration_id FROM pull_seen)",
                    (source,),
                )
            ]
            db.executemany("DELETE FROM registrations_fts WHERE rowid = ?", [(r,) for _, r in gone])
            db.executemany(
                "DELETE FROM ticket_facts WHERE registration_id = ?", [(i,) for i, _ in gone]
            )
            db.executemany("DELETE FROM registrations WHERE id = ?", [(i,) for i, _ in gone])
            db.execute("DELETE FROM pull_seen")
            report = json.loads(self.get_meta(f"sync.{source}.last_full") or "{}")
            report.update({"at": utc_text(datetime.now(UTC)), "removed": len(gone)})
            self.set_meta(f"sync.{source}.last_full", json.dumps(report), db)
        return len(gone)

    def last_full_pull(self, source: str) -> dict[str, Any]:
        """When the last full pull finished, how many registrations it removed and which
        check-in lists changed since the one before (``lists_changed``: door -> what)."""
        return dict(json.loads(self.get_meta(f"sync.{source}.last_full") or "{}"))

    def _save_lists(self, source: str, lists: Mapping[str, CheckinList]) -> None:
        """Replace the pulled check-in lists; a change of configuration is noted."""
        now = utc_text(datetime.now(UTC))
        with self.transaction() as db:
            old = {row[0]: row[1] for row in db.execute("SELECT door, config FROM checkin_lists")}
            changes: dict[str, str] = {}
            for door, clist in lists.items():
                text = json.dumps(list_to_dict(clist), sort_keys=True)
                if door not in old:
                    changes[door] = f"list {clist.id} added"
                elif old[door] != text:
                    changes[door] = f"list {clist.id} changed: " + _list_diff(old[door], text)
                db.execute(
                    "INSERT INTO checkin_lists(door, list_id, config, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(door) DO UPDATE SET list_id=excluded.list_id, "
                    "config=excluded.config, updated_at=excluded.updated_at",
                    (door, clist.id, text, now),
                )
            for door in set(old) - set(lists):
                changes[door] = "no longer configured"
                db.execute("DELETE FROM checkin_lists WHERE door = ?", (door,))
            if changes and old:
                report = json.loads(self.get_meta(f"sync.{source}.last_full") or "{}")
                report["lists_changed"] = changes
                report["lists_changed_at"] = now
                self.set_meta(f"sync.{source}.last_full", json.dumps(report), db)

    def checkin_list(self, door: str) -> CheckinList | None:
        """The pulled pretix check-in list of a door ('' the entrance, else a session id)."""
        rows = self._query("SELECT config FROM checkin_lists WHERE door = ?", (door,))
        return list_from_dict(json.loads(rows[0][0])) if rows else None

    def checkin_lists(self) -> dict[str, CheckinList]:
        rows = self._query("SELECT door, config FROM checkin_lists ORDER BY door")
        return {row[0]: list_from_dict(json.loads(row[1])) for row in rows}

    def ticket_facts(self, registration_id: str) -> TicketFacts | None:
        rows = self._query(
            "SELECT facts FROM ticket_facts WHERE registration_id = ?", (registration_id,)
        )
        return facts_from_dict(json.loads(rows[0][0])) if rows else None

    def add_sync_conflicts(self, conflicts: Sequence[dict[str, Any]]) -> int:
        """Keep the conflicts the hub reported (once each); return how many were new."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'sync.conflicts'").fetchone()
            known: list[dict[str, Any]] = json.loads(row[0]) if row else []
            seen = {(c.get("first_nonce"), c.get("second_nonce")) for c in known}
            new = [
                c for c in conflicts if (c.get("first_nonce"), c.get("second_nonce")) not in seen
            ]
            if new:
                self.set_meta("sync.conflicts", json.dumps(known + new), db)
            return len(new)

    def sync_conflicts(self) -> list[dict[str, Any]]:
        """Check-ins the hub found accepted at two kiosks on the same day (see docs/hub.md)."""
        return list(json.loads(self.get_meta("sync.conflicts") or "[]"))

    def outbox_failures(self) -> list[dict[str, object]]:
        """Outbox items that failed at least once, with the last error (sync status)."""
        rows = self._query(
            "SELECT seq, kind, key, attempts, last_error FROM outbox WHERE attempts > 0 "
            "ORDER BY seq LIMIT 100"
        )
        return [dict(r) for r in rows]

    # -- purge --

    def own_scan_nonces(self) -> list[str]:
        """Nonces of the scans made at this kiosk (not pulled from others), in log order."""
        return [
            r[0] for r in self._query("SELECT nonce FROM scans WHERE origin = 'local' ORDER BY seq")
        ]

    def own_walkin_ids(self) -> list[str]:
        """Walk-in registrations this kiosk holds (its own, and others' it pulled)."""
        rows = self._query(
            "SELECT id FROM registrations WHERE source = 'walkin' OR ticket_type = 'walk-in' "
            "ORDER BY id"
        )
        return [r[0] for r in rows]

    def purge_attendee_data(
        self, confirmed_scans: int, confirmed_last_nonce: str | None
    ) -> dict[str, int]:
        """Delete every attendee row; refuse unless nothing waits for upload and this kiosk's
        scans are still exactly the ones the hub confirmed (count and last nonce).

        One transaction, so a scan recorded after the hub's confirmation stops the purge
        instead of being lost. Then VACUUM and a WAL checkpoint, so the deleted rows leave
        the file. Returns the rows deleted per table.
        """
        with self._lock:
            self._db.execute("PRAGMA secure_delete=ON")
            with self.transaction() as db:
                pending = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
                count, last = db.execute(
                    "SELECT count(*), (SELECT nonce FROM scans WHERE origin = 'local' "
                    "ORDER BY seq DESC LIMIT 1) FROM scans WHERE origin = 'local'"
                ).fetchone()
                if pending or count != confirmed_scans or last != confirmed_last_nonce:
                    raise StoreError(
                        f"{self.path}: not purged: {pending} item(s) wait for upload and this "
                        f"kiosk holds {count} scan(s) (last {last}), the hub confirmed "
                        f"{confirmed_scans} (last {confirmed_last_nonce})"
                    )
                deleted = {
                    table: db.execute(f"DELETE FROM {table}").rowcount
                    for table in ("codes", "registrations_fts", "registrations", "scans",
                                  "outbox", "print_jobs", "staff_log")
                }  # fmt: skip
                db.execute("DELETE FROM meta WHERE key LIKE 'sync.%'")
                # Deleting FTS5 rows only appends delete markers: the name and e-mail tokens
                # stay in the index's segment pages until a merge. 'rebuild' rewrites the
                # index from its (now empty) content, so the pages holding them are freed
                # and, with secure_delete, overwritten before VACUUM drops them.
                db.execute("INSERT INTO registrations_fts(registrations_fts) VALUES ('rebuild')")
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted


def registration_to_dict(reg: Registration) -> dict[str, object]:
    """The JSON form of a registration (walk-in uploads, hub downloads)."""
    return {
        "id": reg.id,
        "first_name": reg.first_name,
        "last_name": reg.last_name,
        "codes": list(reg.codes),
        "email": reg.email,
        "organisation": reg.organisation,
        "role": reg.role.value,
        "ticket_type": reg.ticket_type,
        "days": sorted(reg.days),
        "sessions": sorted(reg.sessions),
        "status": reg.status.value,
        "lang": reg.lang.value if reg.lang else None,
        "valid_from": utc_text(reg.valid_from) if reg.valid_from else None,
        "valid_until": utc_text(reg.valid_until) if reg.valid_until else None,
        "badge_name": reg.badge_name,
        "print_count": reg.print_count,
        "country": reg.country,
    }


def registration_from_dict(data: dict[str, Any]) -> Registration:
    return Registration(
        id=str(data["id"]),
        first_name=str(data.get("first_name") or ""),
        last_name=str(data.get("last_name") or ""),
        codes=tuple(str(c) for c in data.get("codes") or ()),
        email=str(data.get("email") or ""),
        organisation=str(data.get("organisation") or ""),
        role=Role(data.get("role") or "participant"),
        ticket_type=str(data.get("ticket_type") or ""),
        days=frozenset(int(d) for d in data.get("days") or ()),
        sessions=frozenset(str(s) for s in data.get("sessions") or ()),
        status=Status(data.get("status") or "confirmed"),
        lang=Lang(data["lang"]) if data.get("lang") else None,
        valid_from=_time(data.get("valid_from")),
        valid_until=_time(data.get("valid_until")),
        badge_name=str(data.get("badge_name") or ""),
        print_count=int(data.get("print_count") or 0),
        country=str(data.get("country") or ""),
    )


def scan_to_dict(scan: Scan) -> dict[str, object]:
    """The upload form of a scan (also what the hub stores)."""
    return {
        "nonce": scan.nonce,
        "kiosk_id": scan.kiosk_id,
        "kiosk_name": scan.kiosk_name,
        "at": utc_text(scan.at),
        "day": scan.day,
        "code": scan.code,
        "registration_id": scan.registration_id,
        "kind": scan.kind.value,
        "accepted": scan.accepted,
        "reason": scan.reason,
        "session_id": scan.session_id,
        "staff": scan.staff,
        "note": scan.note,
        "forced": scan.forced,
        **({"answers": [list(a) for a in scan.answers]} if scan.answers else {}),
    }


def scan_from_dict(data: dict[str, object]) -> Scan:
    """The scan of ``scan_to_dict``; raises ValueError, KeyError or TypeError for a value no
    kiosk writes (a time out of range, a boolean that is not one, a day that is not an int).
    """
    day = data.get("day")
    if day is not None and (type(day) is not int or not 1 <= day <= 366):
        raise ValueError(f"day {str(day)[:30]!r}: expected an event day number, 1-366")
    accepted, forced = data["accepted"], data.get("forced", False)
    if type(accepted) is not bool or type(forced) is not bool:
        raise TypeError("accepted and forced must be true or false")
    return Scan(
        nonce=str(data["nonce"]),
        kiosk_id=str(data["kiosk_id"]),
        kiosk_name=str(data.get("kiosk_name") or ""),
        at=scan_time(data["at"]),
        day=day,
        code=str(data["code"]),
        registration_id=str(data["registration_id"]) if data.get("registration_id") else None,
        kind=ScanKind(str(data["kind"])),
        accepted=accepted,
        reason=str(data["reason"]),
        session_id=str(data["session_id"]) if data.get("session_id") else None,
        staff=str(data.get("staff") or ""),
        note=str(data.get("note") or ""),
        forced=forced,
        answers=tuple((str(a[0]), str(a[1])) for a in data.get("answers") or ()),  # type: ignore[attr-defined]
    )


def _split(text: str) -> list[str]:
    return [p for p in text.split(",") if p]


def _registration(row: sqlite3.Row, codes: tuple[str, ...]) -> Registration:
    return Registration(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        codes=codes,
        email=row["email"],
        organisation=row["organisation"],
        role=Role(row["role"]),
        ticket_type=row["ticket_type"],
        days=frozenset(int(d) for d in _split(row["days"])),
        sessions=frozenset(_split(row["sessions"])),
        status=Status(row["status"]),
        lang=Lang(row["lang"]) if row["lang"] else None,
        valid_from=_time(row["valid_from"]),
        valid_until=_time(row["valid_until"]),
        badge_name=row["badge_name"],
        print_count=row["print_count"],
        country=row["country"],
    )


def _session(row: sqlite3.Row) -> Session:
    return Session(
        id=row["id"],
        title=row["title"],
        room=row["room"],
        day=row["day"],
        start=datetime.fromisoformat(row["start"]),
        end=datetime.fromisoformat(row["end"]),
        capacity=row["capacity"],
    )


def _readable_scans(rows: Iterable[sqlite3.Row]) -> Iterator[Scan]:
    """The scans of these rows; a row no kiosk could have written (a time out of range,
    stored by an older version from a hostile pull) is logged and left out, never fatal."""
    for row in rows:
        try:
            yield _scan(row)
        except (ValueError, TypeError, KeyError) as exc:
            _log.warning("scan %r left out: unreadable stored row (%s)", row["nonce"], exc)


def _scan(row: sqlite3.Row) -> Scan:
    return Scan(
        nonce=row["nonce"],
        kiosk_id=row["kiosk_id"],
        kiosk_name=row["kiosk_name"],
        at=scan_time(row["at"]),
        day=row["day"],
        code=row["code"],
        registration_id=row["registration_id"],
        kind=ScanKind(row["kind"]),
        accepted=bool(row["accepted"]),
        reason=row["reason"],
        session_id=row["session_id"],
        staff=row["staff"],
        note=row["note"],
        forced=bool(row["forced"]),
    )


def _print_job(row: sqlite3.Row) -> PrintJob:
    return PrintJob(
        id=row["id"],
        registration_id=row["registration_id"],
        reason=row["reason"],
        staff=row["staff"],
        printer=row["printer"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=_time(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        printed_at=_time(row["printed_at"]),
    )


def _list_diff(old: str, new: str) -> str:
    before, after = json.loads(old), json.loads(new)
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(f"{k} {before.get(k)!r} -> {after.get(k)!r}" for k in keys)[:300]


def _time_text(when: datetime | None) -> str | None:
    return utc_text(when) if when is not None else None


def list_to_dict(clist: CheckinList) -> dict[str, object]:
    return {
        "id": clist.id,
        "name": clist.name,
        "all_products": clist.all_products,
        "products": sorted(clist.products),
        "subevent": clist.subevent,
        "include_pending": clist.include_pending,
        "allow_multiple_entries": clist.allow_multiple_entries,
        "allow_entry_after_exit": clist.allow_entry_after_exit,
        "addon_match": clist.addon_match,
        "rules": clist.rules,
        "event_from": _time_text(clist.event_from),
        "event_to": _time_text(clist.event_to),
        "event_admission": _time_text(clist.event_admission),
    }


def list_from_dict(data: Mapping[str, Any]) -> CheckinList:
    return CheckinList(
        id=int(data["id"]),
        name=str(data.get("name") or ""),
        all_products=bool(data.get("all_products")),
        products=frozenset(int(i) for i in data.get("products") or ()),
        subevent=data.get("subevent"),
        include_pending=bool(data.get("include_pending")),
        allow_multiple_entries=bool(data.get("allow_multiple_entries")),
        allow_entry_after_exit=bool(data.get("allow_entry_after_exit", True)),
        addon_match=bool(data.get("addon_match")),
        rules=data.get("rules") or None,
        event_from=_time(data.get("event_from")),
        event_to=_time(data.get("event_to")),
        event_admission=_time(data.get("event_admission")),
    )


def facts_to_dict(facts: TicketFacts) -> dict[str, object]:
    return {
        "item": facts.item,
        "variation": facts.variation,
        "subevent": facts.subevent,
        "canceled": facts.canceled,
        "order_status": facts.order_status,
        "valid_if_pending": facts.valid_if_pending,
        "require_approval": facts.require_approval,
        "blocked": facts.blocked,
        "valid_from": _time_text(facts.valid_from),
        "valid_until": _time_text(facts.valid_until),
        "attention": facts.attention,
        "texts": list(facts.texts),
        "addon_to_secret": facts.addon_to_secret,
        "questions": [list(q) for q in facts.questions],
    }


def facts_from_dict(data: Mapping[str, Any]) -> TicketFacts:
    return TicketFacts(
        item=int(data["item"]),
        variation=data.get("variation"),
        subevent=data.get("subevent"),
        canceled=bool(data.get("canceled")),
        order_status=str(data.get("order_status") or "p"),
        valid_if_pending=bool(data.get("valid_if_pending")),
        require_approval=bool(data.get("require_approval")),
        blocked=bool(data.get("blocked")),
        valid_from=_time(data.get("valid_from")),
        valid_until=_time(data.get("valid_until")),
        attention=bool(data.get("attention")),
        texts=tuple(str(t) for t in data.get("texts") or ()),
        addon_to_secret=str(data.get("addon_to_secret") or ""),
        questions=tuple((int(q[0]), str(q[1]), str(q[2])) for q in data.get("questions") or ()),
    )
