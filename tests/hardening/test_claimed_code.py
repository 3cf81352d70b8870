"""The claimed code: a walk-in carrying someone else's code (issue 14, item 2, hub side).

``W-door-a-x`` with R1's ticket code made every kiosk answer "ambiguous" for R1. The hub
now refuses, on kiosk uploads, a walk-in whose code another registration holds, and never
sends such a code to kiosks (for walk-ins stored before it refused them). Every test runs
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from kiosk.core import tickets
from kiosk.core.model import Registration, Role
from kiosk.core.verdict import Reason
from sync.hub.db import registrations
from sync.store import registration_to_dict
from tests.sync.conftest import hub, hub_db_url, make_kiosk, postgres  # noqa: F401


def walkin(reg_id: str, *codes: str) -> dict[str, Any]:
    reg = Registration(reg_id, "Walk", "In", codes, ticket_type="walk-in")
    return {"kind": "registration", "key": reg_id, "data": registration_to_dict(reg)}


def upload(url: str, token: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    answer = httpx.post(f"{url}/v1/upload", json={"items": items},
                        headers={"Authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_walkin_with_a_registered_persons_code_is_refused(hub, make_kiosk):  # noqa: F811
    token = hub.db.create_token("door-a")
    answer = upload(hub.url, token, [
        walkin("W-door-a-x", "CODE-1"),            # R1's code
        walkin("W-door-a-y", "WALKIN-NEW", "CODE-2"),  # a new code and R2's
        walkin("W-door-a-z", "WALKIN-OWN"),        # its own: stored
        walkin("W-door-a-w", "WALKIN-OWN"),        # the same code in the same batch
    ])  # fmt: skip
    assert answer["acknowledged"] == ["W-door-a-z"]
    errors = {r["key"]: r["error"] for r in answer["rejected"]}
    assert "'R1'" in errors["W-door-a-x"] and "'R2'" in errors["W-door-a-y"]
    assert "'W-door-a-z'" in errors["W-door-a-w"]
    assert hub.db.registration("W-door-a-x") is None

    door_b = make_kiosk("door-b")
    door_b.engine.sync_once()
    assert door_b.service.check("CODE-1").verdict.ok
    assert door_b.service.check("WALKIN-OWN").verdict.registration.id == "W-door-a-z"


def test_a_resent_walkin_is_still_acknowledged(hub):  # noqa: F811
    token = hub.db.create_token("door-a")
    first = upload(hub.url, token, [walkin("W-door-a-x", "WALKIN-1")])
    again = upload(hub.url, token, [walkin("W-door-a-x", "WALKIN-1")])
    assert first["acknowledged"] == again["acknowledged"] == ["W-door-a-x"]


def test_a_real_walkin_reaches_the_other_kiosks(hub, make_kiosk):  # noqa: F811
    desk, door = make_kiosk("desk-1"), make_kiosk("door-b")
    desk.engine.sync_once()
    made = desk.service.register_walkin("Nadia", "Bennani", staff="desk")
    desk.engine.sync_once()
    assert desk.store.count_pending() == 0
    door.engine.sync_once()
    code = made.verdict.registration.codes[0]
    assert door.service.check(code).verdict.reason is Reason.ALREADY_CHECKED_IN


def test_a_claimed_code_stored_before_the_check_is_not_sent(hub, make_kiosk):  # noqa: F811
    """A hub database from before: the hostile walk-in is there; kiosks must not get R1's code."""
    data = registration_to_dict(Registration("W-old-x", "Walk", "In", ("CODE-1", "WALKIN-9")))
    hub.db.import_registrations([])  # nothing; then write the row as an older hub did
    with hub.db._writing() as conn:
        conn.execute(registrations.insert(), {
            "id": "W-old-x", "rev": 10_000, "status": "confirmed", "origin": "old",
            "data": json.dumps(data, sort_keys=True), "updated_at": "2026-12-01T00:00:00+00:00",
        })  # fmt: skip
        hub.db._index_codes(conn, 9_999)
    door = make_kiosk("door-b")
    door.engine.sync_once()
    assert door.service.check("CODE-1").verdict.ok  # R1, not "ambiguous"
    assert door.store.get("W-old-x").codes == ("WALKIN-9",)


def test_a_walkin_carrying_another_persons_signed_ticket_is_refused(hub):  # noqa: F811
    """The ticket is copied from R1's badge: the hub reads whose it is (no key needed)."""

    def unsigned(message: bytes) -> bytes:
        return bytes(64)  # the hub reads the structure; kiosks check the signature

    token = hub.db.create_token("door-a")
    r1_ticket = tickets.encode("R1", Role.PARTICIPANT, frozenset(), "test-event", unsigned)
    own_ticket = tickets.encode(
        "W-door-a-t2", Role.PARTICIPANT, frozenset(), "test-event", unsigned
    )
    answer = upload(hub.url, token, [
        walkin("W-door-a-t1", r1_ticket),
        walkin("W-door-a-t2", own_ticket),
        walkin("W-door-a-t3", "A1:NOT-BASE45-!!"),
    ])  # fmt: skip
    assert answer["acknowledged"] == ["W-door-a-t2"]
    errors = {r["key"]: r["error"] for r in answer["rejected"]}
    assert "'R1'" in errors["W-door-a-t1"] and "signed ticket" in errors["W-door-a-t3"]
