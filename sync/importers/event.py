"""The event definition: a small JSON file with the slug, name, time zone, days and sessions."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core.model import Event, EventDay, Session
from kiosk.errors import InputFileError


class EventFileError(InputFileError, ValueError):
    """The event definition file is unusable; the message names the file and key."""


def load_event(path: Path | str) -> tuple[Event, list[Session]]:
    """Read the event definition: slug, name, time zone, days and sessions."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EventFileError(f"{path}: event definition not found", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise EventFileError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg})",
            file=str(path),
            line=exc.lineno,
            column=exc.colno,
        ) from None

    def need(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
        if key not in obj:
            raise EventFileError(f"{path}: {where}{key} is missing", file=str(path))
        if not isinstance(obj[key], kind) or (isinstance(obj[key], bool) and kind is int):
            raise EventFileError(f"{path}: {where}{key} must be a {kind.__name__}", file=str(path))
        return obj[key]

    if not isinstance(data, dict):
        raise EventFileError(f"{path}: expected a JSON object", file=str(path))
    tz_name = need(data, "timezone", str, "")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise EventFileError(
            f"{path}: timezone {tz_name!r} is not a known time zone", file=str(path)
        ) from None
    days: list[EventDay] = []
    for i, d in enumerate(need(data, "days", list, "")):
        where = f"days[{i}]."
        try:
            days.append(
                EventDay(
                    need(d, "number", int, where), date.fromisoformat(need(d, "date", str, where))
                )
            )
        except ValueError:
            raise EventFileError(
                f"{path}: {where}date must be YYYY-MM-DD", file=str(path)
            ) from None
    if not days:
        raise EventFileError(f"{path}: days is empty", file=str(path))
    by_number = {d.number: d.date for d in days}
    event = Event(need(data, "slug", str, ""), need(data, "name", str, ""), tuple(days), tz_name)
    sessions: list[Session] = []
    for i, s in enumerate(data.get("sessions", [])):
        where = f"sessions[{i}]."
        day = need(s, "day", int, where)
        if day not in by_number:
            raise EventFileError(
                f"{path}: {where}day {day} is not one of the event's days", file=str(path)
            )
        try:
            start = datetime.combine(
                by_number[day], time.fromisoformat(need(s, "start", str, where)), tz
            )
            end = datetime.combine(
                by_number[day], time.fromisoformat(need(s, "end", str, where)), tz
            )
        except ValueError:
            raise EventFileError(
                f"{path}: {where}start/end must be HH:MM", file=str(path)
            ) from None
        if end <= start:
            raise EventFileError(f"{path}: {where}end must be after start", file=str(path))
        capacity = s.get("capacity", 0)
        if not isinstance(capacity, int) or capacity < 0:
            raise EventFileError(
                f"{path}: {where}capacity must be a whole number ≥ 0", file=str(path)
            )
        sessions.append(Session(need(s, "id", str, where), need(s, "title", str, where),
                                s.get("room", ""), day, start, end, capacity))  # fmt: skip
    return event, sessions
