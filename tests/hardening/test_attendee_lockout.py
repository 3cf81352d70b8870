"""The attendee-side lockout attack: anyone at the attendee screen shows or types
`ACCUEIL-STAFF:0001`, `…0002`, … Those tries used to count on the desk's PIN counter, so
five of them locked both roles for up to a day, and only deleting a file in a shell helped.

Now staff-card tries have their own paced counter; the desk stays usable; a locked desk
still takes the supervisor PIN (own counter) and the recovery code; every lock is bounded.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.staff_auth import (
    CARD_PAUSE_SECONDS,
    Source,
    StaffAuth,
    StaffRole,
    hash_pin,
)
from kiosk.ui.screens.staff import DeskScreen
from tests.ui.conftest import (  # noqa: F401  (fixtures)
    _HASHES,
    SCANNER_GAP,
    STEWARD_PIN,
    SUPERVISOR_PIN,
    anyio_backend,
    make_kiosk,
    send_keys,
    wait_for,
)
from tests.ui.test_attendee import type_text

RECOVERY = "918273645501"
RECOVERY_HASH = hash_pin(RECOVERY)


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def auth(tmp_path, clock, **kw) -> StaffAuth:
    options = {"max_attempts": 5, "lockout_seconds": 30.0, "lockout_max_seconds": 900.0, **kw}
    return StaffAuth(
        _HASHES[STEWARD_PIN],
        _HASHES[SUPERVISOR_PIN],
        tmp_path / "staff-lockout.json",
        recovery_code_hash=RECOVERY_HASH,
        now=clock,
        **options,
    )


@pytest.mark.anyio
async def test_staff_card_guesses_at_the_attendee_screen_never_lock_the_desk(make_kiosk):  # noqa: F811
    app = make_kiosk().app(staff_language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        auth = app.services.staff_auth
        for n in range(12):  # shown to the camera or a scanner: a burst
            if n < 5:  # an attacker who waits out the pause after each wrong card
                await wait_for(pilot, lambda: auth.locked_for(Source.CARD) == 0, 10)
            await send_keys(pilot, f"ACCUEIL-STAFF:{n:04d}\r", SCANNER_GAP)
            await wait_for(pilot, lambda n=n: app.sounds.count("refused") > n, 10)
        assert app.services.staff_auth.locked_for(Source.DESK) == 0
        assert app.services.staff_auth.locked_for(Source.CARD) > 0  # cards wait, not the desk
        await pilot.press("f12", "tab")  # initials, then the PIN
        await type_text(pilot, STEWARD_PIN)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen), 10)
        assert app.staff is not None and app.staff.role is StaffRole.STEWARD


def test_card_tries_are_paced_counted_apart_and_bounded(tmp_path):
    clock = Clock()
    a = auth(tmp_path, clock)
    first = a.attempt("0001", Source.CARD)
    assert not first.ok and first.locked_seconds == CARD_PAUSE_SECONDS
    # Within the pause a card is not even checked: the right PIN waits too.
    assert not a.attempt(STEWARD_PIN, Source.CARD).ok
    longest = 0.0
    for n in range(2, 30):  # guessing, one card per allowed moment: 30, 60 … 900 s, 900 s
        clock.t += max(a.locked_for(Source.CARD), CARD_PAUSE_SECONDS) + 0.01
        result = a.attempt(f"{n:04d}", Source.CARD)
        longest = max(longest, result.locked_seconds)
        assert a.locked_for(Source.DESK) == 0  # never the desk
    assert longest == 900.0  # capped at lockout_max_seconds, never a day
    assert a.attempt(STEWARD_PIN).role is StaffRole.STEWARD  # the desk signs in at once
    clock.t += 901
    assert a.attempt(SUPERVISOR_PIN, Source.CARD).role is StaffRole.SUPERVISOR  # card works again


def test_a_locked_desk_still_takes_the_supervisor_pin_on_its_own_counter(tmp_path):
    clock = Clock()
    a = auth(tmp_path, clock)
    for _ in range(5):
        a.attempt("0000")
    assert a.locked_for() == 30
    refused = a.attempt(STEWARD_PIN)  # during the lock a steward PIN does not sign in…
    assert not refused.ok and refused.supervisor_only and refused.attempts_left == 4
    signed = a.attempt(SUPERVISOR_PIN)  # …the supervisor PIN does, and lifts the lock
    assert signed.role is StaffRole.SUPERVISOR and signed.recovered
    assert a.locked_for() == 0 and a.attempt(STEWARD_PIN).ok


def test_the_recovery_code_lifts_every_lock_even_when_the_supervisor_counter_is_locked(tmp_path):
    clock = Clock()
    a = auth(tmp_path, clock)
    for _ in range(10):  # desk locked, then the supervisor counter too
        a.attempt("0000")
    for _ in range(5):
        a.attempt("000000", Source.CARD)
        clock.t += CARD_PAUSE_SECONDS
    assert not a.attempt(SUPERVISOR_PIN).ok  # the supervisor counter is locked as well
    result = a.attempt(RECOVERY)
    assert result.role is StaffRole.SUPERVISOR and result.recovered
    assert a.locked_for(Source.DESK) == a.locked_for(Source.CARD) == 0
    assert a.attempt(STEWARD_PIN).ok


@settings(max_examples=20, deadline=None)
@given(
    failures=st.integers(min_value=1, max_value=60),
    lockout=st.floats(min_value=1, max_value=86400),
    cap=st.floats(min_value=1, max_value=86400),
)
def test_no_number_of_failures_locks_longer_than_the_cap(tmp_path_factory, failures, lockout, cap):
    clock = Clock()
    folder = tmp_path_factory.mktemp("cap")
    a = StaffAuth("", _HASHES[SUPERVISOR_PIN], folder / "l.json", max_attempts=1,
                  lockout_seconds=lockout, lockout_max_seconds=cap, now=clock)  # fmt: skip
    a.hashes.clear()  # no scrypt per try: the counters are what is tested here
    bound = max(lockout, cap)
    for _ in range(failures):
        clock.t += a.locked_for() + 0.001
        assert a.attempt("1").locked_seconds <= bound
    assert a.locked_for() <= bound + 1e-6  # the clock's float rounding


@pytest.mark.parametrize(
    "content",
    [
        '{"failures": 7, "locked_until": 1e300}',  # an earlier version's file, tampered
        '{"desk": {"failures": "x", "locked_until": NaN}, "card": 3}',
        "[1, 2]",
        "not json",
    ],
)
def test_a_damaged_or_old_lockout_file_never_locks_beyond_the_bound(tmp_path, content):
    clock = Clock()
    (tmp_path / "staff-lockout.json").write_text(content)
    a = auth(tmp_path, clock)
    assert a.locked_for() <= 900  # read, clamped to lockout_max_seconds, never an exception
    assert a.attempt(RECOVERY).ok  # and the recovery code gets through whatever it says
    state = json.loads((tmp_path / "staff-lockout.json").read_text())
    assert set(state) == {"desk", "supervisor", "card"}
