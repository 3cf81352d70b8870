"""The help desk's use cases: find a person, look them up, check in by hand, undo, override,
register a walk-in, correct the badge name and reprint the badge.

Every method does IO (the store, the print queue): the UI calls them from a worker thread
(AccueilApp.run_io), never from its event loop. Each one that can queue a badge wakes the
print queue, so the badge leaves as soon as its transaction is committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.core.model import Lang, Registration, Role, Scan
from kiosk.core.ports import PrintJob, PrintReason, PrintRequest
from kiosk.core.service import CheckinResult, CheckinService
from kiosk.core.verdict import Verdict
from kiosk.services.ports import DeskStore, PrintQueue

RECORD_JOBS = 1000  # the newest print jobs searched for one person's badges


@dataclass(frozen=True, slots=True)
class AttendeeRecord:
    """One person as the desk shows them: scans oldest first, their print jobs newest first,
    and the verdict a check-in now would get."""

    registration: Registration
    scans: list[Scan]
    prints: list[PrintJob]
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Reprint:
    """A badge asked for at the desk: its job, the queue's warning for staff (printed
    before, already waiting…), and whether a printer will print it (False: no printer is
    configured here, the job waits in the store for one)."""

    job_id: int
    warning: str | None
    printer: bool = True


class DeskActions:
    """Use cases of the staff desk, over the store, the check-in service and the queue."""

    def __init__(
        self, store: DeskStore, checkin: CheckinService, print_queue: PrintQueue | None = None
    ) -> None:
        self.store = store
        self.checkin = checkin
        self.print_queue = print_queue

    @property
    def reprints(self) -> Reprints:
        return Reprints(self.store, self.print_queue)

    # -- finding people ---------------------------------------------------------------

    def search(self, text: str, limit: int = 20) -> list[Registration]:
        return self.store.search(text, limit)

    def lookup(self, code: str) -> list[Registration]:
        """The registrations a scanned or typed code names (several: a shared code).

        A signed ticket whose exact code is not stored (reissued, or a walk-in registered
        on another kiosk) names its registration through the check-in service's reading.
        """
        regs = self.store.find_by_code(code)
        if not regs:
            verdict = self.checkin.evaluate(code)
            if verdict.registration is not None and not verdict.provisional:
                regs = [verdict.registration]
        return regs

    def record(self, registration_id: str) -> AttendeeRecord:
        """Raises LookupError when the registration is not in this kiosk's list."""
        reg = self.store.get(registration_id)
        if reg is None:
            raise LookupError(registration_id)
        prints = [
            j for j in self.store.print_jobs(limit=RECORD_JOBS) if j.registration_id == reg.id
        ]
        verdict = self.checkin.evaluate_registration(reg)
        return AttendeeRecord(reg, self.store.scans_of(reg.id), prints, verdict)

    def verdict_now(self, registration_id: str) -> Verdict | None:
        """What a check-in by hand would decide now (None: no such registration)."""
        reg = self.store.get(registration_id)
        return self.checkin.evaluate_registration(reg) if reg is not None else None

    # -- actions ------------------------------------------------------------------------

    def check_in_by_hand(
        self, registration_id: str, staff: str, answers: Mapping[str, str] | None = None
    ) -> CheckinResult:
        return self._queued(self.checkin.check_in_by_hand(registration_id, staff, answers))

    def override(self, registration_id: str, staff: str, why: str) -> CheckinResult:
        """A supervisor lets a refused person in; ValueError without a reason."""
        return self._queued(self.checkin.override(registration_id, staff, why))

    def undo(self, registration_id: str, staff: str) -> Scan:
        """Take back the last accepted scan; LookupError when there is none."""
        return self.checkin.undo_last(registration_id, staff)

    def walk_in(
        self,
        first_name: str,
        last_name: str,
        *,
        email: str,
        organisation: str,
        role: Role,
        days: frozenset[int],
        lang: Lang | None,
        staff: str,
    ) -> CheckinResult:
        """Register, check in and queue the badge of someone not in the list.

        ``days``: empty for every day of the event. Raises CodeClashError (nothing stored)
        when the new code belongs to someone else.
        """
        return self._queued(
            self.checkin.register_walkin(
                first_name,
                last_name,
                email=email,
                organisation=organisation,
                role=role,
                days=days,
                lang=lang,
                staff=staff,
            )
        )

    def set_badge_name(self, registration_id: str, name: str, staff: str) -> None:
        self.store.set_badge_name(registration_id, name, staff)

    def reprint(
        self,
        registration_id: str,
        staff: str,
        *,
        replace: bool = False,
        seen: int | None = None,
        printer: str = "",
        hold: bool = False,
    ) -> Reprint:
        """See Reprints.reprint."""
        return self.reprints.reprint(
            registration_id, staff, replace=replace, seen=seen, printer=printer, hold=hold
        )

    def interrupted(self, registration_id: str) -> list[int]:
        """See Reprints.interrupted."""
        return self.reprints.interrupted(registration_id)

    def _queued(self, result: CheckinResult) -> CheckinResult:
        if result.print_job is not None and self.print_queue is not None:
            self.print_queue.wake()
        return result


class Reprints:
    """A badge asked for again, over the store and the print queue only: what the desk
    and `accueil badge --print` share (the command needs no check-in service for it)."""

    def __init__(self, store: DeskStore, print_queue: PrintQueue | None = None) -> None:
        self.store = store
        self.print_queue = print_queue

    def reprint(
        self,
        registration_id: str,
        staff: str,
        *,
        replace: bool = False,
        seen: int | None = None,
        printer: str = "",
        hold: bool = False,
    ) -> Reprint:
        """Ask for this person's badge under the one-waiting-badge rule.

        Through the print queue when there is one (it warns staff of earlier prints);
        without one the job is stored for a printer to come (``Reprint.printer`` False).
        ``seen``: the waiting job staff were shown; PrintJobConflict, nothing queued, if it
        printed or was cancelled since. ``replace``: cancel the waiting job, queue a new one.
        ``printer``: a configured printer's name ("" the main one). ``hold``: the caller
        prints the job itself at once (a command's print_now), so the queue is not woken
        and the job, if it cannot print, stays held for staff instead of printing later.
        """
        queue = self.print_queue
        if queue is not None:
            job, warning = queue.reprint(
                registration_id, staff, printer, replace=replace, hold=hold, seen=seen
            )
            if not hold:
                queue.wake()
            return Reprint(job, warning)
        request = PrintRequest(registration_id, PrintReason.REPRINT, staff, hold=hold)
        asked = self.store.request_badge(request, printer, replace=replace, seen=seen)
        return Reprint(asked.job_id, None, printer=False)

    def interrupted(self, registration_id: str) -> list[int]:
        """Ids of this person's jobs that stopped mid-badge ("uncertain": the badge may be
        in the tray), newest first; staff look before a reprint replaces them."""
        return [
            j.id
            for j in self.store.print_jobs("uncertain", RECORD_JOBS)
            if j.registration_id == registration_id
        ]
