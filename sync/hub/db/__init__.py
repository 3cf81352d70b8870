"""The hub's storage: SQLAlchemy Core over SQLite (default) or PostgreSQL, chosen by URL.

One ``HubDB`` object over one database, its methods grouped by concern:

- ``sync.hub.db.auth``: kiosk tokens (``AuthStore``);
- ``sync.hub.db.sync``: the kiosks' pulls and uploads, conflicts (``SyncStore``);
- ``sync.hub.db.admin``: registrations imports, the event, reports (``AdminStore``);
- ``sync.hub.db.base``: the engine and the one-writer-at-a-time transaction;
- ``sync.hub.db.schema``: the tables, ``sync.hub.db.migrate``: Alembic revisions.

The answers are data (dicts, dataclasses); HTTP bodies are assembled in ``sync.hub.routers``.
"""

from __future__ import annotations

import os

from sync.hub.db.auth import AuthStore
from sync.hub.db.base import (
    SCHEMA_VERSION,
    HubError,
    _sqlite_pragmas,
    database_url,
    hash_token,
    now_text,
)
from sync.hub.db.schema import (
    conflicts,
    hub_meta,
    kiosks,
    metadata,
    registration_codes,
    registrations,
    scans,
)
from sync.hub.db.sync import (
    PullPage,
    SyncStore,
    UploadOutcome,
    stored_elsewhere,
    walkin_id_of,
)
from sync.hub.group_commit import GroupCommitter

__all__ = [
    "SCHEMA_VERSION",
    "HubDB",
    "HubError",
    "PullPage",
    "UploadOutcome",
    "_sqlite_pragmas",
    "conflicts",
    "database_url",
    "hash_token",
    "hub_meta",
    "kiosks",
    "metadata",
    "now_text",
    "registration_codes",
    "registrations",
    "scans",
    "stored_elsewhere",
    "walkin_id_of",
]


class HubDB(SyncStore, AuthStore):
    """Registrations, scans, conflicts and kiosk tokens of one event."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 20,
        group_commit: bool | None = None,
        migrate: bool = True,
    ) -> None:
        """``group_commit`` (default: on unless ``ACCUEIL_HUB_GROUP_COMMIT=0``, which the
        benchmark uses to compare) lets uploads that wait together share one transaction.
        ``migrate`` (default) brings the schema to the newest revision first; False refuses
        a database that is not at it (``accueil hub migrate``). ``pool_size``: on PostgreSQL,
        the most connections held at once (``Database``). Raises HubError."""
        super().__init__(url, pool_size=pool_size, migrate=migrate)
        if group_commit is None:
            group_commit = os.environ.get("ACCUEIL_HUB_GROUP_COMMIT", "1") != "0"
        self._committer = (
            GroupCommitter(self._writing, combine=self._store_uploads) if group_commit else None
        )

    def close(self) -> None:
        """Finish the uploads waiting in the group committer, then close every connection."""
        if self._committer is not None:
            self._committer.close()
        super().close()
