"""The sync panel's use cases: status, the scans the source refused, and "sync now"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.services.ports import DeskStore, SyncEngine
from kiosk.services.status import SyncView, sync_view

REFUSALS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Refusal:
    """An accepted scan the source (pretix) refused: its reason and its own text."""

    registration_id: str
    reason: str  # pretix's reason code, e.g. "already_redeemed"
    detail: str
    first_at: datetime | None  # None when the conflict carries no readable time
    first_at_text: str  # the time as the source gave it, when it could not be read


class Syncing:
    """Upload/download status for staff; reads the store, so call it from a worker."""

    def __init__(self, store: DeskStore, engine: SyncEngine | None = None) -> None:
        self.store = store
        self.engine = engine

    @property
    def configured(self) -> bool:
        return self.engine is not None

    def status(self) -> SyncView:
        """The sync view; the outbox count when no sync is configured."""
        waiting = self.store.count_pending() if self.engine is None else 0
        return sync_view(self.engine, waiting)

    def refusals(self) -> tuple[int, list[Refusal]]:
        """(how many, the newest REFUSALS_SHOWN newest first) of the refused scans."""
        refused = [c for c in self.store.sync_conflicts() if c.get("pretix_reason")]
        shown = [_refusal(c) for c in refused[-REFUSALS_SHOWN:][::-1]]
        return len(refused), shown

    def sync_now(self) -> bool:
        """Wake the engine for a pass now; False when no sync is configured."""
        if self.engine is None:
            return False
        self.engine.wake()
        return True


def _refusal(conflict: dict[str, object]) -> Refusal:
    text = str(conflict.get("first_at") or "")
    try:
        when: datetime | None = datetime.fromisoformat(text) if text else None
    except ValueError:
        when = None
    return Refusal(
        str(conflict.get("registration_id") or ""),
        str(conflict.get("pretix_reason") or ""),
        str(conflict.get("detail") or ""),
        when,
        text,
    )
