"""The hostile upload: one kiosk token sends values no kiosk writes (issue 14, items 1 and 8).

The reported case: scan times of year 9999 and year 1 for every registration made every
decision for them raise OverflowError at every other kiosk, and the hub's CSV answer 500.
The hub now refuses each bad item with its reason (and stores the rest of the batch); and
whatever is already stored (written by an older hub) is left out by every reader instead
of stopping it. Every hub test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import main
from kiosk.core.model import Direction, Registration, Scan, ScanHistory, ScanKind
from kiosk.core.rules import Context, decide
from kiosk.core.verdict import Reason
from sync.hub.db import HubDB, scans
from sync.hub.models import EventWindow
from sync.reports import event_to_dict
from sync.store import (
    LocalStore,
    registration_from_dict,
    registration_to_dict,
    scan_from_dict,
    scan_to_dict,
)
from tests.conftest import EVENT, SESSIONS, TZ, demo_config, people
from tests.sync.conftest import hub, hub_db_url, make_kiosk, postgres  # noqa: F401
from tests.sync.servers import ORGANISER

FAR_FUTURE = "9999-12-31T23:59:59+00:00"
FAR_PAST = "0001-01-01T00:00:00+00:00"


def scan_item(nonce: str, kiosk: str, reg: str = "R1", /, **data: Any) -> dict[str, Any]:
    """A valid accepted day-1 entry of ``reg`` at ``kiosk``, with ``data`` overriding fields."""
    scan = Scan(nonce, kiosk, datetime(2026, 12, 8, 9, 0, tzinfo=TZ), f"CODE-{reg[1:]}", reg,
                ScanKind.ENTRY, True, "ok", day=1)  # fmt: skip
    return {"kind": "scan", "key": nonce, "data": {**scan_to_dict(scan), **data}}


def upload(hub, token: str, items: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: F811
    answer = httpx.post(
        f"{hub.url}/v1/upload",
        json={"items": items},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
def event_hub(hub):  # noqa: F811
    hub.db.set_event_definition(event_to_dict(EVENT, SESSIONS))
    return hub


def every_decision_works(kiosk, reg_id: str = "R1") -> None:
    """Scan, check-in by hand, override and undo all decide without raising."""
    assert kiosk.service.check(f"CODE-{reg_id[1:]}").verdict.ok
    assert (
        kiosk.service.check_in_by_hand(reg_id, "staff").verdict.reason is Reason.ALREADY_CHECKED_IN
    )
    assert kiosk.service.override(reg_id, "staff", "lost badge").verdict.ok
    assert kiosk.service.undo_last(reg_id, "staff").kind is ScanKind.UNDO


def csv_answers(hub) -> list[int]:  # noqa: F811
    auth = {"Authorization": f"Bearer {ORGANISER}"}
    return [
        httpx.get(f"{hub.url}/dashboard/csv/{name}.csv?day=1", headers=auth, timeout=30).status_code
        for name in ("checkins", "refused_scans", "checkins_export", "pretix_checkins")
    ]


# -- the reported case ---------------------------------------------------------------------


def test_scan_times_of_year_9999_and_1_are_refused_and_block_nobody(event_hub, make_kiosk):  # noqa: F811
    evil = event_hub.db.create_token("evil")
    items = [
        scan_item(f"evil{i}{j}", "evil", reg.id, at=when)
        for i, reg in enumerate(people())
        for j, when in enumerate((FAR_FUTURE, FAR_PAST))
    ]
    answer = upload(event_hub, evil, items)
    assert answer["acknowledged"] == []
    assert len(answer["rejected"]) == len(items)
    assert all("at" in r["error"] for r in answer["rejected"]), answer["rejected"][:2]
    assert event_hub.db.stats()["scans"] == 0

    door = make_kiosk("door-b")
    door.engine.sync_once()
    every_decision_works(door)
    assert csv_answers(event_hub) == [200, 200, 200, 200]


def test_one_bad_item_is_refused_and_the_rest_of_the_batch_is_stored(event_hub):
    token = event_hub.db.create_token("door-a")
    good = [scan_item(f"good{i}", "door-a", f"R{i}") for i in (1, 2, 12)]
    bad = scan_item("bad1", "door-a", at=FAR_FUTURE)
    answer = upload(event_hub, token, [good[0], bad, good[1], good[2]])
    assert answer["acknowledged"] == ["good1", "good2", "good12"]
    assert [r["key"] for r in answer["rejected"]] == ["bad1"]
    assert event_hub.db.stats()["scans"] == 3


def test_an_item_key_that_is_not_its_scans_nonce_is_refused(event_hub):
    """The hub acknowledges keys: a key naming another scan than the one stored would tell
    the kiosk that scan is held when it is not (found by this round's attacker)."""
    token = event_hub.db.create_token("door-a")
    lying = {**scan_item("real1", "door-a"), "key": "other1"}
    answer = upload(event_hub, token, [lying, scan_item("good", "door-a", "R2")])
    assert answer["acknowledged"] == ["good"]
    assert [r["key"] for r in answer["rejected"]] == ["other1"]
    assert "nonce" in answer["rejected"][0]["error"]
    assert [s["nonce"] for s in event_hub.db.scans()] == ["good"]


# -- every field, strictly (item 8) --------------------------------------------------------

EVENT_START = datetime(2026, 12, 8, tzinfo=TZ)
BAD_FIELDS = [
    ("day", 2**63), ("day", 2**64), ("day", 1.5), ("day", 1.0), ("day", "1"), ("day", True),
    ("day", 0), ("day", -3), ("day", 3),  # the event has days 1 and 2
    ("accepted", "false"), ("accepted", 0), ("accepted", None), ("forced", "true"),
    ("nonce", "n" * 5000), ("nonce", "a b"), ("nonce", ""), ("nonce", "é" * 10), ("nonce", 7),
    ("kiosk_id", "door-b"), ("kind", "teleport"), ("kind", "ENTRY"), ("reason", "because"),
    ("at", "2026-12-08T09:00:00"), ("at", FAR_FUTURE), ("at", FAR_PAST), ("at", "soon"),
    ("at", (EVENT_START - timedelta(days=367)).isoformat()),
    ("at", (EVENT_START + timedelta(days=369)).isoformat()), ("at", 1765184400),
    ("registration_id", "R" * 201), ("registration_id", "R1\x00"), ("registration_id", 1),
    ("session_id", "P1\n"), ("code", "C" * 5000), ("code", None), ("staff", "s" * 300),
    ("note", "n" * 3000), ("kiosk_name", ["Door"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"), BAD_FIELDS, ids=[f"{f}={str(v)[:12]}" for f, v in BAD_FIELDS]
)
def test_each_bad_field_refuses_its_item_with_the_field_named(event_hub, field, value):
    token = event_hub.db.create_token("door-a")
    answer = upload(event_hub, token, [scan_item("bad", "door-a", **{field: value}),
                                       scan_item("good", "door-a", "R2")])  # fmt: skip
    assert answer["acknowledged"] == ["good"]
    assert len(answer["rejected"]) == 1, answer
    error = answer["rejected"][0]["error"]
    named = field if field not in ("kiosk_id",) else "kiosk"
    assert named in error or (field == "at" and "scan time" in error), error
    assert [s["nonce"] for s in event_hub.db.scans()] == ["good"]


def test_items_that_are_not_objects_are_refused_alone(event_hub):
    token = event_hub.db.create_token("door-a")
    weird = [{"kind": "scan", "key": "a", "data": []}, {"kind": "scan", "key": "b", "data": "x"},
             {"kind": "teleport", "key": "c", "data": {}}, {"kind": "registration", "key": "d", "data": 5}]  # fmt: skip
    answer = upload(event_hub, token, [*weird, scan_item("good", "door-a")])
    assert answer["acknowledged"] == ["good"]
    assert sorted(r["key"] for r in answer["rejected"]) == ["a", "b", "c", "d"]


# -- what is already stored: every reader leaves a bad row out -----------------------------


def plant(db: HubDB, nonce: str, at: str, kiosk: str = "old-kiosk", reg: str = "R1") -> None:
    """A row as an older, unchecking hub stored it."""
    data = {**scan_item(nonce, kiosk, reg)["data"], "at": at}
    with db._writing() as conn:
        conn.execute(scans.insert(), {
            "nonce": nonce, "kiosk_id": kiosk, "uploaded_by": kiosk, "at": at, "day": 1,
            "registration_id": reg, "kind": "entry", "accepted": True, "forced": False,
            "code": data["code"], "data": json.dumps(data), "received_at": at,
        })  # fmt: skip


def test_stored_bad_rows_are_reported_and_pulls_decisions_reports_go_on(event_hub, make_kiosk):  # noqa: F811
    plant(event_hub.db, "old-future", FAR_FUTURE)
    plant(event_hub.db, "old-past", FAR_PAST, reg="R2")
    door_a = make_kiosk("door-a")
    door_a.engine.sync_once()
    assert door_a.source.unreadable == 2
    assert door_a.service.check("CODE-12").verdict.ok
    plant(event_hub.db, "old-late", "2026-12-08T10:00:00+00:00", reg="R13")  # a readable one
    door_a.engine.sync_once()

    door_b = make_kiosk("door-b")
    report = door_b.engine.sync_once()
    assert report.remote_scans == 2  # door-a's entry and the readable planted one
    assert door_b.source.unreadable == 2
    every_decision_works(door_b, "R1")
    every_decision_works(door_b, "R2")
    assert door_b.service.check("CODE-12").verdict.reason is Reason.ALREADY_CHECKED_IN

    auth = {"Authorization": f"Bearer {ORGANISER}"}
    unreadable = httpx.get(f"{event_hub.url}/v1/admin/unreadable", headers=auth).json()
    assert sorted(u["nonce"] for u in unreadable) == ["old-future", "old-past"]
    assert csv_answers(event_hub) == [200, 200, 200, 200]
    live = httpx.get(f"{event_hub.url}/dashboard/live.json?day=1", headers=auth)
    assert live.status_code == 200 and live.json()["checked_in"] >= 1
    nonces = {s["nonce"] for s in event_hub.db.scans()}
    assert "old-late" in nonces and not nonces & {"old-future", "old-past"}


def test_accueil_hub_status_names_the_unreadable_rows(tmp_path, capsys):
    config = tmp_path / "hub.toml"
    config.write_text('[hub]\ndatabase = "sqlite:///hub.db"\n', encoding="utf-8")
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    plant(db, "old-future", FAR_FUTURE)
    db.close()
    assert main.main(["--config", str(config), "hub", "status", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "unreadable scan old-future from old-kiosk" in out and "9999" in out


def test_a_bad_row_in_the_kiosk_store_stops_neither_decisions_nor_accueil_report(tmp_path, capsys):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup"]) == 0
    store_path = next((tmp_path / "data").glob("*.db"))
    with LocalStore(store_path) as store:
        reg = store.all_registrations()[0]
        code = reg.codes[0]
    with sqlite3.connect(store_path) as db:  # what an older kiosk stored from a hostile pull
        for nonce, at in (("far-future", "9999-12-31T23:59:59.000000+00:00"),
                          ("far-past", "0001-01-01T00:00:00.000000+00:00")):  # fmt: skip
            db.execute(
                "INSERT INTO scans(nonce, kiosk_id, kiosk_name, at, day, code, registration_id, "
                "kind, accepted, reason, session_id, staff, note, forced, origin) "
                "VALUES (?, 'evil', '', ?, 1, ?, ?, 'entry', 1, 'ok', NULL, '', '', 0, 'remote')",
                (nonce, at, code, reg.id),
            )
    assert main.main(["--config", str(config), "checkin", code]) == 0
    out = tmp_path / "report"
    assert main.main(["--config", str(config), "report", "--day", "1", "--out", str(out)]) == 0
    written = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.csv"))
    assert code in written and "far-future" not in written and "far-past" not in written


# -- the core: no stored time stops a decision ---------------------------------------------

ZONES = st.sampled_from([UTC, TZ, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    at=st.datetimes(timezones=ZONES).filter(lambda d: d.utcoffset() is not None),
    now_zone=ZONES,
    valid=st.none() | st.datetimes(timezones=ZONES),
    direction=st.sampled_from(Direction),
)
def test_no_scan_or_validity_time_makes_a_decision_raise(at, now_zone, valid, direction):
    """Any aware time datetime can hold, at the edges of its range too (the OverflowError)."""
    try:
        at.astimezone(UTC)
    except OverflowError:
        return  # not a time any store or codec can hold
    reg = Registration("R1", "A", "B", ("C1",), valid_from=None, valid_until=valid)
    earlier = Scan("n1", "k2", at, "C1", "R1", ScanKind.ENTRY, True, "ok", day=1)
    now = datetime(2026, 12, 8, 10, 0, tzinfo=TZ).astimezone(now_zone)
    ctx = Context(now, EVENT, direction, day=1, history=ScanHistory((earlier,)))
    verdict = decide("C1", [reg], ctx)
    assert verdict.reason in Reason


# -- the property: whatever a kiosk sends, the hub refuses it or stores a readable scan -----

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
FIELDS = st.sampled_from(sorted(scan_item("x", "k")["data"]))
TIMES = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES
).map(lambda d: d.isoformat())


@pytest.fixture(scope="module")
def plain_hub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = HubDB(f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.db'}")
    db.set_event_definition(event_to_dict(EVENT, SESSIONS))
    yield db
    db.close()


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(field=FIELDS, value=JSON | TIMES, nonce=st.uuids())
def test_any_value_in_any_field_is_refused_or_stored_readable(plain_hub, field, value, nonce):
    item = scan_item(nonce.hex, "fuzz", **{field: value})
    outcome = plain_hub.upload("fuzz", [item])
    assert len(outcome.acknowledged) + len(outcome.rejected) == 1
    if outcome.acknowledged:
        stored = [s for s in plain_hub.scans() if s["nonce"] == item["data"]["nonce"]]
        assert len(stored) == 1
        scan = scan_from_dict(stored[0])
        window = EventWindow.of(plain_hub.event_definition())
        assert window.start <= scan.at < window.end
        assert scan.day in (None, 1, 2)
        history = ScanHistory((scan,))
        decide("C1", [Registration("R1", "A", "B", ("C1",))],
               Context(datetime(2026, 12, 9, 10, tzinfo=TZ), EVENT, history=history))  # fmt: skip


def test_the_window_follows_the_events_days_in_its_time_zone():
    window = EventWindow.of(event_to_dict(EVENT, SESSIONS))
    # Casablanca is UTC+1 in December: day 1 starts 2026-12-07T23:00Z; 366 days before it,
    # 366 days after day 2 ends (2026-12-09T23:00Z)
    assert window.start == datetime(2025, 12, 6, 23, 0, tzinfo=UTC)
    assert window.end == datetime(2027, 12, 10, 23, 0, tzinfo=UTC)
    assert window.days == {1, 2}
    assert EventWindow.of(None).days == frozenset(range(1, 367))


def test_a_pulled_page_with_an_unreadable_row_is_stored_without_it(tmp_path):
    """The codec itself refuses what the hub no longer sends, so an older hub cannot harm."""
    good = scan_item("good", "k2")["data"]
    for bad in ({**good, "at": FAR_FUTURE}, {**good, "accepted": "false"}, {**good, "day": 2**63}):
        with pytest.raises((ValueError, TypeError)):
            scan_from_dict(bad)
    assert scan_from_dict(good).at == datetime(2026, 12, 8, 9, 0, tzinfo=TZ)


WALKIN_FIELDS = st.sampled_from(
    ["id", "first_name", "codes", "role", "days", "sessions", "status", "lang", "valid_from",
     "valid_until", "print_count", "email"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(field=WALKIN_FIELDS, value=JSON | TIMES, suffix=st.uuids())
def test_any_value_in_any_walkin_field_is_refused_or_stored_readable(
    plain_hub, field, value, suffix
):
    reg_id = f"W-fuzz-{suffix.hex[:12]}"
    data = {**registration_to_dict(Registration(reg_id, "Walk", "In", (f"WALKIN-{suffix.hex}",))),
            field: value}  # fmt: skip
    outcome = plain_hub.upload("fuzz", [{"kind": "registration", "key": reg_id, "data": data}])
    assert len(outcome.acknowledged) + len(outcome.rejected) == 1
    if outcome.acknowledged:
        stored = plain_hub.registration(reg_id)
        reg = registration_from_dict(stored)
        assert reg.days <= {1, 2} and reg.id == reg_id
        decide(reg.codes[0], [reg], Context(datetime(2026, 12, 8, 10, tzinfo=TZ), EVENT))


def test_accueil_sync_says_what_it_left_out(event_hub, tmp_path, capsys):
    from tests.sync.test_sync_cli import kiosk_config

    plant(event_hub.db, "old-future", FAR_FUTURE)
    config = kiosk_config(tmp_path, event_hub.url, event_hub.db.create_token("door-1"))
    assert main.main(["--config", str(config), "sync", "--once", "--lang", "en"]) == 0
    assert "left out 1 pulled row holding" in capsys.readouterr().err  # one row, singular
