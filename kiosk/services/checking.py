"""One scan decided and recorded at once, its earned badge printed there and then: what
`accueil checkin CODE` does (the attendee screen instead lets the queue's worker print it
and tells the attendee where it comes out).

Does IO (the store, the printer): call it from a worker or a command, never from the UI's
event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.model import Direction
from kiosk.core.service import CheckinResult, CheckinService
from kiosk.services.ports import DeskStore, PrintsNow
from kiosk.services.printing import PrintedNow, print_now


@dataclass(frozen=True, slots=True)
class Checked:
    """The check-in's result, the title of the session it was for ("" the entrance; the
    session id when it is not in the store) and the earned badge as it ended (None when
    no badge was earned or no printer is configured)."""

    result: CheckinResult
    session_title: str
    badge: PrintedNow | None


class CommandCheckin:
    """Check in and print at once, over the check-in service, the store and the queue."""

    def __init__(
        self,
        checkin: CheckinService,
        store: DeskStore,
        queue: Callable[[], PrintsNow | None] | None = None,
    ) -> None:
        """``queue`` gives the print queue when a badge is earned: building it opens the
        printers' configuration, which a refused scan never needs."""
        self.checkin = checkin
        self.store = store
        self.queue = queue
        # Printed below, or left held for staff: never later by itself, when nobody waits.
        checkin.hold_badges = True

    def check(
        self,
        code: str,
        direction: Direction = Direction.ENTRY,
        session_id: str | None = None,
        staff: str = "",
    ) -> Checked:
        """Decide and record ``code`` (committed on return), then print its badge now.

        Raises LookupError, nothing recorded, when ``session_id`` names no session or one
        that is not today (CheckinService.check).
        """
        result = self.checkin.check(code, direction, session_id, staff=staff)
        verdict = result.verdict
        title = ""
        if verdict.session_id:
            session = self.store.session(verdict.session_id)
            title = session.title if session else verdict.session_id
        badge = None
        queue = self.queue() if result.print_job is not None and self.queue else None
        if result.print_job is not None and queue is not None:
            badge = print_now(queue, self.store, result.print_job)
        return Checked(result, title, badge)
