"""USB keyboard-wedge scanners versus people typing, and the debounce rules."""

from __future__ import annotations

from kiosk.reading.debounce import Debouncer, Sighting
from kiosk.reading.wedge import WedgeDetector


def type_text(w: WedgeDetector, text: str, start: float, gap: float) -> float:
    t = start
    for ch in text:
        w.key(ch, t)
        t += gap
    return t


def test_fast_keystrokes_then_enter_are_one_scan() -> None:
    w = WedgeDetector(max_gap=0.035, min_length=4)
    end = type_text(w, "A1:6BFOXN*CLZ0", 10.0, 0.004)
    assert w.enter(end) == "A1:6BFOXN*CLZ0"
    assert w.enter(end + 0.01) is None  # the Enter was consumed with the scan


def test_slow_human_typing_is_not_a_scan() -> None:
    w = WedgeDetector(max_gap=0.035, min_length=4)
    end = type_text(w, "benali", 10.0, 0.12)
    assert w.enter(end) is None


def test_a_fast_typist_with_one_quick_pair_is_not_a_scan() -> None:
    w = WedgeDetector(max_gap=0.035, min_length=4)
    t = type_text(w, "mo", 10.0, 0.09)
    t = type_text(w, "ha", t, 0.02)  # two keys rolled together
    t = type_text(w, "med", t, 0.08)
    assert w.enter(t) is None


def test_short_fast_bursts_and_late_enter_are_not_scans() -> None:
    w = WedgeDetector(max_gap=0.035, min_length=4)
    end = type_text(w, "ok", 10.0, 0.003)
    assert w.enter(end) is None
    end = type_text(w, "A1:LONGCODE", 20.0, 0.003)
    assert w.enter(end + 0.5) is None  # Enter pressed by a person later


def test_scan_right_after_slow_typing_still_counts() -> None:
    w = WedgeDetector(max_gap=0.035, min_length=4)
    t = type_text(w, "ahmed", 10.0, 0.15)
    t = type_text(w, "A1:XYZ123", t + 0.3, 0.005)
    assert w.enter(t) == "A1:XYZ123"


def test_debounce_consecutive_frames_are_one_scan() -> None:
    d = Debouncer(repeat_seconds=4.0, gap_seconds=0.6)
    seen = []
    for i in range(60):  # two seconds of frames, a few of them missed by the decoder
        if i % 7 != 3:
            seen += d.observe(["A1:CODE"], 100 + i / 30)
    assert seen == [Sighting("A1:CODE", False)]


def test_debounce_repeat_within_window_then_new_scan_after() -> None:
    d = Debouncer(repeat_seconds=4.0, gap_seconds=0.6)
    assert d.observe(["A"], 0.0) == [Sighting("A", False)]
    assert d.observe(["A"], 2.0) == [Sighting("A", True)]  # taken away and shown again
    assert d.observe(["A"], 7.0) == [Sighting("A", False)]  # long after: a real new scan
    assert d.observe(["B", "A"], 7.1) == [Sighting("B", False)]


def test_scanner_and_typed_codes_share_the_repeat_window() -> None:
    d = Debouncer(repeat_seconds=4.0)
    assert d.submit("A", 0.0) == Sighting("A", False)
    assert d.submit("A", 0.1) == Sighting("A", True)
    assert d.observe(["A"], 1.0) == [Sighting("A", True)]
    assert d.submit("A", 9.0) == Sighting("A", False)
