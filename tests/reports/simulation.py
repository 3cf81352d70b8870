"""A simulated first day of the demo event, run through the real CheckinService.

Two kiosks at the entrance, one at session doors and a help desk: arrivals with a morning
peak, repeat scans, unknown and cancelled codes, day-2 tickets on day 1, session doors up to
and beyond capacity, walk-ins, check-ins by hand, reprints, an override and an undo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.core.model import Direction, Event, Mode, Registration, Session, Status
from kiosk.core.ports import PrintReason, PrintRequest
from kiosk.core.service import CheckinService, KioskIdentity
from kiosk.signing import load_signer, load_verifier
from sync.importers import load_event, load_registrations
from sync.store import LocalStore
from tests.conftest import FixedClock

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"


@dataclass
class Day:
    """What the simulation did, for the tests to compare against the report."""

    event: Event
    sessions: list[Session]
    registrations: list[Registration]
    walkins: list[str] = field(default_factory=list)
    reprints: list[str] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)


def load_demo() -> tuple[Event, list[Session], list[Registration]]:
    event, sessions = load_event(DEMO / "event.json")
    regs = load_registrations(DEMO / "registrations.csv", timezone=event.timezone)
    return event, sessions, regs


def prepare(store: LocalStore) -> tuple[Event, list[Session], list[Registration]]:
    event, sessions, regs = load_demo()
    store.save_event(event, sessions)
    store.upsert_registrations(regs)
    return event, sessions, regs


def services(
    stores: dict[str, LocalStore], event: Event, clock: FixedClock
) -> dict[str, CheckinService]:
    """One CheckinService per kiosk id; ``stores`` may map several kiosks to one store."""
    verify = load_verifier(DEMO / "organiser.pub")
    sign = load_signer(DEMO / "demo-organiser.key")
    modes = {"desk": Mode.STAFF, "door": Mode.DOOR}
    return {
        kiosk_id: CheckinService(
            store, store, clock, event,
            KioskIdentity(kiosk_id, f"Kiosk {kiosk_id}", modes.get(kiosk_id, Mode.KIOSK)),
            verify, day=1, sign=sign,
        )
        for kiosk_id, store in stores.items()
    }  # fmt: skip


def simulate_day_one(
    stores: dict[str, LocalStore], event: Event, sessions: list[Session],
    regs: list[Registration], *, arrivals: int = 320, seed: int = 7,
) -> Day:  # fmt: skip
    """Run day 1; ``stores`` maps the kiosk ids "k1", "k2", "door", "desk" to their stores."""
    rng = random.Random(seed)
    tz = ZoneInfo(event.timezone)
    clock = FixedClock(datetime(2026, 12, 8, 8, 0, tzinfo=tz))
    svc = services(stores, event, clock)
    day = Day(event, sessions, regs)
    confirmed = [r for r in regs if r.status is Status.CONFIRMED and r.valid_on(1) and r.codes]
    coming = rng.sample(confirmed, arrivals)
    # Arrival times: a peak around 09:00, spread from 08:00 to about 11:00.
    times = sorted(max(0.0, min(180.0, rng.gauss(60, 30))) for _ in range(len(coming)))
    start = clock.at
    for i, (reg, minutes) in enumerate(zip(coming, times, strict=True)):
        clock.at = start + timedelta(minutes=minutes, seconds=i % 60)
        svc["k1" if i % 2 else "k2"].check(reg.codes[0])
        if i % 37 == 0:  # a repeat scan a little later: refused, already inside
            clock.advance(seconds=20)
            svc["k2"].check(reg.codes[0])
    clock.at = start + timedelta(minutes=45)
    for code in ("FAKE-0001", "HELLO", "A1:NOTAREALTICKET"):
        svc["k1"].check(code)
    for reg in [r for r in regs if r.status is not Status.CONFIRMED and r.codes][:6]:
        clock.advance(minutes=3)
        svc["k2"].check(reg.codes[0])
    for reg in [r for r in regs if r.days == frozenset({2}) and r.codes][:4]:
        clock.advance(minutes=2)
        svc["k1"].check(reg.codes[0])

    # The help desk: walk-ins, check-ins by hand, a reprint, an override, an undo.
    desk = svc["desk"]
    clock.at = start + timedelta(hours=1, minutes=10)
    for first, last in (("Yasmine", "Berrada"), ("Tom", "Walker"), ("سارة", "الإدريسي")):
        clock.advance(minutes=4)
        day.walkins.append(
            desk.register_walkin(first, last, staff="amina").scan.registration_id or ""
        )
    not_come = [r for r in confirmed if r not in coming]
    for reg in not_come[:2]:
        clock.advance(minutes=3)
        desk.check_in_by_hand(reg.id, staff="amina")
        day.by_hand.append(reg.id)
    for reg in coming[:2]:
        clock.advance(minutes=1)
        stores["desk"].queue_print(PrintRequest(reg.id, PrintReason.REPRINT, "amina"))
        day.reprints.append(reg.id)
    cancelled = next(r for r in regs if r.status is Status.CANCELLED and r.valid_on(1))
    clock.advance(minutes=2)
    desk.check(cancelled.codes[0])
    desk.override(cancelled.id, staff="karim", why="cancelled by mistake, confirmed by phone")
    day.overridden.append(cancelled.id)
    mistaken = not_come[2]
    clock.advance(minutes=2)
    desk.check_in_by_hand(mistaken.id, staff="amina")
    desk.undo_last(mistaken.id, staff="amina")
    day.undone.append(mistaken.id)

    # Session doors: the opening plenary, a workshop that fills up, people leaving.
    door = svc["door"]
    inside = [r for r in coming if r.may_attend("P1")]
    clock.at = start + timedelta(hours=1, minutes=25)
    for reg in inside[:180]:
        clock.advance(seconds=5)
        door.check(reg.codes[0], Direction.ENTRY, "P1")
    for reg in inside[:30]:
        clock.advance(seconds=5)
        door.check(reg.codes[0], Direction.EXIT, "P1")
    workshop = next(s for s in sessions if s.id == "W1")
    candidates = [r for r in coming if r.may_attend("W1")]
    clock.at = start + timedelta(hours=3, minutes=10)
    for reg in candidates[: workshop.capacity + 6]:
        clock.advance(seconds=7)
        door.check(reg.codes[0], Direction.ENTRY, "W1")
    return day
