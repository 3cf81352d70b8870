"""The sync protocol's JSON shapes: one codec for the kiosk's store, the hub client and the hub.

A scan, a registration, an event definition, a pretix check-in list and a ticket's facts,
to and from the plain JSON values (``dict``/``list``/``str``/``int``/``bool``/``None``)
that kiosks upload, the hub stores and serves, and the store keeps in its outbox and in
its pretix tables. Every time on the wire is ISO 8601 text with a UTC offset (written in
UTC, microseconds, by ``utc_text``), between ``SCAN_TIME_MIN`` and ``SCAN_TIME_MAX``.

Readers (``*_from_dict``) raise ``ValueError``, ``KeyError`` or ``TypeError`` for a value
no writer produces (a time without offset or out of range, a boolean that is not one, an
unknown kind); a trust boundary (the hub's pydantic models, the hub client's pull) checks
more on top and never less. Pure: imports no IO library, only the core's model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core.checkin_list import CheckinList, TicketFacts
from kiosk.core.model import (
    Event,
    EventDay,
    Lang,
    Registration,
    Role,
    Scan,
    ScanKind,
    Session,
    Status,
)
from kiosk.core.questions import question_from_dict, question_to_dict

__all__ = [
    "MAX_OFFSET",
    "SCAN_TIME_MAX",
    "SCAN_TIME_MIN",
    "event_from_definition",
    "event_from_dict",
    "event_to_dict",
    "facts_from_dict",
    "facts_to_dict",
    "list_from_dict",
    "list_to_dict",
    "optional_time",
    "registration_from_dict",
    "registration_to_dict",
    "scan_from_dict",
    "scan_time",
    "scan_to_dict",
    "utc_text",
]

# The times any kiosk can have made. A time outside them (year 1, year 9999) is a bad
# value, not a scan: converting it to a local time zone overflows ``datetime``.
SCAN_TIME_MIN = datetime(1970, 1, 1, tzinfo=UTC)
SCAN_TIME_MAX = datetime(2100, 1, 1, tzinfo=UTC)
MAX_OFFSET = timedelta(hours=14)  # the widest UTC offset in use (Kiribati, UTC+14)
_MAX_TIME_TEXT = 40  # "2026-03-10T09:00:00.000000+00:00" is 32


def utc_text(when: datetime) -> str:
    """``when`` as ISO 8601 in UTC with microseconds (``2026-03-10T08:00:00.000000+00:00``).

    Raises ValueError for a naive datetime: every stored and uploaded time is aware.
    """
    if when.tzinfo is None:
        raise ValueError("naive datetime: store times must be time-zone aware")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def scan_time(text: object, what: str = "scan time") -> datetime:
    """An ISO 8601 time with a UTC offset (at most ±14:00), in [SCAN_TIME_MIN, SCAN_TIME_MAX).

    ``what`` names the field in the message. Raises ValueError for anything else (not a
    text, longer than 40 characters, no offset, out of range, not a time).
    """
    if not isinstance(text, str) or len(text) > _MAX_TIME_TEXT:
        raise ValueError(f"{what} {str(text)[:60]!r}: expected an ISO 8601 text")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} {text!r}: not an ISO 8601 time") from None
    offset = when.utcoffset()
    if offset is None:
        raise ValueError(f"{what} {text!r} has no UTC offset")
    if abs(offset) > MAX_OFFSET:
        raise ValueError(f"{what} {text!r}: UTC offset beyond ±14:00")
    if not SCAN_TIME_MIN <= when < SCAN_TIME_MAX:
        raise ValueError(
            f"{what} {text!r} is outside {SCAN_TIME_MIN.year}-{SCAN_TIME_MAX.year - 1}"
        )
    return when


def optional_time(text: object, what: str = "time") -> datetime | None:
    """``scan_time`` for a field that may be absent: None or '' is None."""
    if text is None or text == "":
        return None
    return scan_time(text, what)


def _time_text(when: datetime | None) -> str | None:
    return utc_text(when) if when is not None else None


# -- registrations ---------------------------------------------------------------------------


def registration_to_dict(reg: Registration) -> dict[str, object]:
    """The JSON form of a registration (walk-in uploads, hub downloads, organiser imports)."""
    return {
        "id": reg.id,
        "first_name": reg.first_name,
        "last_name": reg.last_name,
        "codes": list(reg.codes),
        "email": reg.email,
        "organisation": reg.organisation,
        "role": reg.role.value,
        "ticket_type": reg.ticket_type,
        "days": sorted(reg.days),
        "sessions": sorted(reg.sessions),
        "status": reg.status.value,
        "lang": reg.lang.value if reg.lang else None,
        "valid_from": _time_text(reg.valid_from),
        "valid_until": _time_text(reg.valid_until),
        "badge_name": reg.badge_name,
        "print_count": reg.print_count,
        "country": reg.country,
    }


def registration_from_dict(data: Mapping[str, Any]) -> Registration:
    """The registration of ``registration_to_dict``; absent optional keys take their defaults.

    Raises KeyError without ``id``, ValueError for an unknown role, status or language, a
    time ``scan_time`` refuses, or a day that is not a number.
    """
    return Registration(
        id=str(data["id"]),
        first_name=str(data.get("first_name") or ""),
        last_name=str(data.get("last_name") or ""),
        codes=tuple(str(c) for c in data.get("codes") or ()),
        email=str(data.get("email") or ""),
        organisation=str(data.get("organisation") or ""),
        role=Role(data.get("role") or "participant"),
        ticket_type=str(data.get("ticket_type") or ""),
        days=frozenset(int(d) for d in data.get("days") or ()),
        sessions=frozenset(str(s) for s in data.get("sessions") or ()),
        status=Status(data.get("status") or "confirmed"),
        lang=Lang(data["lang"]) if data.get("lang") else None,
        valid_from=optional_time(data.get("valid_from"), "valid_from"),
        valid_until=optional_time(data.get("valid_until"), "valid_until"),
        badge_name=str(data.get("badge_name") or ""),
        print_count=int(data.get("print_count") or 0),
        country=str(data.get("country") or ""),
    )


# -- scans -----------------------------------------------------------------------------------


def scan_to_dict(scan: Scan) -> dict[str, object]:
    """The upload form of a scan (also what the hub stores and serves)."""
    return {
        "nonce": scan.nonce,
        "kiosk_id": scan.kiosk_id,
        "kiosk_name": scan.kiosk_name,
        "at": utc_text(scan.at),
        "day": scan.day,
        "code": scan.code,
        "registration_id": scan.registration_id,
        "kind": scan.kind.value,
        "accepted": scan.accepted,
        "reason": scan.reason,
        "session_id": scan.session_id,
        "staff": scan.staff,
        "note": scan.note,
        "forced": scan.forced,
        **({"answers": [list(a) for a in scan.answers]} if scan.answers else {}),
    }


def scan_from_dict(data: Mapping[str, Any]) -> Scan:
    """The scan of ``scan_to_dict``; raises ValueError, KeyError or TypeError for a value no
    kiosk writes (a time out of range, a boolean that is not one, a day that is not an int).
    """
    day = data.get("day")
    if day is not None and (type(day) is not int or not 1 <= day <= 366):
        raise ValueError(f"day {str(day)[:30]!r}: expected an event day number, 1-366")
    accepted, forced = data["accepted"], data.get("forced", False)
    if type(accepted) is not bool or type(forced) is not bool:
        raise TypeError("accepted and forced must be true or false")
    answers = data.get("answers") or ()
    if not isinstance(answers, list | tuple) or any(
        not isinstance(a, list | tuple) or len(a) != 2 for a in answers
    ):
        raise TypeError("answers must be a list of [question id, answer] pairs")
    return Scan(
        nonce=str(data["nonce"]),
        kiosk_id=str(data["kiosk_id"]),
        kiosk_name=str(data.get("kiosk_name") or ""),
        at=scan_time(data["at"]),
        day=day,
        code=str(data["code"]),
        registration_id=str(data["registration_id"]) if data.get("registration_id") else None,
        kind=ScanKind(str(data["kind"])),
        accepted=accepted,
        reason=str(data["reason"]),
        session_id=str(data["session_id"]) if data.get("session_id") else None,
        staff=str(data.get("staff") or ""),
        note=str(data.get("note") or ""),
        forced=forced,
        answers=tuple((str(a[0]), str(a[1])) for a in answers),
    )


# -- the event definition (event.json) -------------------------------------------------------


def event_to_dict(event: Event, sessions: Sequence[Session] | None = None) -> dict[str, Any]:
    """The event (and its sessions, when given) as the event.json shape the hub publishes.

    Session times are written as they are held (with the event's offset), not in UTC.
    """
    data: dict[str, Any] = {
        "slug": event.slug,
        "name": event.name,
        "timezone": event.timezone,
        "days": [{"number": d.number, "date": d.date.isoformat()} for d in event.days],
    }
    if sessions is not None:
        data["sessions"] = [
            {
                "id": s.id,
                "title": s.title,
                "room": s.room,
                "day": s.day,
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "capacity": s.capacity,
            }
            for s in sessions
        ]
    return data


def event_from_dict(data: Mapping[str, Any]) -> tuple[Event, list[Session]]:
    """The event and its sessions of ``event_to_dict`` (no ``sessions`` key: none).

    Raises KeyError for a missing slug, name, days or session field, ValueError for a date
    that is not YYYY-MM-DD or a session time that is not ISO 8601.
    """
    event = Event(
        slug=str(data["slug"]),
        name=str(data["name"]),
        timezone=str(data.get("timezone") or "UTC"),
        days=tuple(EventDay(int(d["number"]), date.fromisoformat(d["date"])) for d in data["days"]),
    )
    sessions = [
        Session(
            id=str(s["id"]),
            title=str(s["title"]),
            room=str(s.get("room") or ""),
            day=int(s["day"]),
            start=datetime.fromisoformat(s["start"]),
            end=datetime.fromisoformat(s["end"]),
            capacity=int(s.get("capacity") or 0),
        )
        for s in data.get("sessions") or ()
    ]
    return event, sessions


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # as the hub's one-line fields (sync.hub.models)


# A room's seats: far above any venue, far below what the databases and the reports' sums
# (63-bit integers) hold; 0 means no limit.
MAX_CAPACITY = 1_000_000


def event_from_definition(data: object) -> tuple[Event, list[Session]]:
    """The event of an event definition as organisers write it (event.json, the body of the
    hub's ``PUT /v1/admin/event``): slug, name, IANA time zone, days (number, YYYY-MM-DD)
    and sessions (id, title, room, day, start and end as HH:MM that day, capacity).

    Raises ValueError naming the key and what it must be (``sessions[2].end must be after
    start``) for anything else, whatever the JSON value.
    """

    def need(obj: object, key: str, kind: type, where: str) -> Any:
        if not isinstance(obj, dict):
            raise ValueError(f"{where.rstrip('.') or 'the definition'} must be an object")
        if key not in obj:
            raise ValueError(f"{where}{key} is missing")
        if not isinstance(obj[key], kind) or (isinstance(obj[key], bool) and kind is int):
            raise ValueError(f"{where}{key} must be a {kind.__name__}")
        if kind is str:
            one_line(obj[key], f"{where}{key}")
        return obj[key]

    def one_line(text: str, name: str) -> str:
        # JSON may escape a lone surrogate ("\ud800"): no UTF-8 database stores it
        if _CONTROL.search(text) or any("\ud800" <= c <= "\udfff" for c in text):
            raise ValueError(
                f"{name} must be one line of Unicode text (no control character or lone "
                f"surrogate): {text[:60]!r}"
            )
        return text

    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    tz_name = need(data, "timezone", str, "")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"timezone {tz_name[:60]!r} is not a known time zone") from None
    days: list[EventDay] = []
    for i, d in enumerate(need(data, "days", list, "")):
        where = f"days[{i}]."
        number = need(d, "number", int, where)
        try:
            days.append(EventDay(number, date.fromisoformat(need(d, "date", str, where))))
        except ValueError:
            raise ValueError(f"{where}date must be YYYY-MM-DD") from None
    if not days:
        raise ValueError("days is empty")
    by_number = {d.number: d.date for d in days}
    event = Event(need(data, "slug", str, ""), need(data, "name", str, ""), tuple(days), tz_name)
    sessions: list[Session] = []
    for i, s in enumerate(need(data, "sessions", list, "") if "sessions" in data else ()):
        where = f"sessions[{i}]."
        day = need(s, "day", int, where)
        if day not in by_number:
            raise ValueError(f"{where}day {day} is not one of the event's days")
        try:
            start = datetime.combine(
                by_number[day], time.fromisoformat(need(s, "start", str, where)), tz
            )
            end = datetime.combine(
                by_number[day], time.fromisoformat(need(s, "end", str, where)), tz
            )
        except ValueError:
            raise ValueError(f"{where}start/end must be HH:MM") from None
        if end <= start:
            raise ValueError(f"{where}end must be after start")
        capacity = s.get("capacity", 0)
        if (
            not isinstance(capacity, int)
            or isinstance(capacity, bool)
            or not 0 <= capacity <= MAX_CAPACITY
        ):
            raise ValueError(f"{where}capacity must be a whole number from 0 to {MAX_CAPACITY}")
        room = s.get("room", "")
        if not isinstance(room, str):
            raise ValueError(f"{where}room must be a str")
        one_line(room, f"{where}room")
        sessions.append(Session(need(s, "id", str, where), need(s, "title", str, where),
                                room, day, start, end, capacity))  # fmt: skip
    return event, sessions


# -- pretix check-in lists and ticket facts --------------------------------------------------


def list_to_dict(clist: CheckinList) -> dict[str, object]:
    """A check-in list in pretix's ``checkinlists`` field names (``products`` for
    ``limit_products``), with the (sub-)event's times as ``event_from``/``event_to``/
    ``event_admission``."""
    return {
        "id": clist.id,
        "name": clist.name,
        "all_products": clist.all_products,
        "products": sorted(clist.products),
        "subevent": clist.subevent,
        "include_pending": clist.include_pending,
        "allow_multiple_entries": clist.allow_multiple_entries,
        "allow_entry_after_exit": clist.allow_entry_after_exit,
        "addon_match": clist.addon_match,
        "rules": clist.rules,
        "event_from": _time_text(clist.event_from),
        "event_to": _time_text(clist.event_to),
        "event_admission": _time_text(clist.event_admission),
    }


def list_from_dict(data: Mapping[str, Any]) -> CheckinList:
    """The check-in list of ``list_to_dict``; the one place a CheckinList is read from JSON
    (``sync.pretix`` renames pretix's fields to these). Absent flags take pretix's defaults.
    Raises KeyError without ``id``, ValueError for a time ``scan_time`` refuses."""
    return CheckinList(
        id=int(data["id"]),
        name=str(data.get("name") or ""),
        all_products=bool(data.get("all_products")),
        products=frozenset(int(i) for i in data.get("products") or ()),
        subevent=data.get("subevent"),
        include_pending=bool(data.get("include_pending")),
        allow_multiple_entries=bool(data.get("allow_multiple_entries")),
        allow_entry_after_exit=bool(data.get("allow_entry_after_exit", True)),
        addon_match=bool(data.get("addon_match")),
        rules=data.get("rules") or None,
        event_from=optional_time(data.get("event_from"), "event_from"),
        event_to=optional_time(data.get("event_to"), "event_to"),
        event_admission=optional_time(data.get("event_admission"), "event_admission"),
    )


def facts_to_dict(facts: TicketFacts) -> dict[str, object]:
    """What the check-in list's checks read of one order position, as JSON."""
    return {
        "item": facts.item,
        "variation": facts.variation,
        "subevent": facts.subevent,
        "canceled": facts.canceled,
        "order_status": facts.order_status,
        "valid_if_pending": facts.valid_if_pending,
        "require_approval": facts.require_approval,
        "blocked": facts.blocked,
        "valid_from": _time_text(facts.valid_from),
        "valid_until": _time_text(facts.valid_until),
        "attention": facts.attention,
        "texts": list(facts.texts),
        "translated": [[lang, list(texts)] for lang, texts in facts.translated],
        "addon_to_secret": facts.addon_to_secret,
        "questions": [question_to_dict(q) for q in facts.questions],
    }


def facts_from_dict(data: Mapping[str, Any]) -> TicketFacts:
    """The ticket facts of ``facts_to_dict``. Raises KeyError without ``item``, ValueError
    for a time ``scan_time`` refuses."""
    return TicketFacts(
        item=int(data["item"]),
        variation=data.get("variation"),
        subevent=data.get("subevent"),
        canceled=bool(data.get("canceled")),
        order_status=str(data.get("order_status") or "p"),
        valid_if_pending=bool(data.get("valid_if_pending")),
        require_approval=bool(data.get("require_approval")),
        blocked=bool(data.get("blocked")),
        valid_from=optional_time(data.get("valid_from"), "valid_from"),
        valid_until=optional_time(data.get("valid_until"), "valid_until"),
        attention=bool(data.get("attention")),
        texts=tuple(str(t) for t in data.get("texts") or ()),
        translated=tuple(
            (str(lang), tuple(str(t) for t in texts))
            for lang, texts in data.get("translated") or ()
        ),
        addon_to_secret=str(data.get("addon_to_secret") or ""),
        questions=tuple(question_from_dict(q) for q in data.get("questions") or ()),
    )
