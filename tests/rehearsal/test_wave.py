"""The arrival wave and the queue model behind `accueil rehearse`."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.rehearsal.wave import (
    Action,
    WaveShape,
    build_wave,
    forge,
    kiosks_needed,
    model_wait,
)
from sync.importers import load_registrations
from tests.conftest import ROOT

REGS = load_registrations(ROOT / "demo" / "registrations.csv")


def test_wave_is_deterministic_and_has_every_kind_of_arrival():
    shape = WaveShape()
    wave = build_wave(REGS, 1, shape, seed=3)
    assert wave == build_wave(REGS, 1, shape, seed=3)
    kinds = {a.action for a in wave}
    assert kinds == set(Action)
    expects = {a.expect for a in wave}
    assert {"ok", "cancelled", "unpaid", "not_valid_today", "invalid_signature"} <= expects
    scans = [a.at for a in wave if a.action is Action.SCAN]
    rush = [t for t in scans if shape.peak_start <= t <= shape.peak_start + 1800]
    assert len(rush) >= 0.45 * len(scans), "half of the attendees come within 30 minutes"
    assert [a.at for a in wave] == sorted(a.at for a in wave)


def test_forged_codes_differ_in_one_character():
    code = REGS[0].codes[0]
    import random

    forged = forge(code, random.Random(1))
    assert len(forged) == len(code) and sum(a != b for a, b in zip(forged, code, strict=True)) == 1


def test_queue_model_finds_the_fewest_kiosks():
    arrivals = [i * 2.0 for i in range(600)]  # one attendee every 2 s for 20 minutes
    needed, worst = kiosks_needed(arrivals, [15.0], max_wait=300)
    # 15 s per attendee, one every 2 s for 20 minutes: 6 kiosks fall behind by 0.1 person/s,
    # which after 20 minutes is a 297 s wait; 5 kiosks reach ten minutes
    assert needed == 6
    assert worst[5] > 300 >= worst[6] > 290
    assert kiosks_needed([], [10.0], 300) == (None, {})


@settings(max_examples=40, deadline=None)
@given(
    arrivals=st.lists(st.floats(0, 3600), min_size=1, max_size=80),
    service=st.lists(st.floats(1, 120), min_size=1, max_size=10),
)
def test_the_model_and_the_kiosk_count_agree(arrivals, service):
    """The count kiosks_needed gives is the first whose modelled max wait is under 5 minutes,
    and more kiosks never make the modelled wait longer."""
    needed, worst = kiosks_needed(arrivals, service, 300)
    waits = [model_wait(arrivals, service, n) for n in range(1, 21)]
    assert all(a >= b for a, b in pairwise(waits))
    for n, w in worst.items():
        assert w == waits[n - 1]
    if needed is not None:
        assert waits[needed - 1] <= 300 and all(w > 300 for w in waits[: needed - 1])
