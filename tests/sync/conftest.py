"""Fixtures for the sync tests: a real PostgreSQL server, the real hub on loopback, kiosks.

Every hub test runs twice, on SQLite and on PostgreSQL (``hub_db_url`` is parametrised).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.core.service import CheckinService, KioskIdentity
from sync.engine import SyncEngine
from sync.hub_client import HubSource
from sync.store import LocalStore
from tests.conftest import EVENT, SESSIONS, FixedClock, people
from tests.sync.servers import ORGANISER, HubThread, Kiosk, PostgresServer, postgres_bindir


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bindir = postgres_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries not installed (scripts/apt-packages.txt: postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer(bindir)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def hub(hub_db_url: str) -> Iterator[HubThread]:
    """The real hub app under uvicorn on a free loopback port, holding the test people."""
    server = HubThread(hub_db_url, ORGANISER)
    server.db.import_registrations(people(), allow_shared_codes=True)  # R8/R9: ambiguous
    yield server
    server.stop()


KioskFactory = Callable[..., Kiosk]


@pytest.fixture
def make_kiosk(hub: HubThread, tmp_path: Path, clock: FixedClock) -> Iterator[KioskFactory]:
    """Kiosks with their own store (the event, no registrations yet) syncing with ``hub``."""
    made: list[Kiosk] = []

    def make(
        kiosk_id: str, url: str | None = None, token: str | None = None, **engine: float
    ) -> Kiosk:
        store = LocalStore(tmp_path / f"{kiosk_id}.db")
        store.save_event(EVENT, SESSIONS)
        token = token or hub.db.create_token(kiosk_id)
        source = HubSource(url or hub.url, token, kiosk_id, timeout=engine.pop("timeout", 5.0))
        sync = SyncEngine(store, source, **engine)  # type: ignore[arg-type]
        service = CheckinService(
            store, store, clock, EVENT, KioskIdentity(kiosk_id, f"Door {kiosk_id}")
        )
        kiosk = Kiosk(kiosk_id, store, service, source, sync, token)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.engine.stop()
        kiosk.source.close()
        kiosk.store.close()
