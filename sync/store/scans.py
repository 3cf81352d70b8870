"""The append-only scan log: this kiosk's scans and the ones pulled from others."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator

from kiosk.core.model import Scan, ScanHistory, ScanKind
from sync.store._base import Database
from sync.wire import scan_time, utc_text

_log = logging.getLogger(__name__)


class Scans(Database):
    """The scan log (ScanLog's reads; ``LocalStore.record`` writes a check-in)."""

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

    def own_scan_nonces(self) -> list[str]:
        """Nonces of the scans made at this kiosk (not pulled from others), in log order."""
        return [
            r[0] for r in self._query("SELECT nonce FROM scans WHERE origin = 'local' ORDER BY seq")
        ]


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
