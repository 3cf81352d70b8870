"""Network faults and hub restarts: after healing, the hub holds exactly the scans made."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import pytest

from tests.conftest import people
from tests.sync.faultproxy import ACTIONS, FaultProxy
from tests.sync.servers import ORGANISER, HubProcess, Kiosk, wait_until

CODES = [c for r in people() for c in r.codes] + ["NOT-A-CODE"]


def hub_scans(url: str) -> list[dict]:
    response = httpx.get(
        f"{url}/v1/admin/scans",
        params={"limit": 50000},
        headers={"Authorization": f"Bearer {ORGANISER}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def make_scans(kiosk, clock, count: int, rng: random.Random) -> None:
    """Scans at the door: entries, repeats, exits, unknown codes, a walk-in now and then."""
    from kiosk.core.model import Direction

    for i in range(count):
        clock.advance(seconds=7)
        if i % 25 == 24:
            kiosk.service.register_walkin(f"Walk{i}", "In", staff="amal")
        else:
            direction = Direction.EXIT if rng.random() < 0.3 else Direction.ENTRY
            kiosk.service.check(rng.choice(CODES), direction)
        kiosk.engine.wake()


@pytest.fixture
def proxy(hub):
    p = FaultProxy(hub.port)
    yield p
    p.close()


def test_faults_lose_no_scan_and_double_none(hub, make_kiosk, proxy, clock):
    chaos = random.Random(6)
    # every request draws a fault; the first six requests show each kind at least once
    proxy.policy = lambda n, method, path: ACTIONS[n] if n < len(ACTIONS) else chaos.choice(ACTIONS)
    proxy.delay_seconds = 0.8
    fast = dict(interval=0.3, upload_poll=0.05, batch_size=7, backoff_base=0.05, backoff_max=0.3)
    a = make_kiosk("door-a", url=proxy.url, timeout=0.5, **fast)
    b = make_kiosk("door-b", url=proxy.url, timeout=0.5, **fast)
    a.engine.start()
    b.engine.start()

    make_scans(a, clock, 80, random.Random(1))
    wait_until(lambda: proxy.actions["pass"] > 10, 60)

    proxy.heal()
    wait_until(lambda: a.engine.status().pending == 0, 60)
    made = [s.nonce for s in a.store.scans() if s.kiosk_id == "door-a"]
    assert len(made) == 80
    held = [s["nonce"] for s in hub_scans(hub.url)]
    assert sorted(held) == sorted(made)  # none lost, none doubled
    assert hub.db.stats()["walkins"] == 3

    wait_until(lambda: b.store.count_scans() == 80, 60)
    assert sorted(s.nonce for s in b.store.scans()) == sorted(made)
    assert all(proxy.actions[action] > 0 for action in ACTIONS), proxy.actions


def test_kiosk_survives_hub_kill_and_restart(hub_db_url, tmp_path: Path, make_kiosk_for, clock):
    config = tmp_path / "hub.toml"
    config.write_text(f'[hub]\ndatabase = "{hub_db_url}"\n', encoding="utf-8")
    server = HubProcess(config, ORGANISER)
    try:
        a = make_kiosk_for(server.url, "door-a", interval=0.3, upload_poll=0.05, backoff_max=0.5)
        a.engine.start()
        make_scans(a, clock, 20, random.Random(2))
        wait_until(lambda: a.engine.status().pending == 0, 30)

        server.stop(hard=True)  # kill -9: no goodbye
        make_scans(a, clock, 30, random.Random(3))  # the kiosk keeps working
        status = wait_until(lambda: (st := a.engine.status()).online is False and st, 30)
        assert status.pending > 0 and "unreachable" in status.last_error

        server.start()
        wait_until(lambda: (st := a.engine.status()).pending == 0 and st.online, 30)
        made = sorted(s.nonce for s in a.store.scans())
        assert sorted(s["nonce"] for s in hub_scans(server.url)) == made
        assert len(made) == 50
    finally:
        server.stop()


@pytest.fixture
def make_kiosk_for(hub_db_url, tmp_path, clock):
    """Kiosks for a hub this test runs itself (a process it kills and restarts)."""
    from kiosk.core.service import CheckinService, KioskIdentity
    from sync.engine import SyncEngine
    from sync.hub.db import HubDB
    from sync.hub_client import HubSource
    from sync.store import LocalStore
    from tests.conftest import EVENT, SESSIONS

    made = []

    def make(url: str, kiosk_id: str, **engine):
        db = HubDB(hub_db_url)
        db.import_registrations(people(), allow_shared_codes=True)
        token = db.create_token(kiosk_id)
        db.close()
        store = LocalStore(tmp_path / f"{kiosk_id}.db")
        store.save_event(EVENT, SESSIONS)
        source = HubSource(url, token, kiosk_id, timeout=1.0)
        kiosk = Kiosk(
            kiosk_id,
            store,
            CheckinService(store, store, clock, EVENT, KioskIdentity(kiosk_id, kiosk_id)),
            source,
            SyncEngine(store, source, **engine),
            token,
        )
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.engine.stop()
        kiosk.source.close()
        kiosk.store.close()
