"""Every reason code, once per day, exit and re-entry, session capacity — on a real store."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from kiosk.core.model import Direction, Lang, ScanKind
from kiosk.core.rules import Context, decide
from kiosk.core.service import CheckinService, KioskIdentity
from kiosk.core.texts import attendee_text
from kiosk.core.verdict import Reason
from kiosk.locale import translator
from tests.conftest import EVENT, TZ, FixedClock


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("CODE-1", Reason.OK),
        ("nobody-has-this", Reason.UNKNOWN),
        ("CODE-3", Reason.CANCELLED),
        ("CODE-4", Reason.UNPAID),
        ("CODE-5", Reason.BLOCKED),
        ("CODE-6", Reason.NOT_VALID_TODAY),
        ("SHARED", Reason.AMBIGUOUS),
        ("CODE-10", Reason.NOT_YET_VALID),
        ("CODE-11", Reason.EXPIRED),
        ("A1:NOT-A-REAL-TICKET", Reason.INVALID_SIGNATURE),
    ],
)
def test_each_reason_code(service, store, code, reason):
    result = service.check(code)
    assert result.verdict.reason is reason
    logged = store.scans()[-1]
    assert (logged.nonce, logged.reason, logged.accepted) == (
        result.scan.nonce,
        reason.value,
        reason is Reason.OK,
    )


def test_entry_once_per_day_second_scan_answers_when_and_where(service, store, clock):
    first = service.check("CODE-1")
    clock.advance(minutes=5)
    second = service.check("CODE-1")
    assert second.verdict.reason is Reason.ALREADY_CHECKED_IN
    assert second.verdict.previous_at == first.scan.at
    assert second.verdict.previous_kiosk == "Kiosk 1"
    assert "09:12" in attendee_text(second.verdict, translator(Lang.EN))
    entries = [s for s in store.history("R1").scans if s.kind is ScanKind.ENTRY]
    assert len(entries) == 1, "a repeat scan must not record a second entry"
    assert store.count_scans() == 2, "the refused repeat is still in the log"


def test_already_checked_in_at_another_kiosk_names_it(store, clock):
    door_a = CheckinService(store, store, clock, EVENT, KioskIdentity("a", "Door A"))
    door_b = CheckinService(store, store, clock, EVENT, KioskIdentity("b", "Door B"))
    assert door_a.check("CODE-1").verdict.ok
    again = door_b.check("CODE-1").verdict
    assert (again.reason, again.previous_kiosk) == (Reason.ALREADY_CHECKED_IN, "Door A")


def test_exit_then_reentry_same_day_and_new_day(service, clock):
    assert service.check("CODE-1").verdict.ok
    out = service.check("CODE-1", Direction.EXIT).verdict
    assert (out.reason, out.kind) == (Reason.OK, ScanKind.EXIT)
    back = service.check("CODE-1")
    assert back.verdict.ok and back.verdict.previous_at is not None
    assert back.print_job is None, "re-entry prints no second badge"
    assert "Welcome back" in attendee_text(back.verdict, translator(Lang.EN))
    assert service.check("CODE-1").verdict.reason is Reason.ALREADY_CHECKED_IN


def test_next_day_is_a_new_first_entry(store, clock):
    day2 = CheckinService(store, store, clock, EVENT, KioskIdentity("k", "K"), day=2)
    day1 = CheckinService(store, store, clock, EVENT, KioskIdentity("k", "K"), day=1)
    assert day1.check("CODE-1").verdict.ok
    assert day2.check("CODE-1").verdict.reason is Reason.OK


def test_exit_without_entry_is_refused(service):
    assert service.check("CODE-1", Direction.EXIT).verdict.reason is Reason.NOT_CHECKED_IN


def test_first_entry_queues_one_badge_in_the_same_transaction(service, store):
    result = service.check("CODE-1")
    assert result.print_job is not None
    assert [j.registration_id for j in store.print_jobs("pending")] == ["R1"]
    assert store.pending()[0].key == result.scan.nonce


def test_session_capacity_refuses_when_full_and_counts_exits(service, store):
    assert service.check("CODE-1", session_id="W1").verdict.inside == 1
    assert service.check("CODE-2", session_id="W1").verdict.inside == 2
    full = service.check("CODE-12", session_id="W1").verdict
    assert (full.reason, full.inside, full.capacity) == (Reason.SESSION_FULL, 2, 2)
    assert service.check("CODE-1", Direction.EXIT, session_id="W1").verdict.ok
    assert store.session_inside("W1") == 1
    assert service.check("CODE-12", session_id="W1").verdict.ok


def test_capacity_not_enforced_only_warns(store, clock):
    lax = CheckinService(
        store, store, clock, EVENT, KioskIdentity("d", "D"), enforce_capacity=False
    )
    for code in ("CODE-1", "CODE-2", "CODE-12"):
        assert lax.check(code, session_id="W1").verdict.ok
    assert store.session_inside("W1") == 3


def test_session_not_allowed_and_already_inside(service):
    assert service.check("CODE-7", session_id="W1").verdict.reason is Reason.SESSION_NOT_ALLOWED
    assert service.check("CODE-7", session_id="P1").verdict.ok
    again = service.check("CODE-7", session_id="P1").verdict
    assert again.reason is Reason.ALREADY_CHECKED_IN and again.session_id == "P1"


def test_unknown_session_is_an_error_not_a_verdict(service):
    with pytest.raises(LookupError):
        service.check("CODE-1", session_id="NOPE")


def test_before_and_after_the_event_calendar():
    reg_found = []
    before = Context(now=datetime(2026, 12, 1, 9, tzinfo=TZ), event=EVENT)
    after = Context(now=datetime(2026, 12, 20, 9, tzinfo=TZ), event=EVENT)
    from tests.conftest import people

    reg_found = [people()[0]]
    assert decide("CODE-1", reg_found, before).reason is Reason.NOT_YET_VALID
    assert decide("CODE-1", reg_found, after).reason is Reason.EXPIRED


def test_undo_takes_back_the_check_in(service, store):
    service.check("CODE-1")
    service.undo_last("R1", staff="amina")
    assert service.check("CODE-1").verdict.ok, "after an undo the attendee can check in again"
    assert store.count_scans() == 3


def test_supervisor_override_is_logged_as_forced(service, store):
    result = service.override("R3", staff="supervisor", why="refund cancelled by mistake")
    assert result.verdict.ok and result.scan.forced
    assert "override of cancelled" in result.scan.note
    with pytest.raises(ValueError):
        service.override("R3", staff="supervisor", why="  ")


def test_check_in_by_hand_follows_the_same_rules(service):
    assert service.check_in_by_hand("R1", staff="amina").verdict.ok
    assert service.check_in_by_hand("R1", staff="amina").verdict.reason is Reason.ALREADY_CHECKED_IN
    assert service.check_in_by_hand("R3", staff="amina").verdict.reason is Reason.CANCELLED


class SlowClock(FixedClock):
    """Reading the clock takes a moment, which widens any gap between a decision's reads
    and its record: exactly where a race would let two scans both be first."""

    def now(self):
        time.sleep(0.003)
        return self.at


def test_simultaneous_scans_of_one_code_accept_only_one(store, clock):
    """Two codes in one frame, or a scan and a desk check-in: decided one after the other."""
    import threading

    from kiosk.core.model import Registration

    store.upsert_registrations(
        [Registration(f"X{i}", "Same", "Moment", (f"X-{i}",)) for i in range(20)]
    )
    kiosk = CheckinService(store, store, SlowClock(clock.at), EVENT, KioskIdentity("k1", "Kiosk 1"))
    for i in range(20):
        results = []
        barrier = threading.Barrier(3)

        def go(code=f"X-{i}", barrier=barrier, results=results):
            barrier.wait()
            results.append(kiosk.check(code))

        threads = [threading.Thread(target=go) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        reasons = sorted(r.verdict.reason.value for r in results)
        assert reasons == ["already_checked_in", "already_checked_in", "ok"], (i, reasons)
    assert store.count_print_jobs("pending") == 20


def test_undo_cancels_the_badge_not_yet_printed(service, store):
    service.check("CODE-1")
    service.undo_last("R1", staff="amina")
    assert store.count_print_jobs("pending") == 0
    again = service.check("CODE-1")
    assert again.print_job is not None and store.count_print_jobs("pending") == 1


def test_simultaneous_door_scans_never_exceed_capacity(store, clock):
    import threading

    door = CheckinService(store, store, SlowClock(clock.at), EVENT, KioskIdentity("d", "Door"))
    codes = ["CODE-1", "CODE-2", "CODE-12", "CODE-13"]
    barrier = threading.Barrier(len(codes))

    def go(code):
        barrier.wait()
        door.check(code, session_id="W1")

    threads = [threading.Thread(target=go, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert store.session_inside("W1") == 2  # capacity 2


def test_override_of_a_refusal_earns_the_badge_but_not_of_a_repeat(service, store):
    result = service.override("R10", staff="sup", why="speaker came early")  # not_yet_valid
    assert result.verdict.ok and result.print_job is not None
    service.check("CODE-1")
    again = service.override("R1", staff="sup", why="lost badge, reprint separately")
    assert again.verdict.ok and again.print_job is None


def test_validity_times_are_shown_in_the_event_zone(service):
    verdict = service.check("CODE-10").verdict  # valid from 12:00 Casablanca time
    assert verdict.reason is Reason.NOT_YET_VALID
    assert "(from 08/12 12:00)" in attendee_text(verdict, translator(Lang.EN))


def test_before_the_event_the_text_gives_the_opening_day():
    from tests.conftest import people

    early = Context(now=datetime(2026, 12, 1, 9, tzinfo=TZ), event=EVENT)
    verdict = decide("CODE-1", [people()[0]], early)
    assert "(à partir de 08/12)" in attendee_text(verdict, translator(Lang.FR))


def test_a_door_set_to_another_days_session_is_refused_with_a_reason(store, clock):
    from kiosk.core.model import Session
    from kiosk.core.service import WrongSessionDay

    store.save_event(EVENT, [Session("D2", "Day two workshop", "Atlas", 2, clock.at, clock.at, 10)])
    door = CheckinService(store, store, clock, EVENT, KioskIdentity("d", "Door"))
    with pytest.raises(WrongSessionDay, match="on day 2, and today is day 1"):
        door.check("CODE-1", session_id="D2")
    assert store.count_scans() == 0


def test_day_two_arrival_with_yesterdays_badge_gets_no_new_badge(store, clock):
    day1 = CheckinService(store, store, clock, EVENT, KioskIdentity("k", "K"), day=1)
    first = day1.check("CODE-1")
    store.print_done(first.print_job, clock.at)
    day2 = CheckinService(store, store, clock, EVENT, KioskIdentity("k", "K"), day=2)
    second = day2.check("CODE-1")
    assert second.verdict.ok and second.print_job is None
    assert "Welcome back" in attendee_text(second.verdict, translator(Lang.EN))
    assert "Take your badge" in attendee_text(first.verdict, translator(Lang.EN))
