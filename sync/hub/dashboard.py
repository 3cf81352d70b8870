"""The organisers' page: live counts that refresh themselves, and CSV downloads.

Read-only. Organisers sign in with the organiser token (a form that sets an HttpOnly
cookie holding a random session id, never the token; ``sync.hub.dependencies``) or send it
as a bearer token. The page is a Jinja2 template (``sync/hub/templates``) with one small
script and one style sheet (``sync/hub/static``) that poll ``/dashboard/live.json``: nothing
is loaded from outside the hub, so it works at an offline venue. The routes are in
``sync.hub.routers.dashboard``; this module holds what they compute and render.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from kiosk.core.model import Event, Scan, Session
from kiosk.core.stats import checked_in_now, first_entries, live_scans
from sync.hub.db import HubDB
from sync.hub.dependencies import COOKIE, SESSION_HOURS
from sync.reports.compute import session_fill
from sync.reports.source import HubReportSource, kiosks_seen, snapshot
from sync.wire import scan_from_dict

__all__ = ["COOKIE", "CSV_TABLES", "SESSION_HOURS", "LiveScans", "live_counts"]

CSV_TABLES = (
    "checkins", "sessions", "session_attendees", "no_shows", "walkins", "overrides",
    "refusals", "refused_scans", "conflicts", "arrivals", "checkins_export", "pretix_checkins",
)  # fmt: skip
STATIC_FILES = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}


class LiveScans:
    """The hub's scans, read incrementally: each poll fetches only what arrived since."""

    def __init__(self) -> None:
        self.scans: list[Scan] = []
        self.seq = 0
        self._lock = threading.Lock()

    def refresh(self, db: HubDB) -> list[Scan]:
        with self._lock:
            for _ in range(1000):  # pages of 10,000
                page = db.scans(self.seq, 10_000)
                if not page:
                    break
                self.scans.extend(scan_from_dict(row) for row in page)
                self.seq = int(page[-1]["seq"])
            return list(self.scans)


def live_counts(
    db: HubDB, scans: list[Scan], event: Event | None, sessions: list[Session], day: int | None,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """Everything the page shows, as JSON-ready data."""
    stats = db.stats()
    live, _ = live_scans(scans)
    tz = ZoneInfo(event.timezone) if event else UTC
    days = (
        sorted(d.number for d in event.days) if event else sorted({s.day for s in scans if s.day})
    )
    if day is None:
        today = event.day_of(now.astimezone(tz)) if event else None
        with_scans = [s.day for s in scans if s.day is not None]
        day = today or (max(with_scans) if with_scans else (days[0] if days else 1))
    first = {k: s for k, s in first_entries(live).items() if k[1] == day}
    hour_ago = now - timedelta(hours=1)
    refused = [s for s in scans if not s.accepted and s.day == day]
    if not sessions:  # no event published: the sessions seen at the doors, without capacity
        ids = sorted({s.session_id for s in scans if s.session_id and s.day == day})
        sessions = [Session(i, i, "", day, now, now) for i in ids]
    rows = []
    for fill in (session_fill(s, live, refused) for s in sessions if s.day == day):
        rows.append(
            {
                "id": fill.session.id,
                "title": fill.session.title,
                "room": fill.session.room,
                "start": fill.session.start.astimezone(tz).strftime("%H:%M"),
                "inside": fill.inside,
                "attended": fill.attended,
                "capacity": fill.session.capacity,
                "fill_percent": None if fill.fill_percent is None else round(fill.fill_percent),
                "refused_full": fill.refused_full,
            }
        )
    kiosks = [
        {
            "kiosk_id": k.kiosk_id,
            "name": k.name,
            "scans": k.scans,
            "last_contact": k.last_contact.isoformat() if k.last_contact else None,
            "seconds_since_contact": (
                int((now - k.last_contact).total_seconds()) if k.last_contact else None
            ),
            "pending_uploads": k.pending_uploads,
            "printer_state": k.printer_state,
            "print_queue": k.print_queue,
        }
        for k in kiosks_seen(db)
    ]
    return {
        "event": event.name if event else "",
        "event_published": event is not None,
        "day": day,
        "days": days,
        "now": now.astimezone(tz).isoformat(timespec="seconds"),
        "registered": stats["registrations"] - stats["cancelled"],
        "checked_in": len(first),
        "inside": checked_in_now(live, day),
        "arrivals_last_hour": sum(1 for s in first.values() if s.at >= hour_ago),
        "walkins": stats["walkins"],
        "scans": sum(1 for s in scans if s.day == day),
        "refused": len(refused),
        "conflicts": stats["conflicts"],
        "sessions": rows,
        "kiosks": kiosks,
    }


def csv_download(db: HubDB, name: str, day: int | None) -> Response:
    from sync.reports import NoEventError, compute, csv_text
    from sync.reports.exports import generic_table, pretix_export

    try:
        report = compute(snapshot(HubReportSource(db)), day)
    except NoEventError as exc:
        raise HTTPException(409, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    if name == "checkins_export":
        table = generic_table(report)
    elif name == "pretix_checkins":
        table = pretix_export(report, None).csv_table()
    else:
        table = report.tables[name]
    suffix = f"-day{day}" if day else ""
    return Response(
        csv_text(table, excel=name not in ("checkins_export", "pretix_checkins")),
        media_type="text/csv; charset=utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{name}{suffix}.csv"',
        },
    )


HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@cache
def _templates() -> Environment:
    """The page templates, from the installed package (``sync/hub/templates``)."""
    return Environment(
        loader=PackageLoader("sync.hub", "templates"),
        autoescape=select_autoescape(("html",), default=True),
        trim_blocks=True,
    )


@cache
def static_file(name: str) -> bytes:
    """One of ``STATIC_FILES``, from the installed package (``sync/hub/static``)."""
    return resources.files("sync.hub").joinpath("static", name).read_bytes()


def html_page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        body,
        status,
        headers={**HEADERS, "Content-Security-Policy": CSP, "X-Frame-Options": "DENY"},
    )


def login_page(error: str) -> str:
    return _templates().get_template("login.html").render(error=error)


def dashboard_page(title: str, refresh: int = 5) -> str:
    return (
        _templates()
        .get_template("dashboard.html")
        .render(title=title, refresh=refresh, tables=CSV_TABLES)
    )
