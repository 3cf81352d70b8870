"""The sync panel's use cases: status, the scans the source refused, and "sync now"; and
what `accueil sync status` reads: the store's sync ledger and the source asked now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from kiosk.errors import SourceRejected, SourceUnavailable
from kiosk.services.ports import (
    DeskStore,
    IdentityChecking,
    ProbeStep,
    Probing,
    SyncEngine,
    SyncLedger,
)
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


# -- `accueil sync status` -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncLedgerView:
    """What the store says about syncing with ``source`` (a source kind's name, or "none").

    ``last_success``: the stored UTC time text of the last successful pass (None: never);
    ``pulled``: an incremental cursor exists (the list was pulled once); ``timezone``: the
    event's IANA zone ("UTC" without an event) for showing conflict times; ``pretix_pull``:
    the last full pretix pull (``at``, ``removed``, ``lists_changed``), {} when none.
    """

    source: str
    waiting: int
    last_success: str | None
    pulled: bool
    registrations: int
    conflicts: list[dict[str, Any]]
    timezone: str
    outbox_failures: list[dict[str, object]]
    pretix_pull: dict[str, Any]


def sync_ledger(store: SyncLedger, source: str) -> SyncLedgerView:
    """Read the store's sync state for ``source``; reads the store, call it off the UI."""
    event = store.event()
    return SyncLedgerView(
        source=source,
        waiting=store.count_pending(),
        last_success=store.get_meta("sync.last_success") or None,
        pulled=bool(store.sync_cursor(source)) if source != "none" else False,
        registrations=store.count_registrations(),
        conflicts=store.sync_conflicts(),
        timezone=event.timezone if event is not None else "UTC",
        outbox_failures=store.outbox_failures(),
        pretix_pull=store.last_full_pull("pretix"),
    )


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """A source asked now: its probe steps (``probed``), or whether it took the token
    (``identity``: ``reachable`` and the refusal's ``error``); ``status`` 0 all good, 1 to
    try later, 2 a [sync] key to fix (the hub's identity check gives 0 or 1)."""

    status: int
    probed: bool = False
    steps: tuple[ProbeStep, ...] = ()
    identity: bool = False
    reachable: bool = True
    error: str = ""


def check_source(source: object, abilities: frozenset[str] | set[str]) -> SourceCheck:
    """Ask ``source`` how it is, by the abilities its kind declares (kiosk.registry):
    ``probe`` (Probing) first, else ``identity`` (IdentityChecking), else nothing to ask."""
    if "probe" in abilities:
        steps = tuple(cast("Probing", source).probe())
        return SourceCheck(worst_step(steps), probed=True, steps=steps)
    if "identity" not in abilities:
        return SourceCheck(0)
    try:
        cast("IdentityChecking", source).check_identity()
    except (SourceRejected, SourceUnavailable) as exc:
        return SourceCheck(1, identity=True, reachable=False, error=str(exc))
    return SourceCheck(0, identity=True)


def worst_step(steps: Sequence[ProbeStep]) -> int:
    """0 every step holds, 1 the worst failure may pass (unreachable), 2 a key to fix."""
    return max((1 if s.temporary else 2 for s in steps if not s.ok), default=0)
