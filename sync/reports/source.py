"""What a report reads, and the two places it reads it from: a kiosk's store or the hub.

``ReportSource`` is the small read interface the report code needs. ``StoreReportSource``
adapts a kiosk's ``LocalStore`` (its own scans and those it pulled from other kiosks);
``HubReportSource`` adapts the hub's ``HubDB`` (every kiosk's uploads). ``snapshot()``
reads a source once into a ``ReportData`` that the computations work on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from kiosk.core.i18n import N_
from kiosk.core.model import Event, Registration, Scan, Session
from sync.wire import event_from_dict, registration_from_dict, scan_from_dict
from sync.wire import event_to_dict as event_to_dict  # re-exported: the published event


@dataclass(frozen=True, slots=True)
class Reprint:
    """A badge printed again on staff request."""

    at: datetime
    registration_id: str
    kiosk_id: str
    staff: str
    status: str  # pending, done, failed, cancelled


@dataclass(frozen=True, slots=True)
class KioskSeen:
    """What is known of one kiosk: its uploads and what it last reported about itself."""

    kiosk_id: str
    name: str = ""
    scans: int = 0  # scans made at this kiosk that the source holds
    last_contact: datetime | None = None  # last heartbeat or upload
    last_scan_at: datetime | None = None
    pending_uploads: int | None = None  # None: never reported
    printer_state: str = ""
    print_queue: int | None = None
    badges_printed: int | None = None
    reprints: int | None = None


# Who the numbers cover, as catalogue messages (the report translates them).
HUB_SCOPE = N_("hub (all kiosks)")
KIOSK_SCOPE = N_("kiosk {kiosk}")


class ReportSource(Protocol):
    """The read interface every report is computed from."""

    scope: str  # who the numbers cover, e.g. "hub (all kiosks)" or "kiosk kiosk-1"

    def event(self) -> Event: ...

    def sessions(self) -> list[Session]: ...

    def registrations(self) -> list[Registration]: ...

    def scans(self) -> list[Scan]:
        """Every scan, accepted or refused, undos included, in log order."""
        ...

    def reprints(self) -> list[Reprint] | None:
        """Badge reprints, or None when this source does not hold them (the hub)."""
        ...

    def conflicts(self) -> list[dict[str, Any]]:
        """Entries accepted at two kiosks for one person on one day (hub's detection)."""
        ...

    def kiosks(self) -> list[KioskSeen]: ...


@dataclass(frozen=True)
class ReportData:
    """One consistent read of a source."""

    scope: str  # in English
    event: Event
    sessions: list[Session]
    registrations: list[Registration]
    scans: list[Scan]
    reprints: list[Reprint] | None
    conflicts: list[dict[str, Any]]
    kiosks: list[KioskSeen] = field(default_factory=list)
    # the scope as a catalogue message and its fields, for the report's language
    scope_words: tuple[str, dict[str, str]] = ("", {})


def snapshot(source: ReportSource) -> ReportData:
    """Read everything a report needs from ``source``."""
    return ReportData(
        scope=source.scope,
        event=source.event(),
        sessions=source.sessions(),
        registrations=source.registrations(),
        scans=source.scans(),
        reprints=source.reprints(),
        conflicts=source.conflicts(),
        kiosks=source.kiosks(),
        scope_words=getattr(source, "scope_words", (source.scope, {})),
    )


class NoEventError(LookupError):
    """The source has no event definition (a store before setup, a hub without one)."""


class StoreReportSource:
    """A kiosk's own LocalStore: its scans, the scans it pulled, its print queue."""

    def __init__(self, store: Any, kiosk_id: str, kiosk_name: str = "") -> None:
        self.store = store
        self.kiosk_id = kiosk_id
        self.kiosk_name = kiosk_name
        self.scope_words = (KIOSK_SCOPE, {"kiosk": kiosk_id})
        self.scope = KIOSK_SCOPE.format(kiosk=kiosk_id)

    def event(self) -> Event:
        event = self.store.event()
        if event is None:
            raise NoEventError(f"{self.store.path}: no event loaded yet (run `accueil setup`)")
        return event  # type: ignore[no-any-return]

    def sessions(self) -> list[Session]:
        return list(self.store.sessions())

    def registrations(self) -> list[Registration]:
        return list(self.store.all_registrations())

    def scans(self) -> list[Scan]:
        return list(self.store.scans())

    def reprints(self) -> list[Reprint]:
        """Every staff reprint request, from the staff log: one that found a badge already
        waiting made that job print instead of queueing a second (one badge per person), so
        the jobs' reasons alone would miss it."""
        jobs = {j.id: j for j in self.store.print_jobs(limit=10**9)}
        out = []
        for action in self.store.staff_actions():
            if action["action"] != "reprint":
                continue
            try:
                job_id = int(json.loads(str(action["detail"] or "{}")).get("job", 0))
            except (ValueError, TypeError, AttributeError):
                job_id = 0
            job = jobs.get(job_id)
            out.append(
                Reprint(
                    datetime.fromisoformat(str(action["at"])),
                    str(action["registration_id"] or ""),
                    self.kiosk_id,
                    str(action["staff"] or ""),
                    job.status if job is not None else "unknown",
                )
            )
        return sorted(out, key=lambda r: r.at)

    def conflicts(self) -> list[dict[str, Any]]:
        return list(self.store.sync_conflicts())

    def kiosks(self) -> list[KioskSeen]:
        own = [s for s in self.store.scans() if s.kiosk_id == self.kiosk_id]
        jobs = self.store.print_jobs(limit=10**9)
        return [
            KioskSeen(
                self.kiosk_id,
                self.kiosk_name,
                scans=len(own),
                last_scan_at=max((s.at for s in own), default=None),
                pending_uploads=self.store.count_pending(),
                print_queue=sum(j.status == "pending" for j in jobs),
                badges_printed=sum(j.status == "done" for j in jobs),
                reprints=sum(j.reason == "reprint" for j in jobs),
            )
        ]


class HubReportSource:
    """The hub's database: every kiosk's uploaded scans, walk-ins and heartbeats.

    The hub keeps no sessions of its own unless an event was published to it, so the
    event and sessions may be given (from the [event] definition file).
    """

    def __init__(
        self, db: Any, event: Event | None = None, sessions: list[Session] | None = None
    ) -> None:
        self.db = db
        self.scope_words: tuple[str, dict[str, str]] = (HUB_SCOPE, {})
        self.scope = HUB_SCOPE
        if event is None:
            stored = db.event_definition()
            if stored is not None:
                event, stored_sessions = event_from_dict(stored)
                sessions = stored_sessions if sessions is None else sessions
        self._event = event
        self._sessions = sessions or []

    def event(self) -> Event:
        if self._event is None:
            raise NoEventError(
                "the hub has no event definition: give [event] definition, or publish it "
                "with PUT /v1/admin/event (docs/reports.md)"
            )
        return self._event

    def sessions(self) -> list[Session]:
        return list(self._sessions)

    def registrations(self) -> list[Registration]:
        return [registration_from_dict(r) for r in self.db.report_registrations()]

    def scans(self) -> list[Scan]:
        found: list[Scan] = []
        since = 0
        for _ in range(100_000):  # pages of 10,000: a bound far above any event
            page = self.db.scans(since, 10_000)
            if not page:
                break
            found.extend(scan_from_dict(row) for row in page)
            since = int(page[-1]["seq"])
        return found

    def reprints(self) -> None:
        return None

    def conflicts(self) -> list[dict[str, Any]]:
        return list(self.db.conflicts())

    def kiosks(self) -> list[KioskSeen]:
        return kiosks_seen(self.db)


def kiosks_seen(db: Any) -> list[KioskSeen]:
    """Each kiosk the hub knows, from its tokens, uploads and heartbeats."""
    activity = db.kiosk_activity()
    beats = db.heartbeats()
    known = {k["kiosk_id"] for k in db.kiosks()} | set(activity) | set(beats)
    seen = []
    for kiosk_id in sorted(known):
        act = activity.get(kiosk_id, {})
        beat = beats.get(kiosk_id, {})
        contacts = [t for t in (act.get("last_received_at"), beat.get("received_at")) if t]
        seen.append(
            KioskSeen(
                kiosk_id,
                name=str(beat.get("kiosk_name") or act.get("kiosk_name") or ""),
                scans=int(act.get("scans", 0)),
                last_contact=_time(max(contacts)) if contacts else None,
                last_scan_at=_time(act.get("last_at")),
                pending_uploads=_int(beat.get("pending_uploads")),
                printer_state=str(beat.get("printer_state") or ""),
                print_queue=_int(beat.get("print_queue")),
                badges_printed=_int(beat.get("badges_printed")),
                reprints=_int(beat.get("reprints")),
            )
        )
    return seen


def _time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
