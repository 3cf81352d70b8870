"""The arrival wave of an event morning, generated deterministically from the registrations.

Times are event seconds after doors open. Most attendees come in the half hour before the
first plenary; some scan twice, some come on the wrong day or with a cancelled ticket, a few
codes are forged, walk-ins go to the staff desk and, once the plenary starts, checked-in
attendees scan at its door.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from kiosk.core.model import Registration, Status


class Action(StrEnum):
    SCAN = "scan"  # at an entrance kiosk
    WALKIN = "walkin"  # at the staff desk
    REPRINT = "reprint"  # at the staff desk
    DOOR = "door"  # at the first plenary's door


@dataclass(frozen=True, slots=True)
class Arrival:
    at: float  # event seconds after doors open
    action: Action
    code: str = ""
    registration_id: str = ""
    expect: str = ""  # the reason we expect ("" when it depends on what happened before)
    name: str = ""  # walk-ins


@dataclass(frozen=True, slots=True)
class WaveShape:
    attendees: int = 760
    peak_start: float = 45 * 60  # the half-hour rush starts 45 min after doors open
    peak_share: float = 0.5
    span: float = 150 * 60  # everyone else arrives over the first two and a half hours
    rescans: float = 0.05
    forged: float = 0.01
    wrong_day_share: float = 0.3  # of day-2-only passes, how many come on day 1
    walkins: int = 15
    reprints: int = 5
    door_share: float = 0.6  # of those checked in before the plenary, how many scan at its door
    door_opens: float = 90 * 60


def forge(code: str, rng: random.Random) -> str:
    """A signed ticket with one character changed: what a doctored screenshot looks like."""
    i = rng.randrange(4, len(code) - 1)
    replacement = "A" if code[i] != "A" else "B"
    return code[:i] + replacement + code[i + 1 :]


def build_wave(
    registrations: list[Registration], day: int, shape: WaveShape, seed: int = 1
) -> list[Arrival]:
    """Every arrival of the morning, sorted by time."""
    rng = random.Random(seed)
    people = [r for r in registrations if r.codes]
    rng.shuffle(people)
    people = people[: shape.attendees]
    arrivals: list[Arrival] = []

    def when() -> float:
        if rng.random() < shape.peak_share:
            return shape.peak_start + rng.random() * 1800
        return rng.triangular(0, shape.span, shape.peak_start)

    for reg in people:
        if reg.status is Status.CONFIRMED and not reg.valid_on(day):
            if rng.random() > shape.wrong_day_share:
                continue  # they come on their own day
            expect = "not_valid_today"
        elif reg.status is not Status.CONFIRMED:
            expect = reg.status.value
        else:
            expect = "ok"
        t = when()
        code = reg.codes[0]
        if rng.random() < shape.forged and code.startswith("A1:"):
            arrivals.append(Arrival(t, Action.SCAN, forge(code, rng), reg.id, "invalid_signature"))
            continue
        arrivals.append(Arrival(t, Action.SCAN, code, reg.id, expect))
        if expect == "ok" and rng.random() < shape.rescans:
            arrivals.append(Arrival(t + rng.uniform(60, 900), Action.SCAN, code, reg.id, ""))
        if expect == "ok" and t < shape.door_opens and rng.random() < shape.door_share:
            door_t = shape.door_opens + rng.uniform(0, 900)
            arrivals.append(Arrival(door_t, Action.DOOR, code, reg.id, ""))
    for n in range(shape.walkins):
        arrivals.append(
            Arrival(rng.uniform(600, shape.span), Action.WALKIN, name=f"Walk-in {n + 1}")
        )
    checked = [a for a in arrivals if a.action is Action.SCAN and a.expect == "ok"]
    for a in rng.sample(checked, min(shape.reprints, len(checked))):
        arrivals.append(
            Arrival(a.at + rng.uniform(300, 1200), Action.REPRINT, a.code, a.registration_id)
        )
    return sorted(arrivals, key=lambda a: a.at)


def kiosks_needed(
    arrival_times: list[float], service_seconds: list[float], max_wait: float, upto: int = 20
) -> tuple[int | None, dict[int, float]]:
    """The fewest entrance kiosks that keep every wait under max_wait, and the worst wait per count.

    A first-come-first-served multi-lane queue: each attendee takes the lane free first;
    service times cycle through the measured ones.
    """
    worst: dict[int, float] = {}
    answer = None
    if not arrival_times or not service_seconds:
        return None, worst
    for lanes in range(1, upto + 1):
        worst[lanes] = longest = model_wait(arrival_times, service_seconds, lanes)
        if longest <= max_wait and answer is None:
            answer = lanes
            break
    return answer, worst


def model_wait(arrival_times: list[float], service_seconds: list[float], lanes: int) -> float:
    """The longest wait (seconds) in the queue model of :func:`kiosks_needed` with ``lanes``.

    No faults and the lane free first (not the shortest queue): what the kiosks alone give.
    """
    if not arrival_times or not service_seconds or lanes < 1:
        return 0.0
    free = [0.0] * lanes
    longest = 0.0
    for i, t in enumerate(sorted(arrival_times)):
        lane = min(range(lanes), key=free.__getitem__)
        start = max(t, free[lane])
        longest = max(longest, start - t)
        free[lane] = start + service_seconds[i % len(service_seconds)]
    return longest
