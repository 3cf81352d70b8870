"""USB keyboard-wedge scanners and people typing: one line of keys, two kinds of entries.

A USB HID scanner types a whole code in a few milliseconds per key and ends it with its
configured suffix: CR (Enter), LF, CR LF, Tab, or nothing at all. A person types at 80 ms
or more between keys. ``WedgeDetector`` holds the keys typed since the last entry, with the
time each arrived, and decides what each terminator (or a silence) means.
"""

from __future__ import annotations

from dataclasses import dataclass

SCANNER = "scanner"
TYPED = "typed"

TERMINATORS = {"\r": "CR", "\n": "LF", "\t": "Tab"}
QUIET = "none"  # a burst that no terminator ended: the scanner has no suffix


@dataclass(frozen=True, slots=True)
class Keystroke:
    char: str
    at: float  # seconds, monotonic: when the key arrived (not when it was handled)


@dataclass(frozen=True, slots=True)
class Entry:
    """A code that came in by keys: ``source`` is "scanner" (a burst) or "typed"."""

    code: str
    source: str
    terminator: str  # "CR", "LF", "Tab" or "none" (ended by a quiet gap)
    keys: tuple[Keystroke, ...]


class WedgeDetector:
    """Tells a scanner's typing from a person's; the line is cleared with the entry it gives.

    Feed it every printable key (``key``), every terminator (``end`` with CR, LF or Tab),
    Backspace, and call ``idle`` some time after the last key. A *burst* is the run of keys
    at the end of the line, each at most ``max_gap`` seconds after the previous one, at
    least ``min_length`` long:

    * a terminator within ``max_gap`` of a burst gives a scanner entry;
    * a burst followed by ``quiet_gap`` seconds of silence gives a scanner entry ended by
      "none" (scanners with no suffix), at ``idle`` or at the next key, whichever comes first;
    * Enter or LF after slower keys gives a typed entry of the whole line; Tab after slower
      keys is left alone (it moves focus elsewhere, it does not end a person's code);
    * a terminator on an empty line gives nothing: the LF of CR LF, a Tab after Enter.

    An entry takes the whole line with it: characters typed before a scanner's burst are
    never glued in front of the next code.
    """

    def __init__(
        self,
        max_gap: float = 0.035,
        min_length: int = 4,
        max_length: int = 512,
        quiet_gap: float = 0.15,
    ) -> None:
        self.max_gap = max_gap
        self.min_length = min_length
        self.max_length = max_length
        self.quiet_gap = max(quiet_gap, max_gap)
        self._keys: list[Keystroke] = []

    @property
    def line(self) -> str:
        """What has been typed since the last entry (for the screen's code line)."""
        return "".join(k.char for k in self._keys)

    @property
    def pending(self) -> bool:
        """True while keys are waiting for their terminator."""
        return bool(self._keys)

    def clear(self) -> None:
        self._keys.clear()

    def key(self, char: str, now: float, *, quiet: bool = True) -> Entry | None:
        """A printable character that arrived at ``now``; returns the scan a silence before
        it ended (a scanner without suffix), if any and ``quiet`` endings are wanted."""
        entry = self.idle(now) if quiet else None
        if len(self._keys) >= self.max_length:
            self._keys.clear()
        self._keys.append(Keystroke(char, now))
        return entry

    def backspace(self) -> None:
        if self._keys:
            self._keys.pop()

    def end(self, char: str, now: float, *, quiet: bool = True) -> Entry | None:
        """A terminator ("\\r", "\\n" or "\\t") arrived at ``now``: the entry it ends, if any.

        With ``quiet``, a burst a silence had already ended comes out first (the terminator
        then belongs to nothing)."""
        terminator = TERMINATORS[char]
        ended = self.idle(now) if quiet else None
        if ended is not None:
            return ended
        if not self._keys:
            return None
        burst = self._burst()
        if burst and now - burst[-1].at <= self.max_gap:
            return self._take(SCANNER, terminator, burst)
        if terminator == "Tab":
            return None
        return self._take(TYPED, terminator, tuple(self._keys))

    def idle(self, now: float) -> Entry | None:
        """Call after ``quiet_gap`` without keys: a burst that nothing ended is a scan."""
        if not self._keys or now - self._keys[-1].at <= self.quiet_gap:
            return None
        burst = self._burst()
        if not burst:
            return None
        return self._take(SCANNER, QUIET, burst)

    def enter(self, now: float) -> str | None:
        """Enter pressed at ``now``: the scanned code, or None when a person was typing."""
        entry = self.end("\r", now)
        return entry.code if entry is not None and entry.source == SCANNER else None

    def _burst(self) -> tuple[Keystroke, ...]:
        keys = self._keys
        start = len(keys) - 1
        while start > 0 and keys[start].at - keys[start - 1].at <= self.max_gap:
            start -= 1
        burst = tuple(keys[start:])
        return burst if len(burst) >= self.min_length else ()

    def _take(self, source: str, terminator: str, keys: tuple[Keystroke, ...]) -> Entry | None:
        self._keys.clear()
        code = "".join(k.char for k in keys).strip()
        return Entry(code, source, terminator, keys) if code else None
