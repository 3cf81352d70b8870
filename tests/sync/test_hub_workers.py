"""The hub as several worker processes on one PostgreSQL: stateless between requests.

`accueil hub serve --workers 2` as an operator runs it; real kiosks (store, check-in service,
hub client, sync engine) race on the same registrations. Whichever worker answers, the hub
holds every scan once, reports exactly one conflict per double entry, and a revoked token is
refused by every worker at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.core.model import Registration
from kiosk.core.service import CheckinService, KioskIdentity
from sync.engine import SyncEngine
from sync.hub.db import HubDB
from sync.hub_client import HubSource
from sync.store import LocalStore
from tests.conftest import EVENT, SESSIONS, FixedClock, people
from tests.sync.servers import ORGANISER, HubProcess, Kiosk, PostgresServer

RACERS = [Registration(f"RACE{n}", "Racer", f"N{n}", (f"RACE-{n}",)) for n in range(10)]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def hub2(postgres: PostgresServer, tmp_path: Path) -> Iterator[tuple[HubProcess, str]]:
    name = postgres.create_database()
    url = postgres.url(name)
    db = HubDB(url)
    db.import_registrations(people() + RACERS, allow_shared_codes=True)  # R8, R9 share one
    db.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[kiosk]\nid = "hub"\n\n[hub]\ndatabase = "{url}"\n', encoding="utf-8")
    hub = HubProcess(config, ORGANISER, workers=2)
    yield hub, url
    hub.stop()
    postgres.drop_database(name)


def _kiosk(hub: HubProcess, url: str, kiosk_id: str, folder: Path, clock: FixedClock) -> Kiosk:
    db = HubDB(url)
    token = db.create_token(kiosk_id)
    db.close()
    store = LocalStore(folder / f"{kiosk_id}.db")
    store.save_event(EVENT, SESSIONS)
    source = HubSource(hub.url, token, kiosk_id, timeout=20)
    engine = SyncEngine(store, source)
    service = CheckinService(store, store, clock, EVENT, KioskIdentity(kiosk_id, kiosk_id))
    return Kiosk(kiosk_id, store, service, source, engine, token)


def test_two_workers_two_kiosks_racing_give_one_welcome_and_one_conflict(
    hub2: tuple[HubProcess, str], tmp_path: Path, clock: FixedClock
) -> None:
    hub, url = hub2
    assert hub.process is not None
    assert len(_children(hub.process.pid)) >= 2, "uvicorn should run two worker processes"
    a = _kiosk(hub, url, "door-a", tmp_path, clock)
    b = _kiosk(hub, url, "door-b", tmp_path, clock)
    try:
        a.engine.sync_once()
        b.engine.sync_once()
        for code in (
            c for r in RACERS for c in r.codes
        ):  # each door decides alone, as with the network down
            assert a.service.check(code).verdict.ok
            assert b.service.check(code).verdict.ok

        reports = {}
        barrier = threading.Barrier(2, timeout=30)

        def sync(kiosk: Kiosk) -> None:
            barrier.wait()
            reports[kiosk.id] = kiosk.engine.sync_once()

        threads = [threading.Thread(target=sync, args=(k,)) for k in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert set(reports) == {"door-a", "door-b"}

        with httpx.Client(
            base_url=hub.url, headers={"Authorization": f"Bearer {ORGANISER}"}, timeout=20
        ) as admin:
            conflicts = admin.get("/v1/admin/conflicts").json()
            scans = admin.get("/v1/admin/scans").json()
        # every double entry is one conflict, whichever kiosk's upload the hub took first
        assert sorted(c["registration_id"] for c in conflicts) == sorted(r.id for r in RACERS)
        for c in conflicts:
            assert {c["first_kiosk"], c["second_kiosk"]} == {"door-a", "door-b"}
        assert reports["door-a"].conflicts + reports["door-b"].conflicts == 10
        entries = [s for s in scans if s["kind"] == "entry"]
        assert len(entries) == 20 and len({s["nonce"] for s in entries}) == 20
    finally:
        for k in (a, b):
            k.engine.stop()
            k.source.close()
            k.store.close()


def test_a_revoked_token_is_refused_by_every_worker(hub2: tuple[HubProcess, str]) -> None:
    hub, url = hub2
    db = HubDB(url)
    token = db.create_token("door-c")
    db.close()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=hub.url, headers=headers, timeout=20) as client:
        # new connections each time, so both workers answer some of them
        assert all(
            httpx.get(f"{hub.url}/v1/whoami", headers=headers, timeout=20).status_code == 200
            for _ in range(20)
        )
        with httpx.Client(
            base_url=hub.url, headers={"Authorization": f"Bearer {ORGANISER}"}, timeout=20
        ) as admin:
            assert admin.delete("/v1/admin/kiosks/door-c/token").status_code == 200
        assert client.get("/v1/whoami").status_code == 401
        assert all(
            httpx.get(f"{hub.url}/v1/whoami", headers=headers, timeout=20).status_code == 401
            for _ in range(20)
        )


def test_sqlite_refuses_more_than_one_worker(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.sync.servers import ROOT

    config = tmp_path / "config.toml"
    config.write_text(
        f'[kiosk]\nid = "hub"\n\n[hub]\ndatabase = "sqlite:///{tmp_path}/hub.db"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(config)]
        + ["hub", "serve", "--workers", "2", "--port", "1", "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers needs PostgreSQL" in done.stderr
