"""The event definition: a small JSON file with the slug, name, time zone, days and sessions."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.core.model import Event, Session
from kiosk.errors import InputFileError
from sync.wire import event_from_definition


class EventFileError(InputFileError, ValueError):
    """The event definition file is unusable; the message names the file and key."""


def load_event(path: Path | str) -> tuple[Event, list[Session]]:
    """Read the event definition: slug, name, time zone, days and sessions.

    The file holds what ``sync.wire.event_from_definition`` reads (the hub reads the same
    from an organiser's upload). Raises EventFileError naming the file and the key.
    """
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
    except UnicodeDecodeError:
        raise EventFileError(f"{path}: not UTF-8 text", file=str(path)) from None

    try:
        return event_from_definition(data)
    except ValueError as exc:
        raise EventFileError(f"{path}: {exc}", file=str(path)) from None
