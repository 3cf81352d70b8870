"""What the hub must never let slip, on SQLite and PostgreSQL: a replacement kiosk forgetting
who came in, a second entry at one kiosk going unreported, a kiosk rewriting registrations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk.core.model import Registration, Scan, ScanKind, Status
from kiosk.core.service import CheckinService, KioskIdentity
from kiosk.core.verdict import Reason
from sync.engine import SyncEngine
from sync.hub.db import walkin_id_of
from sync.hub_client import HubSource
from sync.remote import SourceRejected, SourceUnavailable, response_detail, send
from sync.store import LocalStore, registration_to_dict, scan_to_dict
from tests.conftest import EVENT, SESSIONS
from tests.sync.faultproxy import FaultProxy
from tests.sync.servers import ORGANISER, free_port


def entry(nonce: str, kiosk: str, hour: int, reg: str, **extra: object) -> dict[str, object]:
    """An upload item: an accepted entry of ``reg`` at ``kiosk`` on day 1 at ``hour``."""
    kind = extra.pop("kind", ScanKind.ENTRY)
    code = str(extra.pop("code", f"CODE-{reg[1:]}"))
    scan = Scan(
        nonce, kiosk, datetime(2026, 5, 12, hour, 0, tzinfo=UTC), code, reg, kind, True, "ok",
        day=1, **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    return {"kind": "scan", "key": nonce, "data": scan_to_dict(scan)}


def walkin_item(reg: Registration) -> dict[str, object]:
    return {"kind": "registration", "key": reg.id, "data": registration_to_dict(reg)}


# -- a replacement kiosk with the same id ------------------------------------------------


def test_a_replacement_kiosk_gets_back_every_scan_its_predecessor_uploaded(
    hub, make_kiosk, tmp_path: Path, clock
):
    dead, other = make_kiosk("door-a"), make_kiosk("door-b")
    dead.engine.sync_once()
    other.engine.sync_once()
    for code in ("CODE-1", "CODE-2", "CODE-7", "CODE-12"):
        assert dead.service.check(code).verdict.ok
    assert other.service.check("CODE-13").verdict.ok
    dead.engine.sync_once()
    other.engine.sync_once()
    own = set(dead.store.own_scan_nonces())

    # door-a's mini-PC dies; a new one with an empty store takes its id and a new token
    store = LocalStore(tmp_path / "door-a-replacement.db")
    store.save_event(EVENT, SESSIONS)
    source = HubSource(hub.url, hub.db.create_token("door-a"), "door-a", page_size=2)
    try:
        SyncEngine(store, source).sync_once()  # pages of 2: own scans on later pages too
        pulled = {s.nonce for s in store.scans()}
        assert own <= pulled and len(pulled) == len(own) + 1
        new = CheckinService(store, store, clock, EVENT, KioskIdentity("door-a", "Door A bis"))
        verdict = new.check("CODE-1").verdict
        assert verdict.reason is Reason.ALREADY_CHECKED_IN
        assert verdict.previous_kiosk == "Door door-a"

        # afterwards the kiosk's own uploads are not sent back to it
        assert new.check("CODE-404").verdict.reason is Reason.UNKNOWN
        cursor = store.sync_cursor("hub")
        SyncEngine(store, source).sync_once()
        assert source.pull(cursor).scans == []
    finally:
        source.close()
        store.close()


# -- conflicts at one kiosk ----------------------------------------------------------------


def test_a_second_entry_at_the_same_kiosk_is_a_conflict_unless_forced_or_undone(hub):
    db = hub.db
    first = db.upload(
        "door-a",
        [
            entry("a1", "door-a", 8, "R1"),
            entry("b1", "door-a", 8, "R2"),
            entry("c1", "door-a", 8, "R5"),
            entry("d1", "door-a", 8, "R6"),
        ],
    )
    assert first.conflicts == []
    second = db.upload(
        "door-a",
        [
            entry("a2", "door-a", 9, "R1"),  # again while inside: a replacement kiosk
            entry("b-undo", "door-a", 9, "R2", kind=ScanKind.UNDO, code="b1"),
            entry("b2", "door-a", 10, "R2"),  # after an undo: the first never counted
            entry("c2", "door-a", 9, "R5", forced=True),  # a supervisor's override
            entry("d-out", "door-a", 9, "R6", kind=ScanKind.EXIT),
            entry("d2", "door-a", 10, "R6"),  # back in after an exit
        ],
    )
    [conflict] = second.conflicts
    assert conflict["registration_id"] == "R1"
    assert (conflict["first_nonce"], conflict["second_nonce"]) == ("a1", "a2")
    assert conflict["first_kiosk"] == conflict["second_kiosk"] == "door-a"
    assert [c["registration_id"] for c in db.conflicts()] == ["R1"]


# -- walk-ins: only a kiosk's own, and never over an organiser's edit ---------------------


def test_a_kiosk_cannot_overwrite_an_imported_registration(hub):
    db = hub.db
    db.import_registrations(
        [Registration("R90", "Karim", "X", ("SECRET-90",), status=Status.CANCELLED)]
    )
    forged = Registration("R90", "Karim", "X", ("SECRET-90", "MINE"), status=Status.CONFIRMED)
    out = db.upload("door-b", [walkin_item(forged)])
    assert out.acknowledged == []
    [refusal] = out.rejected
    assert refusal["key"] == "R90" and "W-door-b-" in refusal["error"]
    held = db.registration("R90")
    assert held is not None and held["status"] == "cancelled" and held["codes"] == ["SECRET-90"]


def test_a_kiosk_cannot_take_another_kiosks_walkin_id(hub):
    db = hub.db
    mine = Registration("W-door-a-1f2e3d4c", "Yasmine", "Berrada", ("WALKIN-A",))
    assert db.upload("door-a", [walkin_item(mine)]).acknowledged == [mine.id]
    stolen = Registration(mine.id, "Other", "Person", ("WALKIN-B",))
    assert db.upload("door-b", [walkin_item(stolen)]).acknowledged == []
    # "door" may not make ids that read as door-a's, nor door-a ids of its own shape
    looks_like_a = Registration("W-door-a-99", "X", "Y", ("Z",))
    assert [r["key"] for r in db.upload("door", [walkin_item(looks_like_a)]).rejected] == [
        "W-door-a-99"
    ]
    held = db.registration(mine.id)
    assert held is not None and held["first_name"] == "Yasmine" and held["codes"] == ["WALKIN-A"]
    assert db.registration("W-door-a-99") is None
    assert walkin_id_of("W-door-a-1f2e3d4c", "door-a")
    assert not walkin_id_of("W-door-a-1f2e3d4c", "door")
    assert not walkin_id_of("W-door-a-", "door-a")


def test_a_resent_walkin_does_not_undo_an_organisers_edit(hub):
    db = hub.db
    walkin = Registration("W-door-a-0a0b0c0d", "Yasmine", "Berada", ("WALKIN-1",))
    assert db.upload("door-a", [walkin_item(walkin)]).acknowledged == [walkin.id]
    fixed = Registration(walkin.id, "Yasmine", "Berrada", ("WALKIN-1",), status=Status.BLOCKED)
    assert db.import_registrations([fixed]) == 1
    # the kiosk never saw the first answer (a timeout) and sends the walk-in again
    again = db.upload("door-a", [walkin_item(walkin)])
    assert again.acknowledged == [walkin.id] and again.rejected == []
    held = db.registration(walkin.id)
    assert held is not None and held["last_name"] == "Berrada" and held["status"] == "blocked"


def test_a_refused_item_is_not_sent_again_on_every_pass(hub, make_kiosk):
    a = make_kiosk("door-a")
    a.engine.sync_once()
    forged = Registration("R1", "Hélène", "Dupont", ("CODE-1", "MINE"))
    with a.store.transaction() as db:
        a.store.enqueue_upload(db, "registration", "R1", json.dumps(registration_to_dict(forged)))
    for _ in range(3):
        a.engine.sync_once()
    (failure,) = a.store.outbox_failures()
    assert failure["key"] == "R1" and failure["attempts"] == 1  # tried once, then held
    assert "W-door-a-" in str(failure["last_error"])
    status = a.engine.status()
    assert status.online and status.pending == 1
    assert "1 item(s) refused by hub" in status.last_error
    assert hub.db.registration("R1")["codes"] == ["CODE-1"]

    SyncEngine(a.store, a.source).sync_once()  # after a restart: tried again, still kept
    assert a.store.outbox_failures()[0]["attempts"] == 2
    assert a.store.count_pending() == 1


# -- the HTTP mapping shared by the hub and pretix clients --------------------------------


def test_send_sorts_answers_into_retry_later_and_a_person_must_act(hub):
    proxy = FaultProxy(int(hub.url.rsplit(":", 1)[1]))
    try:
        with httpx.Client(base_url=proxy.url, timeout=5) as client:
            ok = send(client, "hub", "GET", "/healthz", token_hint="-")
            assert ok.json() == {"status": "ok"}
            with pytest.raises(SourceRejected, match=r"hub refused the token \(401: .*\); ask"):
                send(client, "hub", "GET", "/v1/whoami", token_hint="ask the organiser")
            proxy.policy = lambda n, method, path: "error"
            with pytest.raises(SourceUnavailable, match="hub error 500: proxy fault"):
                send(client, "hub", "GET", "/healthz", token_hint="-")
            proxy.policy = lambda n, method, path: "drop"
            with pytest.raises(SourceUnavailable, match="unreachable"):
                send(client, "hub", "GET", "/healthz", token_hint="-")
        with httpx.Client(base_url=f"http://127.0.0.1:{free_port()}", timeout=2) as closed:
            with pytest.raises(SourceUnavailable, match="unreachable"):
                send(closed, "pretix", "GET", "/", token_hint="-")
            missing = httpx.Response(404, json={"detail": "Not found."})
            assert response_detail(missing) == "Not found."
            assert response_detail(httpx.Response(400, json={"non_field_errors": ["x"]})) == "['x']"
            assert response_detail(httpx.Response(502, text="")) == "Bad Gateway"
    finally:
        proxy.close()


def test_numbers_too_large_for_the_database_are_refused_not_a_server_error(hub):
    kiosk = {"Authorization": f"Bearer {hub.db.create_token('door-a')}"}
    big = "9" * 19
    answer = httpx.get(f"{hub.url}/v1/changes", params={"cursor": f"v1.{hub.db.hub_id}.{big}.0"},
                       headers=kiosk, timeout=10)  # fmt: skip
    assert answer.status_code == 400 and "not a hub cursor" in answer.text
    answer = httpx.get(f"{hub.url}/v1/changes", params={"cursor": f"v1.{hub.db.hub_id}.².0"},
                       headers=kiosk, timeout=10)  # fmt: skip
    assert answer.status_code == 400  # a digit to str.isdigit, not to int()
    organiser = {"Authorization": f"Bearer {ORGANISER}"}
    answer = httpx.get(f"{hub.url}/v1/admin/scans", params={"since": 2**63}, headers=organiser)
    assert answer.status_code == 422
