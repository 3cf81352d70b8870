"""The hub's HTTP API (FastAPI): kiosks pull and upload, organisers import and report.

Every ``/v1`` call needs a bearer token: a kiosk token (``accueil hub token create KIOSK``)
for the kiosk calls, the organiser token for ``/v1/admin``. A missing or unknown token
gets 401, a kiosk token on an organiser call 403. ``/healthz`` and the OpenAPI docs carry
no event data and are open.
"""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations, some
# of which are local to create_app, at definition time.

import hmac
import re
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from sync.hub.db import HubDB, HubError, hash_token
from sync.hub.limits import DEFAULT_LIMIT, body_limit
from sync.hub.models import (
    ERROR_RESPONSES,
    ChangesPage,
    Conflict,
    ConflictRow,
    EventWindow,
    KioskRow,
    Rejected,
    Revoked,
    ScanRow,
    Stats,
    UnreadableScan,
    UploadAnswer,
    read_registration,
    refusal,
)

MAX_BATCH = 20000
KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # as sync.hub.db makes tokens for
MAX_SEQ = 2**63 - 1  # the largest number either database stores

_bearer = HTTPBearer(auto_error=False, description="A kiosk token or the organiser token")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


class UploadItem(BaseModel):
    kind: str = Field(description='"scan" or "registration"')
    key: str = Field(description="the scan nonce or the registration id")
    data: Any = Field(
        description="sync.hub.models.ScanData / WalkinData (sync.wire.scan_to_dict / "
        "registration_to_dict); checked item by item, a bad item is rejected with its reason"
    )


class UploadBatch(BaseModel):
    items: list[UploadItem] = Field(max_length=MAX_BATCH)


class WhoAmI(BaseModel):
    kiosk_id: str
    hub_id: str


class ImportAnswer(BaseModel):
    received: int
    changed: int


class TokenAnswer(BaseModel):
    kiosk_id: str
    token: str


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def organiser_token_matches(configured: str, given: str) -> bool:
    """``configured`` is the token itself or ``sha256:<hex>`` of it (hex in either case)."""
    if not configured or not given:
        return False
    if configured.startswith("sha256:"):
        digest = configured.removeprefix("sha256:").strip().lower()
        return hmac.compare_digest(digest.encode(), hash_token(given).encode())
    return hmac.compare_digest(configured.encode(), given.encode())


def create_app(db: HubDB, organiser_token: str, *, docs: bool = True) -> FastAPI:
    """The ASGI application over one hub database."""
    app = FastAPI(
        title="Accueil hub",
        version="1",
        summary="Registrations and scans shared by the check-in kiosks of one event.",
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        responses=ERROR_RESPONSES,
        max_body_size=DEFAULT_LIMIT,
    )
    app.state.db = db

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """Validation errors in the one error shape (``Problem``): each field and why."""
        parts = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()[:5]
        ]
        return JSONResponse({"detail": "; ".join(parts)[:1000]}, status_code=422)

    def kiosk(creds: Credentials) -> str:
        if creds is None:
            raise _unauthorised("a kiosk token is required (Authorization: Bearer …)")
        kiosk_id = db.kiosk_for_token(creds.credentials)
        if kiosk_id is None:
            if organiser_token_matches(organiser_token, creds.credentials):
                raise HTTPException(403, "the organiser token cannot act as a kiosk")
            raise _unauthorised("unknown or revoked kiosk token")
        return kiosk_id

    def organiser(creds: Credentials) -> None:
        if creds is None:
            raise _unauthorised("the organiser token is required")
        if organiser_token_matches(organiser_token, creds.credentials):
            return
        if db.kiosk_for_token(creds.credentials) is not None:
            raise HTTPException(403, "a kiosk token cannot make organiser calls")
        raise _unauthorised("wrong organiser token")

    Kiosk = Annotated[str, Depends(kiosk)]
    Organiser = Depends(organiser)

    @app.get("/healthz", tags=["hub"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/whoami", tags=["kiosk"])
    def whoami(kiosk_id: Kiosk) -> WhoAmI:
        """Which kiosk this token belongs to (the sync engine checks it against its config)."""
        return WhoAmI(kiosk_id=kiosk_id, hub_id=db.hub_id)

    @app.get(
        "/v1/changes",
        tags=["kiosk"],
        responses={
            200: {"model": ChangesPage, "description": "registrations, other kiosks' scans"}
        },
    )
    def changes(
        kiosk_id: Kiosk,
        cursor: Annotated[
            str | None, Query(description="from the previous pull; none: all")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=20000)] = 5000,
    ) -> Response:
        """Registrations changed (cancellations and walk-ins included) and scans made at
        other kiosks since ``cursor``; ``more`` says another page is waiting."""
        try:
            body = db.changes(cursor, kiosk_id, limit)
        except HubError as exc:
            raise HTTPException(400, str(exc)) from None
        return Response(body, media_type="application/json")

    @app.post("/v1/upload", tags=["kiosk"], max_body_size=body_limit("POST", "/v1/upload"))
    async def upload(request: Request, kiosk_id: Kiosk) -> UploadAnswer:
        """A batch of outbox items: scans (idempotent by nonce, refused ones too) and
        walk-in registrations. The answer lists the check-ins that conflict."""
        raw = await request.body()
        try:
            batch = UploadBatch.model_validate_json(raw)
        except ValueError as exc:
            raise HTTPException(422, f"not an upload batch: {str(exc)[:300]}") from None
        items = [i.model_dump() for i in batch.items]
        outcome = await run_in_threadpool(db.upload, kiosk_id, items)
        return UploadAnswer(
            acknowledged=outcome.acknowledged,
            rejected=[Rejected(**r) for r in outcome.rejected],
            conflicts=[Conflict(**c) for c in outcome.conflicts],
        )

    @app.post(
        "/v1/admin/registrations",
        tags=["organiser"],
        dependencies=[Organiser],
        max_body_size=body_limit("POST", "/v1/admin/registrations"),
    )
    def import_registrations(registrations: list[Any]) -> ImportAnswer:
        """Insert or update registrations (registration_to_dict form, checked field by
        field as ``sync.hub.models.RegistrationData``); one bad registration refuses all."""
        window = EventWindow.of(db.event_definition())
        regs = []
        for n, data in enumerate(registrations):
            try:
                regs.append(read_registration(data, window))
            except (ValueError, TypeError, KeyError) as exc:
                raise HTTPException(422, f"registration #{n}: {refusal(exc)}") from None
        return ImportAnswer(received=len(regs), changed=db.import_registrations(regs))

    @app.get("/v1/admin/conflicts", tags=["organiser"], dependencies=[Organiser])
    def list_conflicts() -> list[ConflictRow]:
        """Check-ins of one registration accepted on the same day at two kiosks."""
        return [ConflictRow(**c) for c in db.conflicts()]

    @app.get("/v1/admin/scans", tags=["organiser"], dependencies=[Organiser])
    def list_scans(
        since: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
        limit: Annotated[int, Query(ge=1, le=50000)] = 10000,
    ) -> list[ScanRow]:
        """Uploaded scans after hub sequence number ``since``, refused ones included; a
        stored row no kiosk could have made is left out (see ``/v1/admin/unreadable``)."""
        return [ScanRow(**r) for r in db.scans(since, limit)]

    @app.get("/v1/admin/unreadable", tags=["organiser"], dependencies=[Organiser])
    def list_unreadable() -> list[UnreadableScan]:
        """Stored scans that reports and pulls leave out (kept before uploads were checked)."""
        return [UnreadableScan(**r) for r in db.unreadable_scans()]

    @app.get("/v1/admin/stats", tags=["organiser"], dependencies=[Organiser])
    def stats() -> Stats:
        return Stats(**db.stats())

    @app.get("/v1/admin/kiosks", tags=["organiser"], dependencies=[Organiser])
    def list_kiosks() -> list[KioskRow]:
        return [KioskRow(**k) for k in db.kiosks()]

    @app.post("/v1/admin/kiosks/{kiosk_id}/token", tags=["organiser"], dependencies=[Organiser])
    def create_token(kiosk_id: str) -> TokenAnswer:
        """A new token for the kiosk; any earlier one stops working. Shown once."""
        try:
            return TokenAnswer(kiosk_id=kiosk_id, token=db.create_token(kiosk_id))
        except HubError as exc:
            raise HTTPException(422, str(exc)) from None

    @app.delete("/v1/admin/kiosks/{kiosk_id}/token", tags=["organiser"], dependencies=[Organiser])
    def revoke_token(kiosk_id: str) -> Revoked:
        if not KIOSK_ID.match(kiosk_id) or not db.revoke_token(kiosk_id):
            raise HTTPException(404, f"kiosk {kiosk_id[:64]!r} has no live token")
        return Revoked(revoked=True)

    from sync.hub.dashboard import dashboard_router  # imports organiser_token_matches from here

    app.include_router(dashboard_router(db, organiser_token))
    return app


def serve(
    db_url: str,
    organiser_token: str,
    host: str = "127.0.0.1",
    port: int = 8470,
    *,
    access_log: bool = False,
    docs: bool = True,
    workers: int = 1,
    pool_size: int = 10,
) -> None:
    """Run the hub with uvicorn until interrupted, in ``workers`` processes.

    Every worker opens its own connection pool on ``db_url`` and keeps nothing between
    requests (tokens, cursors and conflicts live in the database, writes are serialised by
    the database's lock), so the workers of one hub are interchangeable. With more than one,
    uvicorn spawns fresh processes that build their app with :func:`worker_app` from the
    ``ACCUEIL_HUB_*`` variables set here.
    """
    import os

    import uvicorn

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "access_log": access_log,
        "log_level": "info",
    }
    if workers <= 1:
        db = HubDB(db_url, pool_size=pool_size)
        try:
            uvicorn.run(create_app(db, organiser_token, docs=docs), **options)
        finally:
            db.close()
        return
    os.environ[_ENV_DATABASE] = db_url
    os.environ[_ENV_TOKEN] = organiser_token
    os.environ[_ENV_DOCS] = "1" if docs else "0"
    os.environ[_ENV_POOL] = str(pool_size)
    uvicorn.run("sync.hub.app:worker_app", factory=True, workers=workers, **options)


_ENV_DATABASE = "ACCUEIL_HUB_WORKER_DATABASE"
_ENV_TOKEN = "ACCUEIL_HUB_ORGANISER_TOKEN"
_ENV_DOCS = "ACCUEIL_HUB_WORKER_DOCS"
_ENV_POOL = "ACCUEIL_HUB_WORKER_POOL"


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn ``factory=True``), configured by :func:`serve`."""
    import os

    db = HubDB(os.environ[_ENV_DATABASE], pool_size=int(os.environ.get(_ENV_POOL, "10")))
    return create_app(
        db, os.environ.get(_ENV_TOKEN, ""), docs=os.environ.get(_ENV_DOCS, "1") == "1"
    )
