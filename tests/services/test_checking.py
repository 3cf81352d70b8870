"""`accueil checkin`'s use case over the real store, check-in service and print queue: the
scan is recorded, its badge printed at once or left held for staff (never printed later by
itself), and a refused scan never builds the queue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.core.service import CheckinService
from kiosk.services.checking import CommandCheckin
from printers.badges import BadgeMaker
from printers.devices import PreviewPrinter
from printers.encode import load_profile
from printers.layout import BadgeOptions
from printers.queue import PrintQueue
from sync.store import LocalStore
from tests.conftest import EVENT, FixedClock


@pytest.fixture
def make_queue(store: LocalStore, clock: FixedClock) -> Iterator[Callable[[Path], PrintQueue]]:
    made: list[PrintQueue] = []

    def make(folder: Path) -> PrintQueue:
        printer = PreviewPrinter("main", load_profile("TM-T88V"), folder)
        queue = PrintQueue(
            store, [printer], BadgeMaker(EVENT, BadgeOptions()), clock, probe_seconds=0
        )
        made.append(queue)
        return queue

    yield make
    for queue in made:
        queue.stop()


def test_an_accepted_scan_is_recorded_and_its_badge_printed_at_once(
    store: LocalStore, service: CheckinService, make_queue, tmp_path: Path
) -> None:
    queue = make_queue(tmp_path / "badges")
    checked = CommandCheckin(service, store, lambda: queue).check("CODE-1", staff="cli")
    assert checked.result.verdict.ok and checked.session_title == ""
    badge = checked.badge
    assert badge is not None and badge.printed and badge.coming and not badge.elsewhere
    assert badge.printer == "main" and badge.state == "ok"
    assert store.print_job(badge.job_id).status == "done"
    assert len(list((tmp_path / "badges").glob("*.png"))) == 1
    assert [s.staff for s in store.scans_of("R1")] == ["cli"]


def test_a_badge_that_cannot_print_is_held_for_staff_not_promised(
    store: LocalStore, service: CheckinService, make_queue, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the badges folder should be")
    queue = make_queue(blocked)
    badge = CommandCheckin(service, store, lambda: queue).check("CODE-1").badge
    assert badge is not None and not badge.printed and not badge.coming
    assert badge.state == "offline" and "cannot write previews" in badge.message
    assert badge.job is not None and badge.job.status == "held"
    assert store.scans_of("R1")[-1].accepted  # the check-in itself stands


def test_a_refused_scan_never_builds_the_queue(store: LocalStore, service: CheckinService) -> None:
    def no_queue() -> PrintQueue:
        raise AssertionError("the queue was built for a scan that earns no badge")

    refused = CommandCheckin(service, store, no_queue).check("NOT-A-CODE")
    assert not refused.result.verdict.ok and refused.badge is None


def test_an_unknown_session_records_nothing(store: LocalStore, service: CheckinService) -> None:
    before = len(store.scans())
    with pytest.raises(LookupError):
        CommandCheckin(service, store).check("CODE-1", session_id="no-such-session")
    assert len(store.scans()) == before
