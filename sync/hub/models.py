"""What kiosks and organisers may send the hub, checked field by field before it is stored,
and the answers the hub declares.

An upload batch is read leniently (``data`` is any JSON value) so that one bad item is
refused with its reason while the rest of the batch is stored. Each item's ``data`` is then
validated here in pydantic's strict mode (no ``"false"`` for false, no ``1.5`` for a day),
bounded in length and alphabet, and checked against the event the hub serves: the scan time
within the event's days in its time zone, from ``MARGIN_BEFORE`` before the first day to
``MARGIN_AFTER`` after the last; the day one of the event's day numbers. Without a published
event only the codec's time range (``sync.wire.SCAN_TIME_MIN``…``SCAN_TIME_MAX``) and days
1-366 apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
)

from kiosk.core import tickets
from kiosk.core.model import Lang, Registration, Role, Scan, ScanKind, Status
from kiosk.core.verdict import Reason
from sync.wire import (
    SCAN_TIME_MAX,
    SCAN_TIME_MIN,
    registration_from_dict,
    scan_from_dict,
    scan_time,
)

_log = logging.getLogger(__name__)

# Kiosks with a forced ``[event] day`` (set-up, ``accueil rehearse``, the demo) scan at the
# real time, weeks or months away from the event's dates: the margin is a year each side.
# The day number is checked exactly; the time window keeps out what is not this event.
MARGIN_BEFORE = timedelta(days=366)
MARGIN_AFTER = timedelta(days=366)
MAX_CODES = 8  # a walk-in gets one code; a little room for a re-issued one

# Ids the kiosks generate (uuid4 hex nonces, [kiosk] id) and ids organisers choose (pretix
# order positions, CSV ids, session ids): printable, no control characters, bounded.
Nonce = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
KioskId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
TextId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]  # fmt: skip
# Scanned codes may hold control characters (GS1's group separator), never NUL: PostgreSQL
# text cannot hold it.
Code = Annotated[str, StringConstraints(min_length=1, max_length=4096, pattern=r"^[^\x00]+$")]
Line = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x08\x0a-\x1f\x7f]*$")]
Note = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
Day = Annotated[StrictInt, Field(ge=1, le=366)]


def _one_of(values: type[Any], what: str) -> AfterValidator:
    known = frozenset(str(v.value) for v in values)

    def check(value: str) -> str:
        if value not in known:
            raise ValueError(f"unknown {what} {value[:40]!r}; one of {', '.join(sorted(known))}")
        return value

    return AfterValidator(check)


def _aware_time(value: str) -> str:
    scan_time(value, "the time")  # the wire's reading: offset, ±14:00 at most, 1970-2099
    return value


Time = Annotated[str, StringConstraints(max_length=40), AfterValidator(_aware_time)]


class ScanData(BaseModel):
    """One scan as ``sync.wire.scan_to_dict`` writes it. Unknown keys are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")

    nonce: Nonce
    kiosk_id: KioskId
    kiosk_name: Line = ""
    at: Time = Field(description="ISO 8601 with a UTC offset, within the event's days")
    day: Day | None = None
    code: Annotated[str, StringConstraints(max_length=4096, pattern=r"^[^\x00]*$")]
    registration_id: TextId | None = None
    kind: Annotated[str, _one_of(ScanKind, "kind")]
    accepted: StrictBool
    reason: Annotated[str, _one_of(Reason, "reason")]
    session_id: TextId | None = None
    staff: Line = ""
    note: Note = ""
    forced: StrictBool = False
    # Checked as the kiosks' reader checks them, then left out: they go to the registration
    # platform with the scan, and the hub keeps no answers.
    answers: list[Annotated[list[Note], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list,
        max_length=100,
        description="check-in question answers, [question id, answer]; not kept by the hub",
    )


class RegistrationData(BaseModel):
    """A registration as ``sync.wire.registration_to_dict`` writes it (organiser imports
    through the API). Unknown keys are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")

    id: TextId
    first_name: Line = ""
    last_name: Line = ""
    codes: list[Code] = Field(default_factory=list, max_length=100)
    email: Line = ""
    organisation: Line = ""
    role: Annotated[str, _one_of(Role, "role")] = "participant"
    ticket_type: Line = ""
    days: list[Day] = Field(default_factory=list, max_length=366)
    sessions: list[TextId] = Field(default_factory=list, max_length=1000)
    status: Annotated[str, _one_of(Status, "status")] = "confirmed"
    lang: Annotated[str, _one_of(Lang, "lang")] | None = None
    valid_from: Time | None = None
    valid_until: Time | None = None
    badge_name: Line = ""
    print_count: Annotated[StrictInt, Field(ge=0, le=10_000)] = 0
    country: Line = ""


class WalkinData(RegistrationData):
    """A walk-in a kiosk made: one new code (a little room for a re-issued one)."""

    codes: list[Code] = Field(min_length=1, max_length=MAX_CODES)


@dataclass(frozen=True, slots=True)
class EventWindow:
    """The scan times and day numbers the hub accepts: the event's, or the codec's range."""

    start: datetime = SCAN_TIME_MIN
    end: datetime = SCAN_TIME_MAX
    days: frozenset[int] = frozenset(range(1, 367))
    label: str = "any day"

    @classmethod
    def of(cls, definition: dict[str, Any] | None) -> EventWindow:
        """From the published event (``sync.reports.source.event_to_dict`` form)."""
        try:
            tz = ZoneInfo(str(definition.get("timezone") or "UTC")) if definition else UTC
            days = {int(d["number"]): datetime.fromisoformat(str(d["date"])).date()
                    for d in (definition or {}).get("days") or ()}  # fmt: skip
        except (KeyError, ValueError, TypeError) as exc:  # ZoneInfoNotFoundError is a KeyError
            _log.warning("published event unreadable, scans checked without it: %s", exc)
            return cls()
        if not days:
            return cls()
        dates = list(days.values())
        first = datetime.combine(min(dates), time(0, 0), tz) - MARGIN_BEFORE
        last = datetime.combine(max(dates), time(0, 0), tz) + timedelta(days=1) + MARGIN_AFTER
        return cls(
            start=max(first.astimezone(UTC), SCAN_TIME_MIN),
            end=min(last.astimezone(UTC), SCAN_TIME_MAX),
            days=frozenset(days),
            label=f"{min(dates)}…{max(dates)} ({tz}), from {MARGIN_BEFORE.days} days "
            f"before to {MARGIN_AFTER.days} days after",
        )

    def check_time(self, what: str, when: datetime) -> None:
        if not self.start <= when < self.end:
            raise ValueError(f"{what} {when.isoformat()} is outside the event: {self.label}")

    def check_day(self, day: int) -> None:
        if day not in self.days:
            raise ValueError(f"day {day} is not one of the event's days {sorted(self.days)}")


def read_scan(data: Any, window: EventWindow) -> Scan:
    """The uploaded scan, or ValueError saying which field is wrong and why."""
    checked = ScanData.model_validate(data)
    scan = scan_from_dict(checked.model_dump(exclude={"answers"}))
    window.check_time("scan time", scan.at)
    if scan.day is not None:
        window.check_day(scan.day)
    return scan


def read_registration(data: Any, window: EventWindow) -> Registration:
    """An imported registration, or ValueError saying which field is wrong and why."""
    reg = registration_from_dict(RegistrationData.model_validate(data).model_dump())
    for day in reg.days:
        window.check_day(day)
    return reg


def read_walkin(data: Any, window: EventWindow) -> Registration:
    """The uploaded walk-in, or ValueError saying which field is wrong and why."""
    checked = WalkinData.model_validate(data)
    reg = registration_from_dict(checked.model_dump())
    for day in reg.days:
        window.check_day(day)
    for code in reg.codes:
        _check_ticket_names(code, reg.id)
    return reg


def _check_ticket_names(code: str, registration_id: str) -> None:
    """A signed-ticket code of a walk-in must be that walk-in's ticket: another person's
    (copied from their badge) would make kiosks take their scans for the walk-in's. The hub
    may hold no public key, so this reads the ticket's structure; kiosks check signatures."""
    if not tickets.is_signed_ticket(code):
        return
    try:
        ticket = tickets.decode(code, lambda _message, _signature: True)
    except ValueError as exc:
        raise ValueError(f"code {code[:20]!r}… is not a readable signed ticket: {exc}") from None
    if ticket.registration_id != registration_id:
        raise ValueError(
            f"code is the signed ticket of registration {ticket.registration_id!r}, "
            f"not of walk-in {registration_id!r}"
        )


def refusal(exc: Exception) -> str:
    """A short reason for a refused item: the fields and what was expected."""
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}"
            for e in exc.errors(include_url=False, include_input=False)[:5]
        ]
        return "invalid " + "; ".join(parts)
    return f"{type(exc).__name__}: {exc}"[:500]


# -- requests ---------------------------------------------------------------------------------

MAX_BATCH = 20000


class UploadItem(BaseModel):
    kind: str = Field(description='"scan" or "registration"')
    key: str = Field(description="the scan nonce or the registration id")
    data: Any = Field(
        description="ScanData / WalkinData (sync.wire.scan_to_dict / registration_to_dict); "
        "checked item by item, a bad item is rejected with its reason"
    )


class UploadBatch(BaseModel):
    """``POST /v1/upload``: read leniently, each item then checked on its own."""

    items: list[UploadItem] = Field(max_length=MAX_BATCH)


Count = Annotated[int, Field(ge=0, le=10**9)]
ShortId = Annotated[str, Field(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


class Heartbeat(BaseModel):
    """What a kiosk reports about itself, every sync pass or so."""

    model_config = ConfigDict(strict=True)

    kiosk_name: str = Field("", max_length=200)
    pending_uploads: Count | None = Field(None, description="outbox items not uploaded")
    printer_state: str = Field("", max_length=40, description="kiosk.core.ports.PrinterState")
    print_queue: Count | None = Field(None, description="badges waiting to print")
    badges_printed: Count | None = None
    reprints: Count | None = None
    last_scan_at: str | None = Field(None, max_length=40)
    version: str = Field("", max_length=40)


class PurgeQuestion(BaseModel):
    scans: list[ShortId] = Field(default_factory=list, max_length=500_000)
    registrations: list[ShortId] = Field(default_factory=list, max_length=100_000)


# -- answers (declared so the OpenAPI document, and the fuzz tests, check them too) ----------


class Health(BaseModel):
    status: str = Field(description='"ok"')


class WhoAmI(BaseModel):
    kiosk_id: str
    hub_id: str


class ChangesPage(BaseModel):
    """One page of ``GET /v1/changes``: registrations and scans in the form kiosks upload
    them (``RegistrationData``, ``ScanData``)."""

    hub: str
    cursor: str
    more: bool
    reset: bool = Field(description="the cursor was another hub database's: start over")
    remaining: int = Field(ge=0, description="registrations still waiting after this page")
    registrations: list[RegistrationData]
    scans: list[ScanData]


class ImportAnswer(BaseModel):
    received: int
    changed: int


class TokenAnswer(BaseModel):
    kiosk_id: str
    token: str


class Rejected(BaseModel):
    key: str
    error: str = Field(description="why; the item is never accepted as it is")


class Conflict(BaseModel):
    """Two accepted entries of one registration on one day while the person was inside."""

    registration_id: str
    day: int | None
    first_nonce: str
    first_kiosk: str
    first_at: str
    second_nonce: str
    second_kiosk: str
    second_at: str


class ConflictRow(Conflict):
    id: int
    detected_at: str


class UploadAnswer(BaseModel):
    acknowledged: list[str] = Field(description="keys the hub now holds exactly as sent")
    rejected: list[Rejected]
    conflicts: list[Conflict]


class ScanRow(BaseModel):
    """An uploaded scan (scan_to_dict form) with who uploaded it and when it arrived."""

    model_config = ConfigDict(extra="allow")

    nonce: str
    kiosk_id: str
    at: str
    day: int | None
    code: str
    registration_id: str | None
    kind: str
    accepted: bool
    reason: str
    forced: bool
    seq: int
    uploaded_by: str
    received_at: str


class UnreadableScan(BaseModel):
    seq: int
    nonce: str
    kiosk_id: str
    error: str


class Stats(BaseModel):
    hub_id: str
    registrations: int
    cancelled: int
    walkins: int
    scans: int
    accepted: int
    conflicts: int
    kiosks: int


class KioskRow(BaseModel):
    kiosk_id: str
    active: bool
    created_at: str
    revoked_at: str | None
    scans: int


class Revoked(BaseModel):
    revoked: bool


class HeartbeatAnswer(BaseModel):
    kiosk_id: str
    hub_id: str


class PurgeAnswer(BaseModel):
    kiosk_id: str
    hub_id: str
    scans_held: int
    last_nonce: str | None
    missing_scans: list[str]
    missing_registrations: list[str]
    confirmed_at: str


class EventAnswer(BaseModel):
    event: str
    sessions: int


class SessionLive(BaseModel):
    id: str
    title: str
    room: str
    start: str = Field(description="HH:MM in the event's time zone")
    inside: int
    attended: int
    capacity: int = Field(description="0: no limit")
    fill_percent: int | None
    refused_full: int


class KioskLive(BaseModel):
    kiosk_id: str
    name: str
    scans: int
    last_contact: str | None
    seconds_since_contact: int | None
    pending_uploads: int | None
    printer_state: str
    print_queue: int | None


class LiveCounts(BaseModel):
    """What the organiser page shows (``GET /dashboard/live.json``), for one day."""

    event: str
    event_published: bool
    day: int
    days: list[int]
    now: str
    registered: int
    checked_in: int
    inside: int
    arrivals_last_hour: int
    walkins: int
    scans: int
    refused: int
    conflicts: int
    sessions: list[SessionLive]
    kiosks: list[KioskLive]


class Problem(BaseModel):
    """Every refusal but 413: 400, 401, 403, 404, 409 and 422 (request validation included)."""

    detail: str = Field(description="what was wrong, for a person to act on")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text}
    for status, text in (
        (400, "the request cannot be used (a cursor from elsewhere…)"),
        (401, "no token, or an unknown or revoked one"),
        (403, "a token of the wrong kind (kiosk / organiser)"),
        (404, "no such thing"),
        (409, "the hub lacks what the call needs (no event published)"),
        (422, "the request does not have the declared shape"),
    )
}
ERROR_RESPONSES[413] = {  # Starlette's RequestBodyLimitMiddleware answers before any route
    "content": {"text/plain": {"schema": {"type": "string"}}},
    "description": "the body is larger than this call accepts (docs/hub.md lists the limits)",
}
