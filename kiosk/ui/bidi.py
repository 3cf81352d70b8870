"""One line of mixed Arabic and Latin text as a left-to-right terminal must draw it.

Terminals put cells left to right and join no Arabic letters, so a line is shaped
(arabic_reshaper's presentation forms) and put in visual order here, by the Unicode
Bidirectional Algorithm (UAX #9) as python-bidi's pure-Python ``get_display`` implements it.
That implementation mirrors brackets but knows neither isolates (LRI, RLI, FSI … PDI, UAX #9
since Unicode 6.3) nor bracket pairs (rule N0), so a Latin stretch inside an Arabic sentence
lost its brackets' places: "متصل باسم AB (steward)" came out "(AB (steward …".

Isolates are done here, as UAX #9 defines them: each isolate is laid out on its own (its
direction from LRI/RLI, or its first strong letter for FSI) and counts as one neutral
character in the line around it. In a right-to-left line, every left-to-right stretch
(Latin words, with the spaces, digits, brackets and quotes between and around them that
pair up) is isolated the same way, so names, config keys ('[sync] source = "none"') and
key names ("(Ctrl+S)") keep their own order. The isolate controls themselves are never
drawn.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
ISOLATE_CONTROLS = LRI + RLI + FSI + PDI
_INITIATORS = LRI + RLI + FSI
_NO_ISOLATES = str.maketrans("", "", ISOLATE_CONTROLS)

_OPENERS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_QUOTES = '"'


def isolate(text: str) -> str:
    """``text`` as a first-strong isolate (FSI … PDI): laid out on its own in any line."""
    return FSI + text + PDI


def strip_isolates(text: str) -> str:
    """``text`` without isolate controls (for lines that need no reordering)."""
    return text.translate(_NO_ISOLATES)


def _strong(char: str) -> str:
    kind = unicodedata.bidirectional(char)
    return "R" if kind in ("R", "AL") else "L" if kind == "L" else ""


def first_strong(text: str) -> str:
    """P2 of UAX #9: the first strong letter outside isolates, 'L' when there is none."""
    depth = 0
    for char in text:
        if char in _INITIATORS:
            depth += 1
        elif char == PDI:
            depth = max(0, depth - 1)
        elif depth == 0 and (strong := _strong(char)):
            return strong
    return "L"


def _unpaired(text: str) -> tuple[list[str], list[str], bool]:
    """Closers without an opener, openers without a closer, and an odd count of quotes."""
    stack: list[str] = []
    lone_closers: list[str] = []
    for char in text:
        if char in _OPENERS:
            stack.append(char)
        elif char in _CLOSERS:
            if stack and stack[-1] == _CLOSERS[char]:
                stack.pop()
            else:
                lone_closers.append(char)
    return lone_closers, stack, text.count(_QUOTES) % 2 == 1


def _ltr_span(segment: str) -> tuple[int, int] | None:
    """Where the left-to-right stretch of a segment without right-to-left letters starts
    and ends: from its first to its last Latin letter, widened over the brackets and quotes
    that pair with the ones inside, and over pairs that enclose it."""
    letters = [i for i, char in enumerate(segment) if _strong(char) == "L"]
    if not letters:
        return None
    # European digits after a Latin letter are Latin too (UAX #9, W7): "ID 12", "A0".
    letters += [
        i
        for i, char in enumerate(segment)
        if i > letters[0] and unicodedata.bidirectional(char) == "EN"
    ]
    letters.sort()
    start, end = letters[0], letters[-1] + 1
    for _ in range(len(segment)):  # each pass widens or stops
        closers, openers, odd_quote = _unpaired(segment[start:end])
        was = (start, end)
        for closer in closers:
            found = segment.rfind(_CLOSERS[closer], 0, start)
            start = found if found >= 0 else start
        for opener in openers:
            found = segment.find(_OPENERS[opener], end)
            end = found + 1 if found >= 0 else end
        if odd_quote:
            before, after = segment.rfind(_QUOTES, 0, start), segment.find(_QUOTES, end)
            if before >= 0:
                start = before
            elif after >= 0:
                end = after + 1
        if start > 0 and end < len(segment) and _OPENERS.get(segment[start - 1]) == segment[end]:
            start, end = start - 1, end + 1
        if (start, end) == was:
            break
    return start, end


def _isolate_ltr(line: str) -> str:
    """A right-to-left line with each left-to-right stretch in LRI … PDI (not across
    isolates already there)."""
    out: list[str] = []
    segment: list[str] = []

    def flush() -> None:
        text = "".join(segment)
        span = _ltr_span(text)
        if span is None:
            out.append(text)
        else:
            start, end = span
            out.append(text[:start] + LRI + text[start:end] + PDI + text[end:])
        segment.clear()

    depth = 0
    for char in line:
        if depth:
            out.append(char)
            depth += 1 if char in _INITIATORS else -1 if char == PDI else 0
        elif char in _INITIATORS or char == PDI or _strong(char) == "R":
            flush()
            out.append(char)
            depth = 1 if char in _INITIATORS else 0
        else:
            segment.append(char)
    flush()
    return "".join(out)


def _markers(line: str, count: int) -> list[str]:
    """``count`` neutral, unmirrored characters absent from ``line``, one per isolate."""
    free = (
        chr(c)
        for c in range(0x2600, 0x2800)
        if unicodedata.bidirectional(chr(c)) == "ON"
        and not unicodedata.mirrored(chr(c))
        and chr(c) not in line
    )
    return [next(free) for _ in range(count)]


def _split(line: str) -> tuple[str, list[tuple[str, str]]]:
    """Top-level isolates out of a line: the line with a placeholder for each, and each
    isolate's (initiator, content). An isolate left open runs to the end of the line; a
    PDI without an initiator is dropped (UAX #9, BD9)."""
    spans: list[tuple[str, str]] = []
    outer: list[str] = []
    inner: list[str] = []
    initiator = ""
    depth = 0
    for char in line:
        if depth == 0:
            if char in _INITIATORS:
                initiator, depth = char, 1
            elif char != PDI:
                outer.append(char)
            continue
        if char in _INITIATORS:
            depth += 1
        elif char == PDI:
            depth -= 1
            if depth == 0:
                spans.append((initiator, "".join(inner)))
                outer.append("\0")
                inner.clear()
                continue
        inner.append(char)
    if depth:
        spans.append((initiator, "".join(inner)))
        outer.append("\0")
    return "".join(outer), spans


@lru_cache(maxsize=1024)
def display(line: str, base: str = "") -> str:
    """``line`` shaped and in visual order for a left-to-right terminal.

    ``base`` is the paragraph direction ('L' or 'R'); by default the first strong letter
    outside isolates decides (UAX #9 P2–P3). Isolate controls are honoured, then dropped.
    A code point this Python's Unicode tables do not know (no bidi type; python-bidi
    asserts on it) is drawn as U+FFFD.
    """
    import arabic_reshaper

    # The pure-Python algorithm: python-bidi's compiled get_display (0.6) does not mirror
    # brackets, so "(Ctrl+S)" in an Arabic line would be drawn ")Ctrl+S(".
    from bidi.algorithm import get_display

    line = "".join(c if unicodedata.bidirectional(c) else "\ufffd" for c in line)
    base = base or first_strong(line)
    if base == "R":
        line = _isolate_ltr(line)
    outer, spans = _split(line.replace("\0", "\ufffd"))
    if not spans:
        return str(get_display(arabic_reshaper.reshape(outer), base_dir=base))
    marks = _markers(outer, len(spans))
    it = iter(marks)
    outer = "".join(next(it) if c == "\0" else c for c in outer)
    drawn = str(get_display(arabic_reshaper.reshape(outer), base_dir=base))
    for mark, (initiator, content) in zip(marks, spans, strict=True):
        inner_base = {LRI: "L", RLI: "R"}.get(initiator, "")
        drawn = drawn.replace(mark, display(content, inner_base))
    return drawn
