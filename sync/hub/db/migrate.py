"""The hub database's schema revisions, with Alembic (``sync/hub/migrations``).

A new database gets every revision; a database made by a hub from before Alembic (tables
from SQLAlchemy's ``create_all`` and ``hub_meta`` "schema" = "1", no ``alembic_version``)
is adopted: the first revision creates only the tables it lacks, so it ends at that
revision with every row kept. ``accueil hub migrate`` runs this by hand; ``HubDB`` runs it
on every start (a database already at the newest revision is only read).

Only one process migrates at a time: on PostgreSQL under a session advisory lock (the
workers of ``accueil hub serve --workers N`` may start together), on SQLite inside one
``BEGIN IMMEDIATE`` transaction. The kiosk's own store is not migrated here: it keeps
SQLite's ``user_version`` (``sync.store``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, select, text

from kiosk.errors import StorageError
from sync.hub.db.schema import hub_meta

SCRIPT_LOCATION = "sync.hub:migrations"
FIRST_REVISION = "0001"
# Before Alembic the hub wrote its schema into hub_meta and refused any other: the databases
# of that time that a first revision can adopt.
ADOPTABLE_SCHEMAS = frozenset({"1"})
_MIGRATE_LOCK_KEY = 0x4143_4D47  # "ACMG": PostgreSQL advisory lock of a migrating hub


class MigrationError(StorageError):
    """The database cannot be brought to this hub's schema: unknown revision (a newer hub
    made it), a pre-Alembic schema this hub does not know, or not migrated yet."""


@dataclass(frozen=True, slots=True)
class MigrationResult:
    before: str | None  # the revision found (None: empty or pre-Alembic)
    after: str
    adopted: bool  # a pre-Alembic database was taken over


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the hub: no ini file, the scripts shipped in the package;
    ``connection`` is the one ``env.py`` migrates."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this hub knows."""
    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None, "sync/hub/migrations has no revision"
    return found


def current(conn: Connection) -> str | None:
    """The database's revision, None when it has none (empty, or made before Alembic)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> MigrationResult:
    """Bring the database to ``head()``; MigrationError when it cannot be."""
    with _locked(engine) as conn:
        before = current(conn)
        adopted = before is None and _pre_alembic_schema(conn) is not None
        if before != head():
            _known(before)
            try:
                command.upgrade(alembic_config(conn), "head")
            except CommandError as exc:
                raise MigrationError(str(exc)) from None
        return MigrationResult(before, head(), adopted)


def check_current(engine: Engine) -> None:
    """MigrationError unless the database is at ``head()`` (for ``HubDB(migrate=False)``)."""
    with engine.connect() as conn:
        found = current(conn)
    if found != head():
        raise MigrationError(
            f"the database is at revision {found or 'none'}, this hub needs {head()}: "
            "run `accueil hub migrate`"
        )


def _known(revision: str | None) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    if revision is None:
        return
    try:
        script.get_revision(revision)
    except CommandError:
        raise MigrationError(
            f"the database is at revision {revision!r}, which this hub does not know (made "
            f"by a newer hub?); this one reaches {head()}"
        ) from None


def _pre_alembic_schema(conn: Connection) -> str | None:
    """hub_meta's "schema" of a database made before Alembic; MigrationError for one this
    hub cannot adopt."""
    if not inspect(conn).has_table("hub_meta"):
        return None
    schema = conn.scalar(select(hub_meta.c.value).where(hub_meta.c.key == "schema"))
    hub_id = conn.scalar(select(hub_meta.c.value).where(hub_meta.c.key == "hub_id"))
    if hub_id is None:
        return None
    if schema not in ADOPTABLE_SCHEMAS:
        raise MigrationError(
            f"hub database schema {schema!r} is not one this hub can adopt "
            f"({', '.join(sorted(ADOPTABLE_SCHEMAS))})"
        )
    return str(schema)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execution_options(hub_write=True)  # BEGIN IMMEDIATE (sync.hub.db.base)
            with conn.begin():
                yield conn
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATE_LOCK_KEY})
        conn.commit()
        try:
            with conn.begin():
                yield conn
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATE_LOCK_KEY})
            conn.commit()
