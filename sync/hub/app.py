"""The hub's HTTP API (FastAPI): kiosks pull and upload, organisers import and report.

Every ``/v1`` call needs a bearer token: a kiosk token (``accueil hub token create KIOSK``)
for the kiosk calls, the organiser token for ``/v1/admin``. A missing or unknown token
gets 401, a kiosk token on an organiser call 403. ``/healthz`` and the OpenAPI docs carry
no event data and are open. The routes are in ``sync.hub.routers``, what they depend on
in ``sync.hub.dependencies``, every answer's model in ``sync.hub.models``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic.json_schema import models_json_schema

from sync.hub.dashboard import LiveScans
from sync.hub.db import HubDB
from sync.hub.dependencies import (
    CookieSessions,
    HubSettings,
    organiser_token_matches,
)
from sync.hub.limits import DEFAULT_LIMIT
from sync.hub.models import ERROR_RESPONSES, Health, UploadBatch
from sync.hub.routers import admin, dashboard, kiosk

__all__ = ["create_app", "organiser_token_matches", "serve", "worker_app"]


def create_app(
    db: HubDB | None = None,
    organiser_token: str = "",
    *,
    docs: bool = True,
    database_url: str | None = None,
    pool_size: int = 20,
) -> FastAPI:
    """The ASGI application of one hub.

    Either over ``db``, opened and closed by the caller (tests, benchmarks), or over
    ``database_url``: then the app's lifespan opens the database (schema migrated, group
    committer started) when the server starts and closes it, finishing the uploads waiting
    to commit, when it stops.
    """
    if (db is None) == (database_url is None):
        raise ValueError("create_app takes a HubDB or a database URL, one of them")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = None
        if app.state.db is None:
            assert database_url is not None
            owned = await run_in_threadpool(lambda: HubDB(database_url, pool_size=pool_size))
            app.state.db = owned
        try:
            yield
        finally:
            if owned is not None:
                app.state.db = None
                await run_in_threadpool(owned.close)

    app = FastAPI(
        title="Accueil hub",
        version="1",
        summary="Registrations and scans shared by the check-in kiosks of one event.",
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        responses=ERROR_RESPONSES,
        max_body_size=DEFAULT_LIMIT,
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = HubSettings(organiser_token=organiser_token, docs=docs)
    app.state.sessions = CookieSessions()
    app.state.live = LiveScans()
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["hub"])
    app.include_router(kiosk.router)
    app.include_router(admin.router)
    app.include_router(dashboard.router)
    _declare_bodies_read_by_hand(app)
    return app


def _declare_bodies_read_by_hand(app: FastAPI) -> None:
    """Add to the OpenAPI document the request models that routes read by hand
    (``UploadBatch``), so the whole sync protocol is in it."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _, defs = models_json_schema(
                [(UploadBatch, "validation")], ref_template="#/components/schemas/{model}"
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in defs.get("$defs", {}).items():
                schemas.setdefault(name, schema)
        assert app.openapi_schema is not None  # FastAPI keeps the document it made
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def healthz() -> Health:
    """For the reverse proxy's health check: no database, no event data."""
    return Health(status="ok")


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    """Validation errors in the one error shape (``Problem``): each field and why."""
    assert isinstance(exc, RequestValidationError)
    parts = [
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
        for e in exc.errors()[:5]
    ]
    return JSONResponse({"detail": "; ".join(parts)[:1000]}, status_code=422)


def serve(
    db_url: str,
    organiser_token: str,
    host: str = "127.0.0.1",
    port: int = 8470,
    *,
    access_log: bool = False,
    docs: bool = True,
    workers: int = 1,
    pool_size: int = 20,
) -> None:
    """Run the hub with uvicorn until interrupted, in ``workers`` processes.

    Every worker opens its own connection pool on ``db_url`` in its app's lifespan and
    keeps nothing between requests (tokens, cursors and conflicts live in the database,
    writes are serialised by the database's lock), so the workers of one hub are
    interchangeable. With more than one, uvicorn spawns fresh processes that build their app
    with :func:`worker_app` from the ``ACCUEIL_HUB_*`` variables set here.
    """
    import uvicorn

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "access_log": access_log,
        "log_level": "info",
        "lifespan": "on",
    }
    if workers <= 1:
        app = create_app(
            organiser_token=organiser_token, docs=docs, database_url=db_url, pool_size=pool_size
        )
        uvicorn.run(app, **options)
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
    return create_app(
        organiser_token=os.environ.get(_ENV_TOKEN, ""),
        docs=os.environ.get(_ENV_DOCS, "1") == "1",
        database_url=os.environ[_ENV_DATABASE],
        pool_size=int(os.environ.get(_ENV_POOL, "20")),
    )
