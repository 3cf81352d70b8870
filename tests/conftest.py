"""Fixtures shared by every test folder: a small real event in a real SQLite store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.model import Event, EventDay, Registration, Role, Session, Status
from kiosk.core.service import CheckinService, KioskIdentity
from sync.store import LocalStore

ROOT = Path(__file__).resolve().parent.parent
# What every developer and CI have beside the repository (../shared); ACCUEIL_SHARED points
# elsewhere, e.g. from a git worktree that does not sit beside it.
SHARED = Path(os.environ.get("ACCUEIL_SHARED") or ROOT.parent / "shared")
TZ = ZoneInfo("Africa/Casablanca")
EVENT = Event(
    slug="test-event",
    name="Test Symposium",
    days=(EventDay(1, date(2026, 12, 8)), EventDay(2, date(2026, 12, 9))),
    timezone="Africa/Casablanca",
)
SESSIONS = [
    Session("P1", "Opening plenary", "Grand Hall", 1,
            datetime(2026, 12, 8, 9, 30, tzinfo=TZ), datetime(2026, 12, 8, 10, 45, tzinfo=TZ), 300),
    Session("W1", "Small workshop", "Salle Atlas", 1,
            datetime(2026, 12, 8, 11, 0, tzinfo=TZ), datetime(2026, 12, 8, 12, 0, tzinfo=TZ), 2),
]  # fmt: skip


def demo_config(
    folder: Path, kiosk_id: str = "desk-1", name: str = "Desk 1", extra: str = ""
) -> Path:
    """A kiosk config.toml in ``folder`` using the bundled demo event; ``extra`` adds tables."""
    config = folder / "config.toml"
    config.write_text(
        f"""
[kiosk]
id = "{kiosk_id}"
name = "{name}"
data_dir = "{folder / "data"}"
[event]
definition = "{ROOT / "demo/event.json"}"
registrations = ["{ROOT / "demo/registrations.csv"}"]
day = 1
public_key = "{ROOT / "demo/organiser.pub"}"
private_key = "{ROOT / "demo/demo-organiser.key"}"
{extra}""",
        encoding="utf-8",
    )
    return config


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def people() -> list[Registration]:
    return [
        Registration("R1", "Hélène", "Dupont", ("CODE-1",), "helene@example.org", "Ville de Casablanca"),
        Registration("R2", "محمد", "العلوي", ("CODE-2",), role=Role.SPEAKER),
        Registration("R3", "Jack", "Smith", ("CODE-3",), status=Status.CANCELLED),
        Registration("R4", "Omar", "Tazi", ("CODE-4",), status=Status.UNPAID),
        Registration("R5", "Léa", "Bonnet", ("CODE-5",), status=Status.BLOCKED),
        Registration("R6", "Day", "Two", ("CODE-6",), days=frozenset({2})),
        Registration("R7", "Work", "Shopper", ("CODE-7",), sessions=frozenset({"P1"})),
        Registration("R8", "Twin", "A", ("SHARED",)),
        Registration("R9", "Twin", "B", ("SHARED",)),
        Registration("R10", "Ann", "Early", ("CODE-10",), valid_from=datetime(2026, 12, 8, 12, 0, tzinfo=TZ)),
        Registration("R11", "Ben", "Late", ("CODE-11",), valid_until=datetime(2026, 12, 8, 8, 0, tzinfo=TZ)),
        Registration("R12", "Cara", "Guest", ("CODE-12",)),
        Registration("R13", "Dan", "Guest", ("CODE-13",)),
    ]  # fmt: skip


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 8, 9, 12, tzinfo=TZ))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore(tmp_path / "kiosk.db") as s:
        s.save_event(EVENT, SESSIONS)
        s.upsert_registrations(people())
        yield s


@pytest.fixture
def service(store: LocalStore, clock: FixedClock) -> CheckinService:
    return CheckinService(store, store, clock, EVENT, KioskIdentity("k1", "Kiosk 1"))
