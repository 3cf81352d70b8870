"""The scanner half of `accueil scan-test`: what a USB scanner sends and what the kiosk makes of it.

For each code a scanner (or a person) types into the terminal it prints the keys with the
milliseconds between them, the suffix that ended it (CR, LF, CR LF, Tab or none), the
keyboard layout the scanner seems to be set to, and the verdict the kiosk would give,
without recording anything. Staff set a scanner up with it in a minute before doors open.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Callable
from typing import Any

from kiosk.core.intake import LAYOUT_NAMES, guess_layout
from kiosk.reading.wedge import TERMINATORS, Entry, WedgeDetector

Say = Callable[[str], None]


class ScannerProbe:
    """Feed it the terminal's characters with their arrival times; it says what each code was.

    ``checkin`` is the kiosk's CheckinService (``interpret`` and ``evaluate``: nothing is
    recorded), or None when there is no registration list to check against. Call ``idle(now)`` when no character came for a while, so a scanner with no
    suffix is heard too.
    """

    def __init__(self, keys: WedgeDetector, checkin: Any, say: Say) -> None:
        self.keys = keys
        self.checkin = checkin
        self.say = say
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._last_end: tuple[str, float] | None = None  # terminator of the last entry, when
        self.entries: list[Entry] = []

    def feed(self, data: bytes, now: float) -> None:
        """Bytes read from the terminal at ``now`` (seconds, monotonic)."""
        for char in self._decoder.decode(data):
            self.char(char, now)

    def char(self, char: str, now: float) -> None:
        if char in TERMINATORS:
            entry = self.keys.end(char, now)
            if entry is None:
                self._lone_terminator(char, now)
            else:
                self._report(entry, now)
        elif char in ("\x7f", "\b"):
            self.keys.backspace()
        elif char.isprintable():
            entry = self.keys.key(char, now)
            if entry is not None:
                self._report(entry, now)
        else:
            self.say(f"  key {char!r} ignored (a control character; the kiosk drops it too)")

    def idle(self, now: float) -> None:
        entry = self.keys.idle(now)
        if entry is not None:
            self._report(entry, now)

    def _lone_terminator(self, char: str, now: float) -> None:
        name = TERMINATORS[char]
        last = self._last_end
        if last is not None and now - last[1] <= max(self.keys.max_gap, 0.05):
            self.say(
                f"  + {name} right after the {last[0]}: this scanner ends codes with "
                f"{last[0]} {name} (fine: the second one is ignored)"
            )
            self._last_end = None

    def _report(self, entry: Entry, now: float) -> None:
        self.entries.append(entry)
        self._last_end = (entry.terminator, now)
        keys = entry.keys
        span = (keys[-1].at - keys[0].at) * 1000 if keys else 0.0
        gaps = [(b.at - a.at) * 1000 for a, b in itertools.pairwise(keys)]
        who = (
            "scanner"
            if entry.source == "scanner"
            else "typed by a person (keys too slow for a scanner)"
        )
        ending = {
            "none": f"no suffix: ended by {self.keys.quiet_gap * 1000:.0f} ms of silence",
        }.get(entry.terminator, entry.terminator)
        self.say(
            f"{who}: {len(keys)} keys in {span:.0f} ms"
            + (f" (largest gap {max(gaps):.1f} ms)" if gaps else "")
            + f", ends with {ending}"
        )
        self.say(
            "  keys: "
            + " ".join(
                f"{k.char!r}" + (f"+{g:.0f}" if g is not None else "")
                for k, g in zip(keys, [None, *gaps], strict=True)
            )
        )
        self.say(f"  raw:  {entry.code!r}")
        if self.checkin is None:
            self._layout(entry.code, None)
            return
        read = self.checkin.interpret(entry.code)
        self._layout(entry.code, read)
        self.verdict(entry.code, read)

    def verdict(self, code: str, read: Any = None) -> None:
        """Say what the kiosk would do with ``code`` (from a scanner or the camera)."""
        if self.checkin is None:
            return
        read = read if read is not None else self.checkin.interpret(code)
        if read.ambiguous:
            self.say(
                "  kiosk: would refuse it as ambiguous: the repaired code could be "
                + " or ".join(repr(c) for c in read.ambiguous)
            )
            return
        verdict = self.checkin.evaluate(code)
        reg = verdict.registration
        who_is = f"{reg.id} {reg.full_name}".strip() if reg is not None else "nobody"
        used = f" as {read.code!r} ({read.repair})" if read.repaired else ""
        self.say(f"  kiosk: would check{used}: {verdict.reason.value}, {who_is}")

    def _layout(self, code: str, read: Any) -> None:
        mixup = re.search(r"layout:(\w+)-on-(\w+)", read.repair) if read is not None else None
        if read is not None and read.layout and mixup is not None:
            self._say_layout(mixup.group(1), mixup.group(2))
        elif (guess := guess_layout(code)) is not None:
            self._say_layout(*guess)
        elif read is not None and read.matched:
            self.say("  layout: the scanner and this computer agree")
        else:
            self.say("  layout: cannot tell from this code (scan one of our tickets: A1:…)")

    def _say_layout(self, scanner: str, host: str) -> None:
        self.say(
            f"  layout: the scanner types as {LAYOUT_NAMES[scanner]} on a {LAYOUT_NAMES[host]} "
            f"keyboard: scanner keyboard layout: set it to {LAYOUT_NAMES[host]} "
            "(the kiosk repairs it meanwhile, when that finds exactly one registration)"
        )
