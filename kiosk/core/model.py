"""Registrations, sessions and scans: the nouns of check-in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum

from kiosk.core.normalize import clean


class Role(StrEnum):
    # Signed tickets carry the index of the role: append new roles, never reorder.
    PARTICIPANT = "participant"
    SPEAKER = "speaker"
    PRESS = "press"
    STAFF = "staff"
    ORGANISER = "organiser"
    SPONSOR = "sponsor"
    EXHIBITOR = "exhibitor"
    VIP = "vip"


class Status(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    UNPAID = "unpaid"
    BLOCKED = "blocked"


class Lang(StrEnum):
    FR = "fr"
    EN = "en"
    AR = "ar"


class Mode(StrEnum):
    """What a kiosk is used for."""

    KIOSK = "kiosk"  # attendee self check-in at the entrance
    STAFF = "staff"  # help desk
    DOOR = "door"  # session door


class Direction(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"


@dataclass(frozen=True, slots=True)
class Registration:
    """One person's right to attend, as synced from the registration platform."""

    id: str
    first_name: str
    last_name: str
    codes: tuple[str, ...] = ()
    email: str = ""
    organisation: str = ""
    role: Role = Role.PARTICIPANT
    ticket_type: str = ""
    days: frozenset[int] = frozenset()  # event day numbers (1-based); empty means every day
    sessions: frozenset[str] = frozenset()  # allowed session ids; empty means all sessions
    status: Status = Status.CONFIRMED
    lang: Lang | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    badge_name: str = ""  # staff correction of the printed name; empty means the real name
    print_count: int = 0
    country: str = ""

    @property
    def full_name(self) -> str:
        """First and last name as screens and badges show them (invisible characters gone)."""
        return clean(f"{self.first_name} {self.last_name}")

    @property
    def name_on_badge(self) -> str:
        return clean(self.badge_name) or self.full_name

    def valid_on(self, day: int) -> bool:
        return not self.days or day in self.days

    def may_attend(self, session_id: str) -> bool:
        return not self.sessions or session_id in self.sessions


@dataclass(frozen=True, slots=True)
class Session:
    """A plenary or workshop with a room and a capacity (0 means unlimited)."""

    id: str
    title: str
    room: str
    day: int
    start: datetime
    end: datetime
    capacity: int = 0


@dataclass(frozen=True, slots=True)
class EventDay:
    number: int
    date: date


@dataclass(frozen=True, slots=True)
class Event:
    """The event a kiosk serves: its name, days and key for signed tickets."""

    slug: str
    name: str
    days: tuple[EventDay, ...]
    timezone: str = "UTC"

    def day_of(self, when: datetime) -> int | None:
        """The event day number for a local wall-clock time, or None outside the event."""
        for day in self.days:
            if day.date == when.date():
                return day.number
        return None

    @property
    def first_date(self) -> date:
        return min(d.date for d in self.days)

    @property
    def last_date(self) -> date:
        return max(d.date for d in self.days)


class ScanKind(StrEnum):
    """What an accepted scan did; refused scans record the kind that was attempted."""

    ENTRY = "entry"
    EXIT = "exit"
    SESSION_ENTRY = "session_entry"
    SESSION_EXIT = "session_exit"
    UNDO = "undo"  # staff took back an accepted scan; its code holds that scan's nonce


@dataclass(frozen=True, slots=True)
class Scan:
    """One line of the append-only scan log, accepted or refused."""

    nonce: str
    kiosk_id: str
    at: datetime
    code: str
    registration_id: str | None
    kind: ScanKind
    accepted: bool
    reason: str
    session_id: str | None = None
    day: int | None = None
    staff: str = ""
    note: str = ""
    forced: bool = False
    kiosk_name: str = ""
    # Answers to the registration platform's check-in questions, asked at the desk:
    # (question id, answer). Uploaded with the scan, not kept in the scan log.
    answers: tuple[tuple[str, str], ...] = ()


def in_zone(when: datetime, tz: tzinfo | None) -> datetime:
    """``when`` as a wall-clock time in ``tz``; unchanged when tz is None or the conversion
    would leave datetime's range (years 1-9999): a bad stored time must not stop a decision.
    """
    if tz is None:
        return when
    try:
        return when.astimezone(tz)
    except (OverflowError, ValueError):
        return when


@dataclass(frozen=True, slots=True)
class ScanHistory:
    """The accepted scans of one registration known to this kiosk (its own and synced)."""

    scans: tuple[Scan, ...] = field(default_factory=tuple)

    @property
    def live(self) -> tuple[Scan, ...]:
        """Accepted scans that no undo has taken back."""
        undone = {s.code for s in self.scans if s.accepted and s.kind is ScanKind.UNDO}
        return tuple(
            s
            for s in self.scans
            if s.accepted and s.kind is not ScanKind.UNDO and s.nonce not in undone
        )

    def accepted_on(self, day: int) -> tuple[Scan, ...]:
        return tuple(s for s in self.live if s.day == day)

    def last_accepted(self) -> Scan | None:
        return _latest(self.live)

    def first_entry_on(self, day: int) -> Scan | None:
        entries = [s for s in self.accepted_on(day) if s.kind is ScanKind.ENTRY]
        return min(entries, key=lambda s: s.at) if entries else None

    def inside_venue(self, day: int) -> bool:
        """True when the last accepted entry/exit of that day was an entry."""
        moves = [s for s in self.accepted_on(day) if s.kind in (ScanKind.ENTRY, ScanKind.EXIT)]
        last = _latest(moves)
        return last is not None and last.kind is ScanKind.ENTRY

    def inside_session(self, session_id: str) -> bool:
        moves = [
            s
            for s in self.live
            if s.session_id == session_id
            and s.kind in (ScanKind.SESSION_ENTRY, ScanKind.SESSION_EXIT)
        ]
        last = _latest(moves)
        return last is not None and last.kind is ScanKind.SESSION_ENTRY

    def last_session_entry(self, session_id: str) -> Scan | None:
        entries = [
            s for s in self.live if s.session_id == session_id and s.kind is ScanKind.SESSION_ENTRY
        ]
        return _latest(entries)


def _latest(scans: Sequence[Scan]) -> Scan | None:
    """The most recent scan; on equal times the later one in log order."""
    latest: Scan | None = None
    for scan in scans:
        if latest is None or scan.at >= latest.at:
            latest = scan
    return latest
