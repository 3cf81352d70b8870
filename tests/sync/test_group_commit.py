"""Group commit: jobs share a transaction, a failing job undoes only itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, create_engine, select

from sync.hub.db import _sqlite_pragmas
from sync.hub.group_commit import GroupCommitter

meta = MetaData()
rows = Table("rows", meta, Column("id", Integer, primary_key=True), Column("who", String))


def sqlite_engine(path: Path):
    """SQLite as the hub opens it (driver transactions off, so SAVEPOINTs nest properly)."""
    engine = create_engine(f"sqlite:///{path}")
    _sqlite_pragmas(engine)
    meta.create_all(engine)
    return engine


@pytest.fixture
def committer(tmp_path: Path) -> Iterator[tuple[GroupCommitter, object, list[int]]]:
    engine = sqlite_engine(tmp_path / "g.db")
    sizes: list[int] = []
    gate = threading.Event()

    @contextmanager
    def transaction() -> Iterator[Connection]:
        gate.wait(10)  # the test lets jobs pile up before the first transaction
        with engine.begin() as conn:
            sizes.append(0)
            yield conn

    def counting(conn: Connection, who: str) -> str:
        sizes[-1] += 1
        conn.execute(rows.insert().values(who=who))
        return who

    gc = GroupCommitter(transaction)
    gc.counting = counting  # type: ignore[attr-defined]
    gc.gate = gate  # type: ignore[attr-defined]
    yield gc, engine, sizes
    gc.close()
    engine.dispose()


def test_waiting_jobs_share_one_transaction_and_a_failure_undoes_only_itself(committer) -> None:
    gc, engine, sizes = committer

    def boom(conn: Connection) -> None:
        conn.execute(rows.insert().values(who="boom"))
        raise ValueError("this request is refused")

    futures = [gc.submit(lambda c, n=n: gc.counting(c, f"k{n}")) for n in range(5)]
    failing = gc.submit(boom)
    futures += [gc.submit(lambda c, n=n: gc.counting(c, f"k{n}")) for n in range(5, 10)]
    gc.gate.set()
    assert [f.result(10) for f in futures] == [f"k{n}" for n in range(10)]
    with pytest.raises(ValueError, match="refused"):
        failing.result(10)
    with engine.connect() as conn:
        stored = [r.who for r in conn.execute(select(rows.c.who).order_by(rows.c.id))]
    assert stored == [f"k{n}" for n in range(10)]  # in submission order, "boom" undone
    assert sum(sizes) == 10 and len(sizes) <= 2  # the waiting jobs went in together


def test_a_failed_commit_fails_every_job_of_its_transaction(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "g.db")

    @contextmanager
    def transaction() -> Iterator[Connection]:
        with engine.connect() as conn:
            conn.begin()
            yield conn
            raise OSError("disk full at commit")

    gc = GroupCommitter(transaction)
    try:
        future = gc.submit(lambda c: c.execute(rows.insert().values(who="x")))
        with pytest.raises(OSError, match="disk full"):
            future.result(10)
    finally:
        gc.close()
        engine.dispose()
    with engine.connect() as conn:
        assert conn.scalar(select(rows.c.id)) is None


def test_items_are_combined_into_one_call_and_a_bad_item_fails_alone(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "g.db")
    calls: list[list[str]] = []
    gate = threading.Event()

    def combine(conn: Connection, items: list[str]) -> list[str]:
        calls.append(list(items))
        conn.execute(rows.insert(), [{"who": who} for who in items])
        if "bad" in items:
            raise ValueError("one item is refused")
        return [who.upper() for who in items]

    @contextmanager
    def transaction() -> Iterator[Connection]:
        gate.wait(10)
        with engine.begin() as conn:
            yield conn

    gc = GroupCommitter(transaction, combine=combine)
    try:
        futures = {who: gc.submit_item(who) for who in ("a", "b", "bad", "c")}
        gate.set()
        assert [futures[w].result(10) for w in ("a", "b", "c")] == ["A", "B", "C"]
        with pytest.raises(ValueError, match="refused"):
            futures["bad"].result(10)
    finally:
        gc.close()
    with engine.connect() as conn:
        stored = sorted(r.who for r in conn.execute(select(rows.c.who)))
    assert stored == ["a", "b", "c"]  # the combined try was undone, then each alone
    assert calls[0] == ["a", "b", "bad", "c"] and ["bad"] in calls
    engine.dispose()
