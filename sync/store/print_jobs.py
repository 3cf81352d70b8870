"""The badge print queue: at most one badge waiting per registration, leases, staff actions."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from kiosk.core.ports import PrintJob, PrintJobConflict, PrintReason, PrintRequest, QueuedBadge
from sync.store._base import Database, _time
from sync.wire import utc_text

# The statuses of a badge that may still come out (kiosk.core.ports.WAITING_STATUSES):
# at most one per registration, enforced by the print_jobs_one_waiting index.
_WAITING_SQL = "('pending', 'printing', 'uncertain', 'desk', 'held')"


class PrintQueue(Database):
    """The print queue (kiosk.core.ports.PrintQueue)."""

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
