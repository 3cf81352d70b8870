"""The registrations, their codes and search index, the event and its sessions."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from kiosk.core.codes import CodeClash, CodeClashError, code_clashes
from kiosk.core.model import Event, Lang, Registration, Role, Session, Status
from kiosk.core.normalize import fold, tokens
from sync.store._base import Database, _time
from sync.wire import event_from_dict, event_to_dict, utc_text

_REG_COLUMNS = (
    "id, first_name, last_name, email, organisation, role, ticket_type, days, sessions, "
    "status, lang, valid_from, valid_until, badge_name, print_count, country"
)


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


class Registrations(Database):
    """The registration list (RegistrationStore), the event and its sessions."""

    def save_event(self, event: Event, sessions: Sequence[Session]) -> None:
        """Replace the event definition and upsert its sessions, in one transaction."""
        with self.transaction() as db:  # the event.json shape, sessions in their table
            self.set_meta("event", json.dumps(event_to_dict(event)), db)
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
        return event_from_dict(json.loads(raw))[0]

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

    def _clashes(self, db: sqlite3.Connection, regs: Sequence[Registration]) -> list[CodeClash]:
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

    def own_walkin_ids(self) -> list[str]:
        """Walk-in registrations this kiosk holds (its own, and others' it pulled)."""
        rows = self._query(
            "SELECT id FROM registrations WHERE source = 'walkin' OR ticket_type = 'walk-in' "
            "ORDER BY id"
        )
        return [r[0] for r in rows]


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
