"""USB keyboard-wedge scanners: a burst of fast keystrokes ended by Enter is one scan."""

from __future__ import annotations


class WedgeDetector:
    """Tells a scanner's typing from a person's.

    Feed it every printable key and every Enter with the time it arrived. A scanner types a
    whole code in a few milliseconds per key; a person types at 80 ms or more between keys.
    Enter after at least ``min_length`` characters, each at most ``max_gap`` seconds after the
    previous one, gives the code; anything slower is left to the focused widget.
    """

    def __init__(self, max_gap: float = 0.035, min_length: int = 4, max_length: int = 512) -> None:
        self.max_gap = max_gap
        self.min_length = min_length
        self.max_length = max_length
        self._chars: list[str] = []
        self._last: float | None = None

    def key(self, char: str, now: float) -> None:
        """A printable character typed at ``now`` (seconds, monotonic)."""
        if self._last is not None and now - self._last > self.max_gap:
            self._chars.clear()
        if len(self._chars) >= self.max_length:
            self._chars.clear()
        self._chars.append(char)
        self._last = now

    def enter(self, now: float) -> str | None:
        """Enter pressed at ``now``: the scanned code, or None when a person was typing."""
        chars, last = self._chars, self._last
        self._chars, self._last = [], None
        if last is None or now - last > self.max_gap or len(chars) < self.min_length:
            return None
        code = "".join(chars).strip()
        return code or None

    @property
    def pending(self) -> bool:
        """True while a fast burst is under way (the UI may hold those keys back)."""
        return bool(self._chars)
