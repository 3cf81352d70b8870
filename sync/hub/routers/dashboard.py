"""The organisers' page (``/dashboard``): sign-in, the page, its script and style, the live
numbers and the CSV downloads. What they compute and render is in ``sync.hub.dashboard``."""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations.

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse

from kiosk.core.model import Event, Session
from sync.hub.dashboard import (
    CSV_TABLES,
    HEADERS,
    STATIC_FILES,
    csv_download,
    dashboard_page,
    html_page,
    live_counts,
    login_page,
    static_file,
)
from sync.hub.db import HubDB
from sync.hub.dependencies import (
    COOKIE,
    SESSION_HOURS,
    Database,
    Sessions,
    Settings,
    SignedIn,
    SignedInOrganiser,
    organiser_token_matches,
)
from sync.hub.limits import body_limit
from sync.hub.models import LiveCounts
from sync.wire import event_from_dict

router = APIRouter(prefix="/dashboard")


def _event_and_sessions(db: HubDB) -> tuple[Event | None, list[Session]]:
    stored = db.event_definition()
    if stored is None:
        return None, []
    return event_from_dict(stored)


@router.get("", include_in_schema=False)
def page(
    db: Database,
    signed_in: SignedIn,
    refresh: Annotated[int, Query(ge=1, le=300, description="seconds between updates")] = 5,
) -> Response:
    if not signed_in:
        return html_page(login_page(""), 200)
    event, _ = _event_and_sessions(db)
    return html_page(dashboard_page(event.name if event else "Accueil hub", refresh))


@router.post(
    "/login", include_in_schema=False, max_body_size=body_limit("POST", "/dashboard/login")
)
async def login(request: Request, settings: Settings, sessions: Sessions) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    given = (form.get("token") or [""])[0].strip()
    if not settings.organiser_token:
        return html_page(login_page("This hub has no organiser token configured."), 403)
    if not organiser_token_matches(settings.organiser_token, given):
        return html_page(login_page("Wrong organiser token."), 401)
    answer = RedirectResponse("/dashboard", status_code=303)
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    answer.set_cookie(
        COOKIE, sessions.issue(), max_age=SESSION_HOURS * 3600, httponly=True,
        samesite="strict", secure=secure, path="/",
    )  # fmt: skip
    return answer


@router.post(
    "/logout", include_in_schema=False, max_body_size=body_limit("POST", "/dashboard/logout")
)
def logout(request: Request, sessions: Sessions) -> Response:
    sessions.end(request.cookies.get(COOKIE))
    answer = RedirectResponse("/dashboard", status_code=303)
    answer.delete_cookie(COOKIE, path="/")
    return answer


@router.get(
    "/live.json", tags=["organiser"], dependencies=[SignedInOrganiser], response_model=LiveCounts
)
async def live_json(
    request: Request, db: Database, day: Annotated[int | None, Query(ge=1, le=366)] = None
) -> Response:
    """The page's numbers: check-ins, sessions, arrivals in the last hour, kiosks."""
    live = request.app.state.live

    def build() -> dict[str, Any]:
        event, sessions = _event_and_sessions(db)
        return live_counts(db, live.refresh(db), event, sessions, day, datetime.now(UTC))

    return JSONResponse(await run_in_threadpool(build), headers=HEADERS)


@router.get(
    "/csv/{name}.csv",
    tags=["organiser"],
    dependencies=[SignedInOrganiser],
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}
    },
)
async def download(
    name: str, db: Database, day: Annotated[int | None, Query(ge=1, le=366)] = None
) -> Response:
    """One report table as CSV (the same files `accueil report --hub` writes)."""
    if name not in CSV_TABLES:
        raise HTTPException(404, f"no table {name!r}; one of: {', '.join(CSV_TABLES)}")
    return await run_in_threadpool(csv_download, db, name, day)


# Last: the other /dashboard/… routes match first.
@router.get("/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """The page's script and style sheet (``sync/hub/static``)."""
    if name not in STATIC_FILES:
        raise HTTPException(404, f"no file {name[:60]!r}")
    return Response(static_file(name), media_type=STATIC_FILES[name], headers=HEADERS)
