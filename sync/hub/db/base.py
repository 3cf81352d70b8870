"""The hub database's connection: engine, pool, the one-writer-at-a-time transaction.

Kiosks pull by cursor, so a row must never appear *behind* a cursor a kiosk already holds.
Registration revisions and scan sequence numbers are therefore handed out by writers that
run one at a time (a process lock, plus ``BEGIN IMMEDIATE`` on SQLite and a transaction
advisory lock on PostgreSQL): commit order is number order, and a reader that sees the
largest number sees every smaller one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from kiosk.errors import AccueilError
from sync.hub.db.schema import hub_meta, kiosks
from sync.wire import (
    utc_text,
)

_log = logging.getLogger(__name__)
# hub_meta "schema" as hubs before Alembic wrote and checked it: kept, so such a hub refuses
# a database a later revision changed (sync.hub.db.migrate raises it with each revision
# that an older hub could not use).
SCHEMA_VERSION = "1"
_WRITE_LOCK_KEY = 0x4143_4355  # "ACCU": the PostgreSQL advisory lock of hub writers
# A live token's kiosk; the stores add what a request reads with it (``sync.hub.db.sync``).
# The statements of every request are built once: SQLAlchemy then finds their compiled form
# without recomputing a cache key each time.
TOKEN_QUERY = select(kiosks.c.kiosk_id, kiosks.c.token_hash).where(
    kiosks.c.token_hash == bindparam("digest")
)


class HubError(AccueilError):
    """A problem the organiser can act on (bad database URL, unknown kiosk…)."""


def now_text() -> str:
    return utc_text(datetime.now(UTC))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def database_url(raw: str, base: Path) -> str:
    """The SQLAlchemy URL for a configured database: relative SQLite paths from ``base``,
    ``postgresql://`` through the psycopg 3 driver."""
    if raw.startswith("sqlite:///") and raw != "sqlite:///:memory:":
        path = Path(raw.removeprefix("sqlite:///")).expanduser()
        if not path.is_absolute():
            path = base / path
        return f"sqlite:///{path}"
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    if raw.startswith(("postgresql+psycopg://", "sqlite://")):
        return raw
    raise HubError(
        f"database = {raw!r}: expected sqlite:///path/to/hub.db or postgresql://user@host/db"
    )


def _create_private(path: Path) -> None:
    """Create the SQLite file owner-only (and its folders); HubError naming the path when
    the path cannot be a file (a folder, a path under a file, no permission)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
    except OSError as exc:
        raise HubError(
            f"cannot create the SQLite database {path} ({exc.strerror or exc}): give the path "
            f"of a file, e.g. sqlite:///{path / 'hub.db' if path.is_dir() else 'data/hub.db'}"
        ) from None


class Database:
    """One hub database: the engine, its schema brought to the newest revision, and the
    reading and writing transactions the stores (``auth``, ``sync``, ``admin``) use."""

    def __init__(self, url: str, *, pool_size: int = 20, migrate: bool = True) -> None:
        """``migrate``: bring the schema to the newest revision (``sync.hub.db.migrate``);
        False refuses, with HubError, a database that is not there already.

        ``pool_size``: on PostgreSQL, the most connections this object holds at once; a
        request that finds them all busy waits for one (up to 30 s)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._write_lock = threading.Lock()
        if self.is_sqlite:
            db_path = url.removeprefix("sqlite:///")
            if db_path and db_path != ":memory:" and url.startswith("sqlite:///"):
                _create_private(Path(db_path))
            self.engine: Engine = create_engine(url, connect_args={"check_same_thread": False})
            _sqlite_pragmas(self.engine)
        else:
            self.engine = create_engine(
                url,
                # Every connection made is kept: an overflow connection, closed when it
                # came back, cost a new server process (a few ms of the database's CPU)
                # and a connect in the request that needed it, at every burst.
                pool_size=pool_size,
                max_overflow=0,
                # No ping before every checkout: it cost a round trip per request. A
                # connection the server dropped fails one request (the kiosk retries it,
                # nothing is lost) and SQLAlchemy then replaces the whole pool.
                pool_pre_ping=False,
                pool_recycle=600,
            )
        from sync.hub.db.migrate import MigrationError, MigrationResult, check_current, upgrade

        try:
            if migrate:
                self.migration: MigrationResult | None = upgrade(self.engine)
            else:
                check_current(self.engine)
                self.migration = None
            self.hub_id = self._init_meta()
        except (SQLAlchemyError, MigrationError) as exc:
            self.engine.dispose()
            raise HubError(f"cannot open the hub database: {_short(exc)}") from None

    def close(self) -> None:
        self.engine.dispose()

    # -- transactions -----------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One writer at a time, across threads and (through the database) processes."""
        with self._write_lock, self.engine.connect() as conn:
            conn.execution_options(hub_write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK_KEY})
                yield conn

    @contextmanager
    def _reading(self, *, streaming: bool = False) -> Iterator[Connection]:
        """``streaming``: the reads use ``yield_per`` (a server-side cursor on PostgreSQL,
        which exists only inside a transaction)."""
        if self.is_sqlite or streaming:
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        # PostgreSQL reads in READ COMMITTED take a fresh snapshot per statement anyway, so a
        # transaction around them buys nothing but BEGIN and COMMIT round trips; the pull's
        # "maxima first" rule (module doc) holds statement by statement.
        with self.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    def _token_row(self, conn: Connection, token: str, statement: Any) -> Any:
        """The row of ``statement`` (``TOKEN_QUERY`` and what a request reads with it, in
        one round trip) for a live token, or None."""
        digest = hash_token(token)
        row = conn.execute(statement, {"digest": digest}).first()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        return row

    def _insert(self, table: Table) -> Any:
        dialect = sqlite if self.is_sqlite else postgresql
        return dialect.insert(table)

    def _index_codes(self, conn: Connection, base: int | None) -> int:
        """Re-index registrations' codes (``AdminStore``): a database from before the code
        index gets it on open."""
        raise NotImplementedError

    def _init_meta(self) -> str:
        with self._writing() as conn:
            rows = {r[0]: r[1] for r in conn.execute(select(hub_meta.c.key, hub_meta.c.value))}
            if "hub_id" in rows:
                if "codes_indexed" not in rows:  # a hub database made before the code index
                    self._index_codes(conn, None)
                    conn.execute(hub_meta.insert(), {"key": "codes_indexed", "value": "1"})
                return str(rows["hub_id"])
            hub_id = uuid.uuid4().hex[:12]
            conn.execute(
                hub_meta.insert(),
                [
                    {"key": "hub_id", "value": hub_id},
                    {"key": "schema", "value": SCHEMA_VERSION},
                    {"key": "codes_indexed", "value": "1"},
                ],
            )
            return hub_id

    def _put_meta(self, key: str, value: str) -> None:
        ins = self._insert(hub_meta)
        with self._writing() as conn:
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["key"], set_={"value": ins.excluded.value}
                ),
                {"key": key, "value": value},
            )


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers take the write lock up front: no failed upgrade from a stale read.
        write = conn.get_execution_options().get("hub_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300]
