"""What sync keeps: the outbox of uploads, pull cursors, the full-pull bookkeeping, the
conflicts the hub reported, and the purge after the hub confirmed every scan.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kiosk.core.checkin_list import CheckinList, TicketFacts
from kiosk.core.model import Event, Registration, Scan
from kiosk.core.ports import OutboxItem
from sync.store.pretix import CheckinData
from sync.store.registrations import Registrations
from sync.store.scans import Scans
from sync.store.schema import StoreError
from sync.wire import utc_text


class SyncState(Registrations, Scans, CheckinData):
    """The outbox (kiosk.core.ports.Outbox) and what a pull writes across the families."""

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
            self._save_facts(facts)
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
