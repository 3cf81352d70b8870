"""Alembic migrations of the hub database, on SQLite and PostgreSQL: an empty database gets
the schema the code uses, and a database made before Alembic (create_all and hub_meta
"schema" = "1") is adopted with every row, its hub id (the kiosks' cursors) included."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, inspect, select, text

import main
from sync.hub.db import HubDB, HubError, hub_meta, metadata, registrations, scans
from sync.hub.db import registrations as registrations_table
from sync.hub.db.migrate import FIRST_REVISION, head
from tests.conftest import demo_config, people
from tests.sync.conftest import hub_db_url, postgres  # noqa: F401  (PostgreSQL where installed)

KIOSK_SCAN = {
    "nonce": "n1", "kiosk_id": "door-a", "kiosk_name": "", "at": "2026-05-12T09:00:00+00:00",
    "day": 1, "code": "CODE-1", "registration_id": "R1", "kind": "entry", "accepted": True,
    "reason": "ok", "session_id": None, "staff": "", "note": "", "forced": False,
}  # fmt: skip


@pytest.fixture
def url(hub_db_url: str) -> str:  # noqa: F811
    """An empty hub database on SQLite, then on PostgreSQL (tests/sync/conftest.py)."""
    return hub_db_url


def differences(url: str) -> list[object]:
    """What Alembic's autogenerate finds between the database and the code's tables."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        engine.dispose()


def revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def make_pre_alembic_hub(url: str, *, code_index: bool = True) -> None:
    """A hub database as the hub made it before Alembic: create_all, hub_meta, some rows."""
    engine = create_engine(url)
    tables = None if code_index else [t for t in metadata.sorted_tables
                                      if t.name != "registration_codes"]  # fmt: skip
    with engine.begin() as conn:
        metadata.create_all(conn, tables=tables)
        meta = [{"key": "hub_id", "value": "0ld0ld0ld0ld"}, {"key": "schema", "value": "1"}]
        if code_index:
            meta.append({"key": "codes_indexed", "value": "1"})
        conn.execute(hub_meta.insert(), meta)
        conn.execute(
            registrations.insert(),
            [
                {"id": "R1", "rev": 1, "status": "confirmed", "origin": "import",
                 "data": json.dumps({"id": "R1", "codes": ["CODE-1"]}),
                 "updated_at": "2026-05-01T00:00:00+00:00"},
                {"id": "R2", "rev": 2, "status": "cancelled", "origin": "import",
                 "data": json.dumps({"id": "R2", "codes": ["CODE-2"]}),
                 "updated_at": "2026-05-01T00:00:00+00:00"},
            ],
        )  # fmt: skip
        conn.execute(
            scans.insert(),
            {"nonce": "n1", "kiosk_id": "door-a", "uploaded_by": "door-a",
             "at": KIOSK_SCAN["at"], "day": 1, "registration_id": "R1", "kind": "entry",
             "accepted": True, "forced": False, "code": "CODE-1",
             "data": json.dumps(KIOSK_SCAN), "received_at": "2026-05-12T09:00:01+00:00"},
        )  # fmt: skip
    engine.dispose()


def test_an_empty_database_gets_the_schema_the_code_uses(url: str) -> None:
    db = HubDB(url)
    try:
        assert db.migration is not None
        assert (db.migration.before, db.migration.after, db.migration.adopted) == (
            None,
            head(),
            False,
        )
        db.import_registrations(people()[:3])
        assert db.count_registrations() == 3
    finally:
        db.close()
    assert revision(url) == head()
    assert differences(url) == []
    again = HubDB(url)  # a second start changes nothing
    try:
        assert again.migration is not None and again.migration.before == head()
    finally:
        again.close()


def test_a_database_from_before_alembic_is_adopted_with_every_row(url: str) -> None:
    make_pre_alembic_hub(url)
    db = HubDB(url)
    try:
        assert db.migration is not None and db.migration.adopted
        assert db.hub_id == "0ld0ld0ld0ld"  # the kiosks' cursors stay valid
        assert db.registration("R2") == {"id": "R2", "codes": ["CODE-2"]}
        assert [s["nonce"] for s in db.scans()] == ["n1"]
        assert db.stats()["cancelled"] == 1
        page = db.changes(None, "door-b")
        assert len(page.registrations) == 2 and len(page.scans) == 1
    finally:
        db.close()
    assert revision(url) == FIRST_REVISION
    assert differences(url) == []


def test_a_database_from_before_the_code_index_gets_it_on_adoption(url: str) -> None:
    make_pre_alembic_hub(url, code_index=False)
    db = HubDB(url)
    try:
        with db.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(text("registration_codes"))) == 2
        newcomer = replace(people()[1], codes=("CODE-1",))  # R1's code, under another id
        assert [(c.registration_id, c.owner_id) for c in db.code_clashes([newcomer])] == [
            (newcomer.id, "R1")
        ]
    finally:
        db.close()
    assert differences(url) == []


def test_a_schema_this_hub_does_not_know_is_refused_untouched(url: str) -> None:
    make_pre_alembic_hub(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(hub_meta.update().where(hub_meta.c.key == "schema").values(value="7"))
    engine.dispose()
    with pytest.raises(HubError, match="schema '7' is not one this hub can adopt"):
        HubDB(url)
    engine = create_engine(url)
    try:
        assert not inspect(engine).has_table("alembic_version")
    finally:
        engine.dispose()


def test_a_revision_from_a_newer_hub_is_refused(url: str) -> None:
    HubDB(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(HubError, match="revision '9999', which this hub does not know"):
        HubDB(url)


def test_without_migrating_a_database_behind_is_refused_with_the_command_to_run(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    make_pre_alembic_hub(url)
    with pytest.raises(HubError, match="run `accueil hub migrate`"):
        HubDB(url, migrate=False)
    HubDB(url).close()
    HubDB(url, migrate=False).close()


def test_accueil_hub_migrate_adopts_then_finds_nothing_to_do(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    make_pre_alembic_hub(url)
    args = ["--config", str(demo_config(tmp_path)), "hub", "migrate", "--lang", "en", "--database", url]
    assert main.main(args) == 0
    assert f"schema revision {head()} (was none (made before revisions: adopted))" in (
        capsys.readouterr().out
    )
    assert main.main(args) == 0
    assert "(already there)" in capsys.readouterr().out
    assert revision(url) == head()


@pytest.mark.parametrize("where", ["a-folder", "a-file/hub.db"])
def test_a_sqlite_path_that_cannot_be_a_file_is_refused_naming_it(
    tmp_path: Path, capsys, where: str
) -> None:
    """A folder (or a path under a file) as the SQLite database: a traceback and exit 1."""
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("")
    url = f"sqlite:///{tmp_path / where}"
    with pytest.raises(HubError, match=rf"cannot create the SQLite database {tmp_path / where}"):
        HubDB(url)
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "hub", "migrate", "--database", url]) == 2
    err = capsys.readouterr().err
    assert f"--database: cannot create the SQLite database {tmp_path / where}" in err
    assert "Traceback" not in err


def dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every hub table, in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row)
                    for row in conn.execute(
                        select(table).order_by(*(table.primary_key.columns or table.columns))
                    )
                ]
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


ids = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=40
)


@given(
    registrations=st.dictionaries(ids, st.lists(ids, max_size=3), max_size=12),
    kiosk_ids=st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True), max_size=4),
)
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_adoption_keeps_every_row_of_any_old_database(
    tmp_path_factory: pytest.TempPathFactory,
    registrations: dict[str, list[str]],
    kiosk_ids: list[str],
) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('old') / 'hub.db'}"
    make_pre_alembic_hub(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(registrations_table.delete())
        conn.execute(text("DELETE FROM registration_codes"))
        for rev, (reg_id, codes) in enumerate(sorted(registrations.items()), start=1):
            conn.execute(
                registrations_table.insert(),
                {"id": reg_id, "rev": rev, "status": "confirmed", "origin": "import",
                 "data": json.dumps({"id": reg_id, "codes": codes}, ensure_ascii=False),
                 "updated_at": "2026-05-01T00:00:00+00:00"},
            )  # fmt: skip
        for kiosk_id in dict.fromkeys(kiosk_ids):
            conn.execute(
                text("INSERT INTO kiosks VALUES (:k, :h, '2026-05-01T00:00:00+00:00', NULL)"),
                {"k": kiosk_id, "h": kiosk_id.encode().hex()[:64]},
            )
    engine.dispose()
    before = dump(url)
    HubDB(url).close()
    after = dump(url)
    assert after == before


def test_workers_starting_together_migrate_once_and_share_one_hub_id(url: str) -> None:
    """`accueil hub serve --workers N`: every worker opens (and would migrate) the database."""
    opened: list[HubDB] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            opened.append(HubDB(url, pool_size=2))
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    workers = [threading.Thread(target=start) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    try:
        assert errors == [] and len(opened) == 4
        assert len({db.hub_id for db in opened}) == 1
        assert sum(db.migration is not None and db.migration.before is None for db in opened) == 1
    finally:
        for db in opened:
            db.close()
    assert revision(url) == head() and differences(url) == []


@pytest.mark.parametrize("memory", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused_by_the_commands(tmp_path: Path, capsys, memory) -> None:
    """`accueil hub token create` on one printed a token that was gone at exit, and `hub
    serve` would have dropped the day's scans when it stopped: nothing lost."""
    config = demo_config(tmp_path)
    for action in (["migrate"], ["token", "create", "door-a"]):
        assert main.main(["--config", str(config), "hub", *action, "--database", memory]) == 2
        assert "in-memory SQLite database: nothing would be kept" in capsys.readouterr().err
