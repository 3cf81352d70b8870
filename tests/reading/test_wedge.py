"""USB keyboard-wedge scanners versus people typing (every suffix), and the debounce rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.reading.debounce import Debouncer, Sighting
from kiosk.reading.wedge import SCANNER, TYPED, WedgeDetector


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


def test_short_fast_bursts_are_not_scans_and_a_silence_ends_a_burst() -> None:
    w = WedgeDetector(max_gap=0.035, min_length=4, quiet_gap=0.15)
    end = type_text(w, "ok", 10.0, 0.003)
    assert w.enter(end) is None
    end = type_text(w, "A1:LONGCODE", 20.0, 0.003)
    # A scanner with no suffix: the silence ended the burst; the later Enter finds nothing.
    entry = w.idle(end + 0.5)
    assert entry is not None and (entry.code, entry.terminator) == ("A1:LONGCODE", "none")
    assert w.enter(end + 0.5) is None and w.line == ""


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


# -- every suffix a scanner can send, and what people do ------------------------------------

SUFFIXES = {"CR": "\r", "LF": "\n", "CR LF": "\r\n", "Tab": "\t", "none": ""}


def feed(w: WedgeDetector, text: str, start: float, gap: float) -> tuple[list, float]:
    """Keys and terminators ``gap`` apart; the entries they gave, and the time after."""
    out, t = [], start
    for ch in text:
        entry = w.end(ch, t) if ch in "\r\n\t" else w.key(ch, t)
        if entry is not None:
            out.append(entry)
        t += gap
    return out, t


@settings(max_examples=200, deadline=None)
@given(
    codes=st.lists(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-$%*+./ ", min_size=4, max_size=60)
        .map(str.strip)
        .filter(lambda c: len(c) >= 4),
        min_size=1,
        max_size=4,
    ),
    suffix=st.sampled_from(sorted(SUFFIXES)),
)
def test_back_to_back_scans_with_any_suffix_give_each_code_once(codes, suffix):
    w = WedgeDetector(max_gap=0.035, min_length=4, quiet_gap=0.15)
    got, t = [], 10.0
    for code in codes:
        entries, t = feed(w, code + SUFFIXES[suffix], t, 0.004)
        got += entries
        t += 0.2 if suffix == "none" else 0.01  # the next code comes later, or right away
    last = w.idle(t + 1.0)
    got += [last] if last is not None else []
    assert [(e.code, e.source) for e in got] == [(c, SCANNER) for c in codes]
    assert {e.terminator for e in got} == {suffix.split()[0]}
    assert w.line == ""


def test_a_person_typing_then_enter_is_typed_and_tab_is_not_an_end():
    w = WedgeDetector(max_gap=0.035, min_length=4)
    entries, t = feed(w, "CODE-1\t", 10.0, 0.12)
    assert entries == [] and w.line == "CODE-1"
    entries, t = feed(w, "\r", t, 0.12)
    assert [(e.code, e.source, e.terminator) for e in entries] == [("CODE-1", TYPED, "CR")]


def test_a_scan_takes_what_a_person_left_on_the_line_with_it():
    w = WedgeDetector(max_gap=0.035, min_length=4)
    _, t = feed(w, "xy", 10.0, 0.12)
    entries, t = feed(w, "CODE-9\r", t + 0.5, 0.004)
    assert [(e.code, e.source) for e in entries] == [("CODE-9", SCANNER)]
    assert w.line == "" and w.end("\r", t) is None  # nothing left for the next Enter
