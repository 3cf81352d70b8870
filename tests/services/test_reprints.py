"""The reprint `accueil badge --print` shares with the desk, over the real store and queue:
a held request is printed by its caller and never woken into the worker; a badge stopped
mid-way is named before any reprint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.services.desk import Reprints
from printers.badges import BadgeMaker
from printers.devices import PreviewPrinter
from printers.encode import load_profile
from printers.layout import BadgeOptions
from printers.queue import PrintQueue
from sync.store import LocalStore
from tests.conftest import EVENT, FixedClock


@pytest.fixture
def printer(tmp_path: Path) -> PreviewPrinter:
    return PreviewPrinter("main", load_profile("TM-T88V"), tmp_path / "badges")


@pytest.fixture
def queue(store: LocalStore, clock: FixedClock, printer: PreviewPrinter) -> Iterator[PrintQueue]:
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


def test_a_held_reprint_is_printed_by_its_caller_once(
    store: LocalStore, queue: PrintQueue, tmp_path: Path
) -> None:
    reprints = Reprints(store, queue)
    asked = reprints.reprint("R1", "cli", hold=True)
    assert asked.printer and asked.warning is None
    again = reprints.reprint("R1", "cli", hold=True)  # one waiting badge per person
    assert again.job_id == asked.job_id
    printed, _ = queue.print_now(asked.job_id, "main", 10.0)
    assert printed and store.print_job(asked.job_id).status == "done"
    assert len(list((tmp_path / "badges").glob("*.png"))) == 1


def test_a_held_reprint_without_a_queue_is_stored_held(store: LocalStore) -> None:
    asked = Reprints(store, None).reprint("R1", "cli", hold=True)
    assert not asked.printer
    job = store.print_job(asked.job_id)
    assert job.registration_id == "R1" and job.status == "held"  # never printed by itself


def test_a_badge_stopped_mid_way_is_named_and_replace_cancels_it(
    store: LocalStore, queue: PrintQueue
) -> None:
    reprints = Reprints(store, queue)
    first = reprints.reprint("R1", "cli")  # the queue is not started: it stays pending
    store.print_uncertain(first.job_id, "connection reset after the cut")
    assert reprints.interrupted("R1") == [first.job_id]
    assert reprints.interrupted("R2") == []
    fresh = reprints.reprint("R1", "cli", replace=True, hold=True)
    assert fresh.job_id != first.job_id
    assert store.print_job(first.job_id).status == "cancelled"
    assert reprints.interrupted("R1") == []
