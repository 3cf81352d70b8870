"""One app factory; the hub's database lives as long as the server: opened (and migrated)
when uvicorn starts the app's lifespan, closed (waiting uploads committed) when it stops."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from sync.hub.app import create_app
from sync.hub.db import HubDB, scans
from tests.hub.serving import entry, served

ORGANISER = "organiser-token-for-lifespan-tests"


def test_the_lifespan_opens_the_database_and_closes_it_after_the_last_upload(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    app = create_app(organiser_token=ORGANISER, database_url=url)
    assert app.state.db is None  # nothing opened before the server starts
    with served(app) as client:
        db = app.state.db
        assert isinstance(db, HubDB) and db.migration is not None
        committer = db._committer
        assert committer is not None and committer._thread.is_alive()
        token = db.create_token("door-a")
        answers = []

        def upload(n: int) -> None:
            answers.append(
                client.post(
                    "/v1/upload",
                    json={"items": [entry(f"n{n}", "door-a", 9, f"R{n}")]},
                    headers={"Authorization": f"Bearer {token}"},
                )
            )

        uploads = [threading.Thread(target=upload, args=(n,)) for n in range(1, 9)]
        for thread in uploads:
            thread.start()
        for thread in uploads:
            thread.join(60)
        assert sorted(a.json()["acknowledged"][0] for a in answers) == [
            f"n{n}" for n in range(1, 9)
        ]
        health = client.get("/healthz")
        assert health.json() == {"status": "ok"}
    assert app.state.db is None
    assert not committer._thread.is_alive()  # closed: nothing left waiting
    with pytest.raises(RuntimeError, match="closed"):
        committer.submit_item(object())
    engine = create_engine(url)
    try:
        with engine.connect() as conn:  # every acknowledged scan is on disk
            assert len(conn.execute(select(scans.c.nonce)).all()) == 8
    finally:
        engine.dispose()


def test_an_app_over_a_database_the_caller_opened_leaves_it_open(tmp_path: Path) -> None:
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        with served(create_app(db, ORGANISER)) as client:
            stats = client.get("/v1/admin/stats", headers={"Authorization": f"Bearer {ORGANISER}"})
            assert stats.json()["hub_id"] == db.hub_id
        assert db.stats()["hub_id"] == db.hub_id  # still usable: the caller closes it
    finally:
        db.close()


def test_the_factory_takes_one_database(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one of them"):
        create_app(organiser_token=ORGANISER)
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        with pytest.raises(ValueError, match="one of them"):
            create_app(db, ORGANISER, database_url=db.url)
    finally:
        db.close()


def test_the_hub_uses_no_deprecated_startup_hooks() -> None:
    app = create_app(organiser_token=ORGANISER, database_url="sqlite:///:memory:")
    assert app.router.on_startup == [] and app.router.on_shutdown == []


def test_serving_on_a_port_in_use_is_refused_naming_it_before_any_banner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second `accueil hub serve` announced "http://127.0.0.1:8470" first, then uvicorn's
    "[Errno 98] error while attempting to bind" and exit 3: which hub is serving, then?"""
    import socket

    import main
    from tests.conftest import demo_config

    config = demo_config(tmp_path, extra='[staff]\nlanguage = "en"\n')
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["--config", str(config), "hub", "serve", "--database", url, "--port", str(port)]
        assert main.main(args) == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port} is in use" in err and "[hub] host/port (or --host/--port)" in err
    assert "(docs at /docs)" not in err


def test_workers_on_sqlite_are_refused_before_the_banner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import main
    from tests.conftest import demo_config

    config = demo_config(tmp_path)
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    args = [
        "--config",
        str(config),
        "hub",
        "serve",
        "--lang",
        "en",
        "--database",
        url,
        "--workers",
        "2",
    ]
    assert main.main(args) == 2
    err = capsys.readouterr().err
    assert "--workers needs PostgreSQL" in err and "(docs at /docs)" not in err
