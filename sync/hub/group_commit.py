"""Group commit: many requests' writes in one database transaction, one flush to disk.

The hub hands out scan sequence numbers under one writer lock, so that commit order is
number order and a pull never skips a row (sync/hub/db.py). With the lock held across the
commit, every upload paid a full WAL flush alone: about 4 ms on this kind of disk, so one
hub could not pass ~250 uploads a second whatever its CPU. Here one thread per process runs
the writes that are waiting, each in its own SAVEPOINT (a failing request rolls back only
itself), then commits them together: the flush is shared, and the order guarantee is kept
because there is still one writer at a time.

The same idea as PostgreSQL's own group commit (``commit_delay``), done where the lock is.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection

Job = Callable[[Connection], Any]
Combine = Callable[[Connection, list[Any]], list[Any]]


class GroupCommitter:
    """Runs write jobs in shared transactions on one thread.

    ``transaction`` opens the writer's transaction (the caller's lock included) and yields its
    connection. At most ``max_jobs`` jobs share one transaction. A job is either a callable
    ``job(conn) -> result`` (``submit``), run in its own savepoint, or an item (``submit_item``)
    handed with the other waiting items to ``combine(conn, items) -> results``, one result
    per item in order, so that their statements are batched too; if that call fails, the
    transaction is rolled back and run again with each item alone in its own savepoint, so
    one bad item fails only itself.

    A future holds the job's result once the transaction that ran it is committed, or the
    job's own exception (its savepoint rolled back, the others unaffected), or the commit's
    error (then every job of that transaction fails with it: nothing was stored).
    """

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[Connection]],
        *,
        combine: Combine | None = None,
        max_jobs: int = 256,
        name: str = "hub-group-commit",
    ) -> None:
        self._transaction = transaction
        self._combine = combine
        self._max_jobs = max_jobs
        self._queue: queue.SimpleQueue[tuple[Job | _Item, Future[Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        self._thread.start()

    def submit(self, job: Job) -> Future[Any]:
        return self._put(job)

    def submit_item(self, item: Any) -> Future[Any]:
        if self._combine is None:
            raise RuntimeError("this committer has no combine function")
        return self._put(_Item(item))

    def _put(self, job: Job | _Item) -> Future[Any]:
        if self._closed:
            raise RuntimeError("the hub database is closed")
        future: Future[Any] = Future()
        self._queue.put((job, future))
        return future

    def run(self, job: Job, timeout: float = 60.0) -> Any:
        """Submit and wait: the job's result after commit, or its exception."""
        return self.submit(job).result(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Finish the jobs already submitted, then stop the thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join(timeout)

    def _waiting(
        self, first: tuple[Job | _Item, Future[Any]]
    ) -> Iterator[tuple[Job | _Item, Future[Any]]]:
        yield first
        for _ in range(self._max_jobs - 1):
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                return
            if nxt is None:
                self._queue.put(None)  # seen again by the loop once this batch is done
                return
            yield nxt

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs = [j for j in self._waiting(first) if j[1].set_running_or_notify_cancel()]
            if not jobs:
                continue
            try:
                try:
                    outcomes = self._commit(jobs, items_together=True)
                except _CombineFailed:  # that transaction was undone: each item alone
                    outcomes = self._commit(jobs, items_together=False)
            except Exception as exc:  # the commit failed: nothing of this batch is stored
                for _, future in jobs:
                    future.set_exception(exc)
                continue
            for future, ok, value in outcomes:
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _commit(
        self, jobs: list[tuple[Job | _Item, Future[Any]]], *, items_together: bool
    ) -> list[tuple[Future[Any], bool, Any]]:
        """Run ``jobs`` in one transaction and commit it; (future, ok, result or exception).

        ``items_together``: the items in one ``combine`` call without a savepoint of their
        own (two round trips fewer per transaction, the common case); when that call fails
        the whole transaction is rolled back (``_CombineFailed``) and run again with
        ``items_together=False``: each item alone in its own savepoint.
        """
        outcomes: list[tuple[Future[Any], bool, Any]] = []
        with self._transaction() as conn:
            items = [(j.value, f) for j, f in jobs if isinstance(j, _Item)]
            if items and items_together:
                assert self._combine is not None
                try:
                    results = self._combine(conn, [value for value, _ in items])
                except Exception as exc:
                    raise _CombineFailed from exc
                outcomes += [(f, True, r) for (_, f), r in zip(items, results, strict=True)]
            elif items:
                outcomes += self._run_alone(conn, items)
            for job, future in jobs:
                if isinstance(job, _Item):
                    continue
                try:
                    with conn.begin_nested():
                        outcomes.append((future, True, job(conn)))
                except Exception as exc:  # the job's own failure: only it is undone
                    outcomes.append((future, False, exc))
        return outcomes

    def _run_alone(
        self, conn: Connection, items: list[tuple[Any, Future[Any]]]
    ) -> list[tuple[Future[Any], bool, Any]]:
        """Each item in its own ``combine`` call and savepoint: a bad one fails alone."""
        assert self._combine is not None
        outcomes: list[tuple[Future[Any], bool, Any]] = []
        for value, future in items:
            try:
                with conn.begin_nested():
                    outcomes.append((future, True, self._combine(conn, [value])[0]))
            except Exception as exc:
                outcomes.append((future, False, exc))
        return outcomes


class _CombineFailed(Exception):
    """The combined call of a transaction's items failed: run them again one by one."""


class _Item:
    """A submitted item for the combine function (apart from a callable job)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
