"""The desk's use cases over the real store, check-in service, print queue and sync status;
and the adapters satisfy the ports the UI is typed against (checked by mypy)."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.core.model import ScanKind
from kiosk.core.ports import PrintJobConflict
from kiosk.core.service import CheckinService
from kiosk.services.desk import DeskActions
from kiosk.services.printing import JobVerb, Printing
from kiosk.services.status import printer_view_of, sync_view
from kiosk.services.syncing import Syncing
from printers.badges import BadgeMaker
from printers.devices import PreviewPrinter
from printers.encode import load_profile
from printers.layout import BadgeOptions
from printers.queue import PrintQueue
from sync.engine import SyncEngine
from sync.store import LocalStore
from tests.conftest import EVENT, ROOT, FixedClock


def wait_until(condition: Callable[[], object], seconds: float = 15.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.fixture
def queue(store: LocalStore, clock: FixedClock, tmp_path: Path) -> Iterator[PrintQueue]:
    printer = PreviewPrinter("main", load_profile("TM-T88V"), tmp_path / "badges")
    made = PrintQueue(
        store,
        [printer],
        BadgeMaker(EVENT, BadgeOptions()),
        clock,
        backoff=(0.05, 0.1),
        wait_for_registration=(0.05,),
        poll_seconds=0.05,
        probe_seconds=0,
    )
    yield made
    made.stop()


def test_a_reprint_without_a_printer_waits_in_the_store_and_never_doubles(
    store: LocalStore, service: CheckinService
) -> None:
    desk = DeskActions(store, service, None)
    first = desk.reprint("R1", "Amal")
    assert not first.printer and first.warning is None
    again = desk.reprint("R1", "Amal")  # one waiting badge per person: the same job
    assert again.job_id == first.job_id
    assert [j.status for j in store.print_jobs() if j.registration_id == "R1"] == ["pending"]
    replaced = desk.reprint("R1", "Amal", replace=True, seen=first.job_id)
    assert replaced.job_id != first.job_id
    statuses = {j.id: j.status for j in store.print_jobs()}
    assert statuses == {first.job_id: "cancelled", replaced.job_id: "pending"}
    with pytest.raises(PrintJobConflict):  # staff were shown a job that is gone since
        desk.reprint("R1", "Amal", replace=True, seen=first.job_id)


def test_a_reprint_through_the_queue_prints_and_warns_of_the_earlier_badge(
    store: LocalStore, service: CheckinService, queue: PrintQueue
) -> None:
    desk = DeskActions(store, service, queue)
    queue.start()
    first = desk.reprint("R1", "Amal")
    assert first.printer and first.warning is None
    assert wait_until(lambda: store.print_job(first.job_id).status == "done")
    second = desk.reprint("R1", "Amal")
    assert second.job_id != first.job_id and "already printed 1 time" in (second.warning or "")
    assert wait_until(lambda: store.get("R1").print_count == 2)


def test_desk_actions_check_in_undo_and_override_land_in_the_scan_log(
    store: LocalStore, service: CheckinService, queue: PrintQueue
) -> None:
    desk = DeskActions(store, service, queue)
    queue.start()
    result = desk.check_in_by_hand("R1", "Amal")
    assert result.verdict.ok and result.print_job is not None
    assert wait_until(lambda: store.print_job(result.print_job).status == "done")
    record = desk.record("R1")
    assert [s.kind for s in record.scans] == [ScanKind.ENTRY]
    assert [j.id for j in record.prints] == [result.print_job]
    assert not record.verdict.ok  # already inside: a second check-in now is refused
    desk.undo("R1", "Amal")
    assert desk.verdict_now("R1").ok
    refused = desk.verdict_now("R3")  # cancelled
    assert refused is not None and not refused.ok
    with pytest.raises(ValueError):
        desk.override("R3", "Sup", " ")
    assert desk.override("R3", "Sup", "organiser said yes").scan.forced
    assert desk.verdict_now("NOPE") is None
    with pytest.raises(LookupError):
        desk.record("NOPE")
    assert [r.id for r in desk.lookup("SHARED")] == ["R8", "R9"]


def test_retry_and_cancel_without_a_queue_change_the_stored_job_or_refuse(
    store: LocalStore, service: CheckinService
) -> None:
    job = DeskActions(store, service, None).reprint("R2", "Amal").job_id
    printing = Printing(store, None)
    assert [(q.job.id, q.registration.id) for q in printing.jobs()] == [(job, "R2")]
    assert printing.other_printers() == [] and printing.state().level == "none"
    printing.act(JobVerb.CANCEL, job, "Amal")
    assert store.print_job(job).status == "cancelled"
    with pytest.raises(PrintJobConflict):
        printing.act(JobVerb.RETRY, job, "Amal")


def test_retry_and_cancel_through_the_queue(store: LocalStore, queue: PrintQueue) -> None:
    from kiosk.core.ports import PrintReason, PrintRequest

    job = store.queue_print(PrintRequest("R2", PrintReason.REPRINT, "Amal"))
    printing = Printing(store, queue)
    printing.act(JobVerb.CANCEL, job, "Amal")
    assert store.print_job(job).status == "cancelled"
    with pytest.raises(PrintJobConflict):  # the queue's own rule: reprint, never retry
        printing.act(JobVerb.RETRY, job, "Amal")


def test_the_printer_view_reads_the_queue_state_the_queue_really_gives(
    store: LocalStore, queue: PrintQueue
) -> None:
    view = printer_view_of(queue.state())
    assert (view.state, view.waiting) in {("unknown", 0), ("ok", 0)}
    assert view.level == "ok"


class _Source:
    name = "hub"


def test_the_sync_view_and_refusals_read_the_engine_and_the_store(store: LocalStore) -> None:
    engine = SyncEngine(store, _Source())  # never started: nothing leaves this machine
    syncing = Syncing(store, engine)
    view = syncing.status()
    assert view.configured and not view.online and view.last_sync is None
    assert view.waiting == store.count_pending()
    conflicts = [
        {"registration_id": f"R{i}", "pretix_reason": "already_redeemed", "detail": f"d{i}",
         "first_at": f"2026-12-08T08:1{i}:00+00:00"}
        for i in range(7)
    ] + [{"registration_id": "R9", "detail": "hub conflict, not a refusal"},
         {"registration_id": "R8", "pretix_reason": "product", "first_at": "soon"}]  # fmt: skip
    store.set_meta("sync.conflicts", json.dumps(conflicts))
    count, shown = syncing.refusals()
    assert count == 8
    assert [r.registration_id for r in shown] == ["R8", "R6", "R5", "R4", "R3"]
    assert shown[0].first_at is None and shown[0].first_at_text == "soon"
    assert shown[1].first_at is not None and shown[1].first_at.minute == 16
    assert syncing.sync_now()
    none = Syncing(store, None)
    assert not none.sync_now() and not none.status().configured
    assert sync_view(None, 3).waiting == 3


def test_the_adapters_satisfy_the_ports_the_ui_is_typed_against(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``_field()`` used to guess at run time: a renamed field now fails here."""
    from mypy import api

    check = tmp_path / "ports_check.py"
    check.write_text(
        textwrap.dedent(
            """
            from kiosk.reading.reader import CodeReader
            from kiosk.reading.state import ReaderState
            from kiosk.reading.wedge import WedgeDetector
            from kiosk.services import ports
            from kiosk.staff_auth import StaffAuth
            from printers.queue import PrintQueue, QueueState
            from sync.engine import SyncEngine, SyncStatus
            from sync.hub_client import HubSource
            from sync.pretix import PretixSource
            from sync.store import LocalStore

            def conforms(
                store: LocalStore, queue: PrintQueue, state: QueueState, engine: SyncEngine,
                status: SyncStatus, reader: CodeReader, camera: ReaderState,
                keys: WedgeDetector, auth: StaffAuth, hub: HubSource,
                pretix: PretixSource,
            ) -> None:
                a: ports.DeskStore = store
                b: ports.PrintQueue = queue
                c: ports.QueueState = state
                d: ports.SyncEngine = engine
                e: ports.SyncStatus = status
                f: ports.Reader = reader
                g: ports.ReaderStatus = camera
                h: ports.KeyLine = keys
                i: ports.StaffAuthPort = auth
                j: ports.PurgeStore = store
                k: ports.HeldConfirmer = hub
                m: ports.SyncLedger = store
                n: ports.Probing = pretix
                o: ports.IdentityChecking = hub
                p: ports.PrintsNow = queue
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("MYPYPATH", str(ROOT))
    out, err, status = api.run(
        [str(check), "--cache-dir", str(ROOT / ".mypy_cache"), "--follow-imports=silent",
         "--config-file", str(ROOT / "pyproject.toml")]
    )  # fmt: skip
    assert status == 0, out + err
