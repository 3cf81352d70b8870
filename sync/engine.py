"""The kiosk's sync engine: a background thread that uploads the outbox, then pulls changes.

It never stands in a scan's way: check-ins commit to the local store and return; the
engine picks the outbox up within ``upload_poll`` seconds (at once after ``wake()``), and
pulls every ``interval`` seconds. Failures back off exponentially with jitter, and the
outbox keeps everything until the source acknowledges it, so a hub restart, a dropped
connection or a crash loses nothing; re-sent items are idempotent at the source.

Items the source refuses (it will never accept them as they are) stay in the outbox with
the reason, shown in the status; they are tried again after ``refused_retry`` seconds and
at the next start, not on every pass.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sync.remote import (
    CountsRemaining,
    GivesHeartbeat,
    ListsErrors,
    RemoteSource,
    ReportsRejected,
    SourceRejected,
    SourceUnavailable,
)

log = logging.getLogger("accueil.sync")

Progress = Callable[[str, int, int | None], None]
"""progress(phase, done, total): phase is "upload" or "download"; total may be unknown."""

_MAX_ROUNDS = 10_000  # batches or pages per pass: a bound, not a limit one meets


class UploadIncomplete(SourceUnavailable):
    """The source took part of a batch, then failed: the rest waits for the next try."""


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the kiosk's status bar shows about sync."""

    source: str
    running: bool
    online: bool | None  # None: not tried yet
    last_success: datetime | None
    pending: int  # outbox items (scans, walk-ins) waiting to upload
    last_error: str
    conflicts: int
    next_attempt_in: float  # seconds until the next try after a failure (0: not backing off)


@dataclass(frozen=True, slots=True)
class SyncReport:
    uploaded: int = 0
    registrations: int = 0  # changed by the pull
    remote_scans: int = 0  # other kiosks' scans added
    conflicts: int = 0  # new conflicts reported by the source


class SyncEngine:
    """Keeps one kiosk's LocalStore and one RemoteSource in step."""

    def __init__(
        self,
        store: Any,
        source: RemoteSource,
        *,
        interval: float = 3.0,
        upload_poll: float = 0.5,
        batch_size: int = 500,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        refused_retry: float = 3600.0,
        rng: Callable[[], float] = random.random,
        kiosk_status: Callable[[], dict[str, Any]] | None = None,
        heartbeat_every: float = 10.0,
        abilities: frozenset[str] | None = None,
    ) -> None:
        """``abilities``: the optional abilities of ``source`` the engine uses (heartbeat,
        rejected, remaining, lists; kiosk.registry); None: what its registered kind
        declares (none for a source the registry does not know)."""
        self.store = store
        self.source = source
        self.abilities = abilities if abilities is not None else _declared(source.name)
        self.interval = interval
        self.upload_poll = upload_poll
        self.batch_size = batch_size
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.refused_retry = refused_retry
        self._rng = rng
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pass_lock = threading.Lock()  # one sync pass at a time (loop or sync_once)
        self._failures = 0
        self._next_attempt = 0.0
        self._next_pull = 0.0
        self._online: bool | None = None
        self._last_error = ""
        self._last_success: datetime | None = _parse(store.get_meta("sync.last_success"))
        self._saved_success = 0.0
        self._refusal = ""  # why the source refused the items held back, if any
        self._held: dict[int, tuple[float, str]] = {}  # refused seq -> (retry at, why)
        self.kiosk_status = kiosk_status
        self.heartbeat_every = heartbeat_every
        self._next_heartbeat = 0.0

    # -- the loop ---------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="accueil-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current request (bounded by the source's timeout)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Upload now (after a scan); does not cut a backoff short."""
        self._wake.set()

    def pull_soon(self) -> None:
        """Pull at the next turn of the loop instead of waiting for the interval."""
        self._next_pull = 0.0
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= self._next_attempt:
                self._turn(now)
            now = time.monotonic()
            if now < self._next_attempt:
                wait = self._next_attempt - now
            else:
                wait = max(0.0, min(self.upload_poll, self._next_pull - now))
            self._wake.wait(wait)
            self._wake.clear()

    def _turn(self, now: float) -> None:
        try:
            with self._pass_lock:
                self._upload()
                if now >= self._next_pull:
                    self._download()
                    self._next_pull = time.monotonic() + self.interval
                self._heartbeat(now)
            self._succeeded()
        except UploadIncomplete as exc:
            # The source is there but stopped part-way: not a success, but still online.
            self._failed(str(exc), self._backoff(), online=True)
        except SourceRejected as exc:
            # A person must act (token, config); retrying often will not help.
            self._failed(str(exc), self.backoff_max)
        except SourceUnavailable as exc:
            self._failed(str(exc), self._backoff())
        except Exception as exc:  # a bug or a full disk must not kill the thread
            log.exception("sync pass failed")
            self._failed(f"{type(exc).__name__}: {exc}", self._backoff())

    def _heartbeat(self, now: float) -> None:
        """Every few seconds, tell a source that listens (the hub) how this kiosk is."""
        if "heartbeat" not in self.abilities or now < self._next_heartbeat:
            return
        send = cast(GivesHeartbeat, self.source).heartbeat
        self._next_heartbeat = now + self.heartbeat_every
        status = {"pending_uploads": self.store.count_pending()}
        if self.kiosk_status is not None:
            try:
                status.update(self.kiosk_status())
            except Exception:  # the report is a courtesy: never a reason to stop syncing
                log.exception("kiosk status for the hub could not be gathered")
        send(status)

    def _backoff(self) -> float:
        """Exponential in the failures so far, capped, with full jitter on its upper half."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** min(self._failures, 20))
        return float(ceiling * (0.5 + 0.5 * self._rng()))

    def _failed(self, error: str, delay: float, *, online: bool = False) -> None:
        self._failures += 1
        self._online = online
        self._last_error = error
        self._next_attempt = time.monotonic() + delay
        log.warning("sync failed (retry in %.1f s): %s", delay, error)

    def _succeeded(self) -> None:
        self._failures = 0
        self._next_attempt = 0.0
        self._online = True
        # Lists the source could not use (a wrong session list id) show even before a scan
        # at that door is held back.
        lists = cast(ListsErrors, self.source).list_errors if "lists" in self.abilities else {}
        notes = [self._refusal] + [e for e in lists.values() if e not in self._refusal]
        self._last_error = "; ".join(n for n in notes if n)[:1000]
        self._last_success = datetime.now(UTC)
        if time.monotonic() - self._saved_success > 60:  # a write per minute, not per pass
            self._saved_success = time.monotonic()
            self.store.set_meta("sync.last_success", self._last_success.isoformat())

    # -- one pass ---------------------------------------------------------------------

    def _upload(self, progress: Progress | None = None) -> tuple[int, int]:
        """Send the outbox in batches until it is empty; (uploaded, new conflicts).

        Raises UploadIncomplete when the source stopped part-way through a batch.
        """
        total = self.store.count_pending() if progress else None
        uploaded = conflicts = 0
        now = time.monotonic()
        self._held = {seq: h for seq, h in self._held.items() if h[0] > now}
        held = set(self._held)  # refused earlier: not sent again before their time
        try:
            for _ in range(_MAX_ROUNDS):
                items = [
                    i for i in self.store.pending(self.batch_size + len(held)) if i.seq not in held
                ]
                if not items:
                    break
                items = items[: self.batch_size]
                result = self.source.push(items)
                acked = set(result.acknowledged)
                if acked:
                    self.store.mark_sent(result.acknowledged)
                if result.conflicts:
                    conflicts += self.store.add_sync_conflicts(result.conflicts)
                uploaded += len(acked)
                unsent = set(result.unsent)
                refused = [i.seq for i in items if i.seq not in acked and i.seq not in unsent]
                if refused:
                    self._hold(refused, now)
                    held.update(refused)
                if progress:
                    progress("upload", uploaded, total)
                if result.error:
                    raise UploadIncomplete(
                        f"{self.source.name} stopped part-way: {uploaded} item(s) uploaded, "
                        f"{len(unsent)} left for the next try ({result.error})"
                    )
        finally:
            self._refusal = self._refusal_text()
        return uploaded, conflicts

    def _hold(self, refused: list[int], now: float) -> None:
        """Record why the source refused these items and hold them back until retry time."""
        reasons = (
            cast(ReportsRejected, self.source).rejected or {}
            if "rejected" in self.abilities
            else {}
        )
        by_reason: dict[str, list[int]] = defaultdict(list)
        for seq in refused:
            by_reason[str(reasons.get(seq, "not accepted"))[:500]].append(seq)
        for why, seqs in by_reason.items():
            self.store.mark_failed(seqs, why)
            for seq in seqs:
                self._held[seq] = (now + self.refused_retry, why)

    def _refusal_text(self) -> str:
        if not self._held:
            return ""
        why = "; ".join(sorted({h[1] for h in self._held.values()}))
        return f"{len(self._held)} item(s) refused by {self.source.name}: {why}"[:1000]

    def _download(self, progress: Progress | None = None) -> tuple[int, int]:
        """Pull pages until the source has nothing more; (registrations, scans) changed."""
        name = self.source.name
        changed = added = pulled = 0
        # The next page is fetched while this one is stored (one request at a time).
        with ThreadPoolExecutor(1, thread_name_prefix="accueil-pull") as fetcher:
            result = self.source.pull(self.store.sync_cursor(name))
            for _ in range(_MAX_ROUNDS):
                remaining = (
                    cast(CountsRemaining, self.source).remaining
                    if "remaining" in self.abilities
                    else None
                )
                ahead = None
                if result.more and not self._stop.is_set():
                    ahead = fetcher.submit(self.source.pull, result.cursor)
                try:
                    c, a = self.store.apply_pull(
                        name,
                        result.registrations,
                        result.scans,
                        result.cursor,
                        facts=result.facts,
                        lists=result.lists,
                        full_page=result.full_page,
                        full_done=bool(result.full_page) and not result.more,
                        event=result.event,
                    )
                finally:
                    if ahead is not None and not ahead.done():
                        ahead.exception()  # wait: never leave a request behind
                changed += c
                added += a
                pulled += len(result.registrations)
                if progress:
                    total = pulled + remaining if remaining is not None else None
                    progress("download", pulled, total)
                if ahead is None:
                    break
                result = ahead.result()
        return changed, added

    def sync_once(self, progress: Progress | None = None) -> SyncReport:
        """Upload everything, then pull everything, now; raises the source's errors."""
        with self._pass_lock:
            try:
                uploaded, conflicts = self._upload(progress)
                changed, added = self._download(progress)
            except (SourceUnavailable, SourceRejected) as exc:
                self._online = isinstance(exc, UploadIncomplete)
                self._last_error = str(exc)
                raise
        self._saved_success = 0.0
        self._succeeded()
        return SyncReport(uploaded, changed, added, conflicts)

    # -- status -----------------------------------------------------------------------

    def status(self) -> SyncStatus:
        return SyncStatus(
            source=self.source.name,
            running=self._thread is not None and self._thread.is_alive(),
            online=self._online,
            last_success=self._last_success,
            pending=self.store.count_pending(),
            last_error=self._last_error,
            conflicts=len(self.store.sync_conflicts()),
            next_attempt_in=max(0.0, self._next_attempt - time.monotonic()),
        )


def _declared(name: str) -> frozenset[str]:
    from kiosk.registry import source_kinds

    kind = source_kinds().get(name)
    return kind.abilities if kind is not None else frozenset()


def _parse(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
