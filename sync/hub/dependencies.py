"""What the hub's routes depend on: the database, the settings, and who is asking.

FastAPI dependencies (``Depends``), read from the application's state that
``sync.hub.app.create_app`` and its lifespan fill:

- ``Database``: the ``HubDB`` of this app;
- ``CurrentKiosk``: the kiosk id of the bearer token. No token or an unknown or revoked one
  is 401 (with ``WWW-Authenticate: Bearer``); the organiser token is 403;
- ``Organiser``: the organiser token as a bearer token; a kiosk token is 403, anything
  else 401;
- ``SignedInOrganiser``: the same, or the cookie of a dashboard sign-in (``COOKIE``).
"""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations.

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.hub.db import HubDB, hash_token

COOKIE = "accueil_organiser"
SESSION_HOURS = 12

_bearer = HTTPBearer(auto_error=False, description="A kiosk token or the organiser token")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True, slots=True)
class HubSettings:
    """What one hub app is configured with (``[hub]`` in config.toml)."""

    organiser_token: str  # the token itself or ``sha256:<hex>`` of it; empty: no admin calls
    docs: bool = True


def organiser_token_matches(configured: str, given: str) -> bool:
    """``configured`` is the token itself or ``sha256:<hex>`` of it (hex in either case)."""
    if not configured or not given:
        return False
    if configured.startswith("sha256:"):
        digest = configured.removeprefix("sha256:").strip().lower()
        return hmac.compare_digest(digest.encode(), hash_token(given).encode())
    return hmac.compare_digest(configured.encode(), given.encode())


class CookieSessions:
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


# Dependencies that do no IO are coroutines: FastAPI runs a plain function in its thread
# pool, a hop per dependency and request that every pull and upload would pay.
async def get_db(request: Request) -> HubDB:
    db: HubDB | None = getattr(request.app.state, "db", None)
    if db is None:  # only between the lifespan's end and the server's
        raise HTTPException(503, "the hub database is closed")
    return db


async def get_settings(request: Request) -> HubSettings:
    settings: HubSettings = request.app.state.settings
    return settings


async def get_sessions(request: Request) -> CookieSessions:
    sessions: CookieSessions = request.app.state.sessions
    return sessions


Database = Annotated[HubDB, Depends(get_db)]
Settings = Annotated[HubSettings, Depends(get_settings)]
Sessions = Annotated[CookieSessions, Depends(get_sessions)]


def unauthorised(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def kiosk_token(creds: HTTPAuthorizationCredentials | None) -> str:
    """The bearer token of a kiosk call; none is 401. Routes that read the token with their
    first query (``/v1/changes``, ``/v1/upload``) check it themselves, then refuse an unknown
    one with ``unknown_kiosk``; the others depend on ``CurrentKiosk``."""
    if creds is None:
        raise unauthorised("a kiosk token is required (Authorization: Bearer …)")
    return creds.credentials


def unknown_kiosk(
    creds: HTTPAuthorizationCredentials | None, settings: HubSettings
) -> HTTPException:
    """The refusal of a token that is no live kiosk token: 403 for the organiser token, 401
    for anything else."""
    if creds is not None and organiser_token_matches(settings.organiser_token, creds.credentials):
        return HTTPException(403, "the organiser token cannot act as a kiosk")
    return unauthorised("unknown or revoked kiosk token")


def current_kiosk(creds: Credentials, db: Database, settings: Settings) -> str:
    kiosk_id = db.kiosk_for_token(kiosk_token(creds))
    if kiosk_id is None:
        raise unknown_kiosk(creds, settings)
    return kiosk_id


def require_organiser(creds: Credentials, db: Database, settings: Settings) -> None:
    if creds is None:
        raise unauthorised("the organiser token is required")
    if organiser_token_matches(settings.organiser_token, creds.credentials):
        return
    if db.kiosk_for_token(creds.credentials) is not None:
        raise HTTPException(403, "a kiosk token cannot make organiser calls")
    raise unauthorised("wrong organiser token")


async def is_signed_in(
    request: Request, creds: Credentials, settings: Settings, sessions: Sessions
) -> bool:
    """The organiser token as a bearer token, or a live dashboard sign-in cookie."""
    if creds is not None and organiser_token_matches(settings.organiser_token, creds.credentials):
        return True
    return sessions.valid(request.cookies.get(COOKIE))


def require_signed_in_organiser(
    creds: Credentials, db: Database, signed_in: Annotated[bool, Depends(is_signed_in)]
) -> None:
    if signed_in:
        return
    if creds is not None and db.kiosk_for_token(creds.credentials) is not None:
        raise HTTPException(403, "a kiosk token cannot make organiser calls")
    raise HTTPException(401, "sign in at /dashboard with the organiser token")


CurrentKiosk = Annotated[str, Depends(current_kiosk)]
SignedIn = Annotated[bool, Depends(is_signed_in)]
Organiser = Depends(require_organiser)
SignedInOrganiser = Depends(require_signed_in_organiser)
