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

from kiosk.core.i18n import Translator
from kiosk.core.intake import LAYOUT_NAMES, guess_layout
from kiosk.reading.wedge import TERMINATORS, Entry, WedgeDetector

Say = Callable[[str], None]


class ScannerProbe:
    """Feed it the terminal's characters with their arrival times; it says what each code was.

    ``checkin`` is the kiosk's CheckinService (``interpret`` and ``evaluate``: nothing is
    recorded), or None when there is no registration list to check against. Call
    ``idle(now)`` when no character came for a while, so a scanner with no suffix is heard
    too. ``tr`` is the language of what it says (default English); keys, suffix names (CR,
    LF, Tab), verdict codes and layout names stay as written.
    """

    def __init__(
        self, keys: WedgeDetector, checkin: Any, say: Say, tr: Translator | None = None
    ) -> None:
        from kiosk.locale import translator

        self.keys = keys
        self.checkin = checkin
        self.say = say
        self.tr = tr or translator("en")
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
            said = self.tr.gettext(
                "key {key} ignored (a control character; the kiosk drops it too)"
            )
            self.say("  " + said.format(key=repr(char)))

    def idle(self, now: float) -> None:
        entry = self.keys.idle(now)
        if entry is not None:
            self._report(entry, now)

    def _lone_terminator(self, char: str, now: float) -> None:
        name = TERMINATORS[char]
        last = self._last_end
        if last is not None and now - last[1] <= max(self.keys.max_gap, 0.05):
            said = self.tr.gettext(
                "{second} right after the {first}: this scanner ends codes with {first} {second} "
                "(fine: the second one is ignored)"
            )
            self.say("  + " + said.format(first=last[0], second=name))
            self._last_end = None

    def _report(self, entry: Entry, now: float) -> None:
        self.entries.append(entry)
        self._last_end = (entry.terminator, now)
        keys = entry.keys
        span = (keys[-1].at - keys[0].at) * 1000 if keys else 0.0
        gaps = [(b.at - a.at) * 1000 for a, b in itertools.pairwise(keys)]
        _ = self.tr.gettext
        who = (
            _("scanner")
            if entry.source == "scanner"
            else _("typed by a person (keys too slow for a scanner)")
        )
        if entry.terminator == "none":
            silence = f"{self.keys.quiet_gap * 1000:.0f}"
            ending = _("no suffix: ended by {ms} ms of silence").format(ms=silence)
        else:
            ending = entry.terminator
        typed = self.tr.ngettext("{count} key in {ms} ms", "{count} keys in {ms} ms", len(keys))
        typed = typed.format(count=len(keys), ms=f"{span:.0f}")
        if gaps:
            typed += _(" (largest gap {ms} ms)").format(ms=f"{max(gaps):.1f}")
        self.say(
            _("{who}: {typed}, ends with {ending}").format(who=who, typed=typed, ending=ending)
        )
        self.say(
            "  "
            + _("keys:")
            + " "
            + " ".join(
                f"{k.char!r}" + (f"+{g:.0f}" if g is not None else "")
                for k, g in zip(keys, [None, *gaps], strict=True)
            )
        )
        self.say("  " + _("raw:  {code}").format(code=repr(entry.code)))
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
            said = self.tr.gettext(
                "kiosk: would refuse it as ambiguous: the repaired code could be {codes}"
            )
            word = self.tr.gettext("or")
            joined = f" {word} ".join(repr(c) for c in read.ambiguous)
            self.say("  " + said.format(codes=joined))
            return
        verdict = self.checkin.evaluate(code)
        reg = verdict.registration
        _ = self.tr.gettext
        who_is = f"{reg.id} {reg.full_name}".strip() if reg is not None else _("nobody")
        if read.repaired:
            said = _("kiosk: would check as {code} ({repair}): {verdict}, {who}").format(
                code=repr(read.code), repair=read.repair, verdict=verdict.reason.value, who=who_is
            )
        else:
            said = _("kiosk: would check: {verdict}, {who}").format(
                verdict=verdict.reason.value, who=who_is
            )
        self.say("  " + said)

    def _layout(self, code: str, read: Any) -> None:
        mixup = re.search(r"layout:(\w+)-on-(\w+)", read.repair) if read is not None else None
        if read is not None and read.layout and mixup is not None:
            self._say_layout(mixup.group(1), mixup.group(2))
        elif (guess := guess_layout(code)) is not None:
            self._say_layout(*guess)
        elif read is not None and read.matched:
            self.say("  " + self.tr.gettext("layout: the scanner and this computer agree"))
        else:
            said = self.tr.gettext(
                "layout: cannot tell from this code (scan one of our tickets: A1:…)"
            )
            self.say("  " + said)

    def _say_layout(self, scanner: str, host: str) -> None:
        said = self.tr.gettext(
            "layout: the scanner types as {scanner} on a {host} keyboard: scanner keyboard "
            "layout: set it to {host} (the kiosk repairs it meanwhile, when that finds exactly "
            "one registration)"
        )
        self.say("  " + said.format(scanner=LAYOUT_NAMES[scanner], host=LAYOUT_NAMES[host]))
