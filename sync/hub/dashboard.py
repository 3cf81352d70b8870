"""The hub's organiser page: live counts that refresh themselves, and CSV downloads.

Read-only. Organisers sign in with the organiser token (a form that sets an HttpOnly
cookie holding a signed expiry, never the token) or send it as a bearer token. The page is
plain HTML/CSS with one small script that polls ``/dashboard/live.json``: nothing is
loaded from outside the hub, so it works at an offline venue.

The router also carries the kiosk calls this page depends on: ``POST /v1/heartbeat``
(pending uploads and printer state) and ``POST /v1/purge/confirm`` (which of a kiosk's
scans the hub holds, asked before ``accueil purge`` deletes anything), plus
``PUT /v1/admin/event`` to publish the sessions and capacities shown here.
"""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations.

import json
import secrets
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from kiosk.core.model import Event, Scan, Session
from sync.hub.app import organiser_token_matches
from sync.hub.db import HubDB
from sync.hub.limits import body_limit
from sync.hub.models import EventAnswer, HeartbeatAnswer, PurgeAnswer
from sync.reports.compute import checked_in_now, first_entries, live_scans, session_fill
from sync.reports.source import (
    HubReportSource,
    event_from_dict,
    event_to_dict,
    kiosks_seen,
    snapshot,
)
from sync.wire import scan_from_dict

COOKIE = "accueil_organiser"
SESSION_HOURS = 12
CSV_TABLES = (
    "checkins", "sessions", "session_attendees", "no_shows", "walkins", "overrides",
    "refusals", "refused_scans", "conflicts", "arrivals", "checkins_export", "pretix_checkins",
)  # fmt: skip
_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


Count = Annotated[int, Field(ge=0, le=10**9)]
Id = Annotated[str, Field(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


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
    scans: list[Id] = Field(default_factory=list, max_length=500_000)
    registrations: list[Id] = Field(default_factory=list, max_length=100_000)


class _CookieSessions:
    """Sign-ins the hub keeps: the cookie holds a random id and its expiry, never the token.

    A session ends at its expiry or when signed out, whichever comes first: signing out
    forgets the id, so a copied cookie stops working too. The ids live in memory, so a hub
    restart signs everyone out (they sign in again). At most ``MAX_SESSIONS`` are kept; the
    oldest goes first.
    """

    MAX_SESSIONS = 1000

    def __init__(self) -> None:
        self._live: dict[str, int] = {}  # session id -> expiry (Unix seconds)
        self._lock = threading.Lock()

    def issue(self) -> str:
        session_id = secrets.token_urlsafe(32)
        expires = int(time.time()) + SESSION_HOURS * 3600
        with self._lock:
            self._prune()
            self._live[session_id] = expires
        return session_id

    def valid(self, value: str | None) -> bool:
        if not value or len(value) > 100:
            return False
        with self._lock:
            expires = self._live.get(value)
        return expires is not None and expires > time.time()

    def end(self, value: str | None) -> None:
        with self._lock:
            self._live.pop(value or "", None)

    def _prune(self) -> None:
        now = time.time()
        for session_id in [k for k, t in self._live.items() if t <= now]:
            del self._live[session_id]
        while len(self._live) >= self.MAX_SESSIONS:
            del self._live[next(iter(self._live))]


class _LiveScans:
    """The hub's scans, read incrementally: each poll fetches only what arrived since."""

    def __init__(self, db: HubDB) -> None:
        self.db = db
        self.scans: list[Scan] = []
        self.seq = 0
        self._lock = threading.Lock()

    def refresh(self) -> list[Scan]:
        with self._lock:
            for _ in range(1000):  # pages of 10,000
                page = self.db.scans(self.seq, 10_000)
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


def dashboard_router(db: HubDB, organiser_token: str) -> APIRouter:
    """The organiser page and the kiosk calls it relies on, over one hub database."""
    router = APIRouter()
    sessions_store = _CookieSessions()
    live = _LiveScans(db)

    def kiosk(creds: Credentials) -> str:
        if creds is None:
            raise HTTPException(401, "a kiosk token is required", {"WWW-Authenticate": "Bearer"})
        kiosk_id = db.kiosk_for_token(creds.credentials)
        if kiosk_id is None:
            if organiser_token_matches(organiser_token, creds.credentials):
                raise HTTPException(403, "the organiser token cannot act as a kiosk")
            raise HTTPException(
                401, "unknown or revoked kiosk token", {"WWW-Authenticate": "Bearer"}
            )
        return kiosk_id

    def signed_in(request: Request, creds: Credentials) -> bool:
        if creds is not None and organiser_token_matches(organiser_token, creds.credentials):
            return True
        return sessions_store.valid(request.cookies.get(COOKIE))

    def organiser(request: Request, creds: Credentials) -> None:
        if signed_in(request, creds):
            return
        if creds is not None and db.kiosk_for_token(creds.credentials) is not None:
            raise HTTPException(403, "a kiosk token cannot make organiser calls")
        raise HTTPException(401, "sign in at /dashboard with the organiser token")

    Kiosk = Annotated[str, Depends(kiosk)]
    Organiser = Depends(organiser)

    def event_and_sessions() -> tuple[Event | None, list[Session]]:
        stored = db.event_definition()
        if stored is None:
            return None, []
        return event_from_dict(stored)

    @router.post("/v1/heartbeat", tags=["kiosk"], max_body_size=body_limit("POST", "/v1/heartbeat"))
    def heartbeat(beat: Heartbeat, kiosk_id: Kiosk) -> HeartbeatAnswer:
        """The kiosk's state for the organiser page (pending uploads, printer)."""
        db.record_heartbeat(kiosk_id, beat.model_dump())
        return HeartbeatAnswer(kiosk_id=kiosk_id, hub_id=db.hub_id)

    @router.post(
        "/v1/purge/confirm",
        tags=["kiosk"],
        max_body_size=body_limit("POST", "/v1/purge/confirm"),
    )
    async def purge_confirm(question: PurgeQuestion, kiosk_id: Kiosk) -> PurgeAnswer:
        """Which of these scan nonces (made at this kiosk) and walk-ins the hub holds."""
        held = await run_in_threadpool(
            db.confirm_kiosk, kiosk_id, question.scans, question.registrations
        )
        return PurgeAnswer(**held)

    @router.put(
        "/v1/admin/event",
        tags=["organiser"],
        dependencies=[Organiser],
        max_body_size=body_limit("PUT", "/v1/admin/event"),
    )
    def publish_event(definition: dict[str, Any]) -> EventAnswer:
        """Publish the event definition (the event.json format) for the page's sessions."""
        from sync.importers import EventFileError, load_event

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "event.json"
            path.write_text(json.dumps(definition), encoding="utf-8")
            try:
                event, sessions = load_event(path)
            except EventFileError as exc:
                raise HTTPException(422, str(exc).replace(str(path), "event")) from None
        db.set_event_definition(event_to_dict(event, sessions))
        return EventAnswer(event=event.slug, sessions=len(sessions))

    @router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    def page(
        request: Request,
        creds: Credentials,
        refresh: Annotated[int, Query(ge=1, le=300, description="seconds between updates")] = 5,
    ) -> Response:
        if not signed_in(request, creds):
            return _html(_login_page(""), 200)
        event, _ = event_and_sessions()
        return _html(_dashboard_page(event.name if event else "Accueil hub", refresh))

    @router.post(
        "/dashboard/login",
        include_in_schema=False,
        max_body_size=body_limit("POST", "/dashboard/login"),
    )
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("token") or [""])[0].strip()
        if not organiser_token:
            return _html(_login_page("This hub has no organiser token configured."), 403)
        if not organiser_token_matches(organiser_token, given):
            return _html(_login_page("Wrong organiser token."), 401)
        answer = RedirectResponse("/dashboard", status_code=303)
        secure = (
            request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
        )
        answer.set_cookie(
            COOKIE, sessions_store.issue(), max_age=SESSION_HOURS * 3600, httponly=True,
            samesite="strict", secure=secure, path="/",
        )  # fmt: skip
        return answer

    @router.post(
        "/dashboard/logout",
        include_in_schema=False,
        max_body_size=body_limit("POST", "/dashboard/logout"),
    )
    def logout(request: Request) -> Response:
        sessions_store.end(request.cookies.get(COOKIE))
        answer = RedirectResponse("/dashboard", status_code=303)
        answer.delete_cookie(COOKIE, path="/")
        return answer

    @router.get("/dashboard/dashboard.js", include_in_schema=False)
    def script() -> Response:
        return Response(_SCRIPT, media_type="text/javascript", headers=_HEADERS)

    @router.get("/dashboard/dashboard.css", include_in_schema=False)
    def style() -> Response:
        return Response(_STYLE, media_type="text/css", headers=_HEADERS)

    @router.get("/dashboard/live.json", tags=["organiser"], dependencies=[Organiser])
    async def live_json(day: Annotated[int | None, Query(ge=1, le=366)] = None) -> Response:
        """The page's numbers: check-ins, sessions, arrivals in the last hour, kiosks."""

        def build() -> dict[str, Any]:
            event, sessions = event_and_sessions()
            return live_counts(db, live.refresh(), event, sessions, day, datetime.now(UTC))

        return JSONResponse(await run_in_threadpool(build), headers=_HEADERS)

    @router.get(
        "/dashboard/csv/{name}.csv",
        tags=["organiser"],
        dependencies=[Organiser],
        response_class=Response,
        responses={
            200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}
        },
    )
    async def download(
        name: str, day: Annotated[int | None, Query(ge=1, le=366)] = None
    ) -> Response:
        """One report table as CSV (the same files `accueil report --hub` writes)."""
        if name not in CSV_TABLES:
            raise HTTPException(404, f"no table {name!r}; one of: {', '.join(CSV_TABLES)}")
        return await run_in_threadpool(_csv_download, db, name, day)

    return router


def _csv_download(db: HubDB, name: str, day: int | None) -> Response:
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
            **_HEADERS,
            "Content-Disposition": f'attachment; filename="{name}{suffix}.csv"',
        },
    )


_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        body,
        status,
        headers={**_HEADERS, "Content-Security-Policy": _CSP, "X-Frame-Options": "DENY"},
    )


def _login_page(error: str) -> str:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accueil hub — sign in</title><link rel="stylesheet" href="/dashboard/dashboard.css">
</head><body class="login">
<main><h1>Accueil hub</h1><p>Organisers: sign in with the hub's organiser token.</p>{message}
<form method="post" action="/dashboard/login">
<label for="token">Organiser token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form></main></body></html>
"""


def _dashboard_page(title: str, refresh: int = 5) -> str:
    links = "".join(
        f'<li><a class="csv" data-table="{t}" href="/dashboard/csv/{t}.csv" download>{t}.csv</a></li>'
        for t in CSV_TABLES
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — live</title><link rel="stylesheet" href="/dashboard/dashboard.css">
<script src="/dashboard/dashboard.js" defer></script>
</head><body data-refresh="{refresh}">
<header><h1 id="event">{escape(title)}</h1>
<p class="meta">Day <span id="day">–</span> · updated <span id="updated">never</span>
<span id="status" class="status"></span></p>
<form method="post" action="/dashboard/logout"><button type="submit">Sign out</button></form>
</header>
<main>
<section class="cards">
<div class="card"><span class="label">Checked in today</span><span class="big" id="checked-in">–</span>
<span class="sub">of <span id="registered">–</span> registered</span></div>
<div class="card"><span class="label">Inside now</span><span class="big" id="inside">–</span></div>
<div class="card"><span class="label">Arrivals, last hour</span><span class="big" id="arrivals-hour">–</span></div>
<div class="card"><span class="label">Refused scans today</span><span class="big" id="refused">–</span>
<span class="sub"><span id="conflicts">–</span> conflicts · <span id="walkins">–</span> walk-ins</span></div>
</section>
<section><h2>Sessions</h2><p class="note" id="sessions-note"></p>
<table id="sessions"><thead><tr><th>Session</th><th>Room</th><th>Starts</th><th>Inside</th>
<th>Attended</th><th>Capacity</th><th>Fill</th></tr></thead><tbody></tbody></table></section>
<section><h2>Kiosks</h2>
<table id="kiosks"><thead><tr><th>Kiosk</th><th>Last contact</th><th>Scans</th>
<th>Pending uploads</th><th>Printer</th><th>Badges waiting</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Downloads</h2><p class="note">Report tables for the day shown (CSV).</p>
<ul class="downloads">{links}</ul></section>
</main></body></html>
"""


_STYLE = """
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; margin: 0; color: #1b1b1b;
       background: #f4f6f8; }
header { background: #1f6f8b; color: white; padding: .8rem 1.5rem; display: flex;
         flex-wrap: wrap; align-items: baseline; gap: 1rem; }
header h1 { margin: 0; font-size: 1.4rem; } header .meta { margin: 0; flex: 1; }
header form { margin: 0; } main { padding: 1rem 1.5rem; max-width: 80rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 1rem; }
.card { background: white; border-radius: .5rem; padding: 1rem; box-shadow: 0 1px 3px #0002;
        display: flex; flex-direction: column; }
.label { color: #555; } .big { font-size: 2.6rem; font-weight: bold; } .sub { color: #555; }
table { border-collapse: collapse; width: 100%; background: white; }
th, td { border-bottom: 1px solid #dde3e8; padding: .35rem .5rem; text-align: start; }
td.num { text-align: end; font-variant-numeric: tabular-nums; }
tr.full td { background: #fdecea; } tr.amber td { background: #fff4e0; }
tr.stale td { color: #a33; } .status.offline { color: #ffd0d0; font-weight: bold; }
.note { color: #555; } .downloads { columns: 3; } .error { color: #a33; font-weight: bold; }
body.login main { max-width: 24rem; margin: 4rem auto; background: white; padding: 2rem;
                  border-radius: .5rem; box-shadow: 0 1px 3px #0002; }
input, button { font-size: 1rem; padding: .4rem .6rem; margin: .3rem 0; }
input { width: 100%; box-sizing: border-box; }
"""

_SCRIPT = """
"use strict";
(function () {
  const every = 1000 * (Number(document.body.dataset.refresh) || 5);
  const el = (id) => document.getElementById(id);
  const text = (id, value) => { el(id).textContent = value === null || value === undefined ? "–" : String(value); };
  function cell(row, value, numeric) {
    const td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "" : String(value);
    td.dir = "auto";
    if (numeric) td.className = "num";
    row.appendChild(td);
  }
  function ago(seconds) {
    if (seconds === null || seconds === undefined) return "never";
    if (seconds < 90) return seconds + " s ago";
    if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
    return Math.round(seconds / 3600) + " h ago";
  }
  function render(data) {
    text("day", data.day);
    text("checked-in", data.checked_in);
    text("registered", data.registered);
    text("inside", data.inside);
    text("arrivals-hour", data.arrivals_last_hour);
    text("refused", data.refused);
    text("conflicts", data.conflicts);
    text("walkins", data.walkins);
    text("sessions-note", data.event_published ? "" :
      "No event published to the hub: sessions seen at the doors, without capacities.");
    const sessions = el("sessions").tBodies[0];
    sessions.replaceChildren();
    for (const s of data.sessions) {
      const row = sessions.insertRow();
      row.dataset.session = s.id;
      if (s.capacity && s.inside >= s.capacity) row.className = "full";
      else if (s.capacity && s.inside >= 0.9 * s.capacity) row.className = "amber";
      cell(row, s.id + " · " + s.title); cell(row, s.room); cell(row, s.start);
      cell(row, s.inside, true); cell(row, s.attended, true);
      cell(row, s.capacity || "no limit", true);
      cell(row, s.fill_percent === null ? "" : s.fill_percent + " %", true);
    }
    const kiosks = el("kiosks").tBodies[0];
    kiosks.replaceChildren();
    for (const k of data.kiosks) {
      const row = kiosks.insertRow();
      row.dataset.kiosk = k.kiosk_id;
      if (k.seconds_since_contact === null || k.seconds_since_contact > 120) row.className = "stale";
      cell(row, k.name ? k.kiosk_id + " (" + k.name + ")" : k.kiosk_id);
      cell(row, ago(k.seconds_since_contact)); cell(row, k.scans, true);
      cell(row, k.pending_uploads === null ? "not reported" : k.pending_uploads, true);
      cell(row, k.printer_state || "not reported");
      cell(row, k.print_queue === null ? "" : k.print_queue, true);
    }
    for (const a of document.querySelectorAll("a.csv")) {
      a.href = "/dashboard/csv/" + a.dataset.table + ".csv?day=" + data.day;
    }
    text("updated", new Date().toLocaleTimeString());
    el("status").textContent = "";
    el("status").className = "status";
  }
  async function poll() {
    try {
      const answer = await fetch("/dashboard/live.json", { credentials: "same-origin", cache: "no-store" });
      if (answer.status === 401) { window.location.reload(); return; }
      if (!answer.ok) throw new Error("hub answered " + answer.status);
      render(await answer.json());
    } catch (error) {
      el("status").textContent = "· hub unreachable, retrying";
      el("status").className = "status offline";
    } finally {
      window.setTimeout(poll, every);
    }
  }
  poll();
})();
"""
