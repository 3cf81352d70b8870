"""Turn codes seen in a stream of frames into scans."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sighting:
    """A code that should reach the check-in: ``repeat`` asks to re-show the last verdict."""

    code: str
    repeat: bool


class Debouncer:
    """One scan per presentation of a code.

    A code counts as still presented while it keeps being seen with gaps no longer than
    ``gap_seconds`` (a decoder misses some frames of a code that is held still). Presented
    again within ``repeat_seconds`` of when it was last seen, it comes back with
    ``repeat=True`` so the screen re-shows its verdict instead of checking in again.
    """

    def __init__(self, repeat_seconds: float, gap_seconds: float = 0.6) -> None:
        self.repeat_seconds = repeat_seconds
        self.gap_seconds = gap_seconds
        self._last_seen: dict[str, float] = {}

    def observe(self, codes: list[str] | tuple[str, ...], now: float) -> list[Sighting]:
        """The scans to report for the codes read in one frame at time ``now``."""
        out = []
        for code in dict.fromkeys(codes):
            last = self._last_seen.get(code)
            if last is None or now - last > self.gap_seconds:
                repeat = last is not None and now - last <= self.repeat_seconds
                out.append(Sighting(code, repeat))
            self._last_seen[code] = now
        self._forget(now)
        return out

    def submit(self, code: str, now: float) -> Sighting:
        """A code from a scanner or a keyboard: one presentation by definition."""
        last = self._last_seen.get(code)
        self._last_seen[code] = now
        self._forget(now)
        return Sighting(code, last is not None and now - last <= self.repeat_seconds)

    def _forget(self, now: float) -> None:
        horizon = max(self.repeat_seconds, self.gap_seconds)
        if len(self._last_seen) > 64:
            self._last_seen = {c: t for c, t in self._last_seen.items() if now - t <= horizon}
