"""The nonce collision: a kiosk's scan under a nonce the hub already holds for another scan
(issue 14, item 7). The hub acknowledged it, and the kiosk deleted it from its outbox: a
check-in lost. Now it is refused as a nonce conflict and stays in the outbox; a re-sent
identical scan is still acknowledged. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

import httpx

from tests.sync.conftest import hub, hub_db_url, make_kiosk, postgres  # noqa: F401


def test_a_nonce_taken_by_another_kiosk_is_refused_and_kept_in_the_outbox(hub, make_kiosk):  # noqa: F811
    door_a = make_kiosk("door-a")
    door_a.engine.sync_once()
    assert door_a.service.check("CODE-1").verdict.ok
    [pending] = door_a.store.pending()
    mine = json.loads(pending.payload)

    # door-b (any kiosk token) uploads its own scan under door-a's nonce first
    thief = hub.db.create_token("door-b")
    stolen = {**mine, "kiosk_id": "door-b", "registration_id": "R2", "code": "CODE-2"}
    answer = httpx.post(f"{hub.url}/v1/upload", headers={"Authorization": f"Bearer {thief}"},
                        json={"items": [{"kind": "scan", "key": mine["nonce"], "data": stolen}]})  # fmt: skip
    assert answer.json()["acknowledged"] == [mine["nonce"]]

    door_a.engine.sync_once()
    assert door_a.store.count_pending() == 1  # not acknowledged, so not lost
    [failure] = door_a.store.outbox_failures()
    assert "nonce conflict" in failure["last_error"]
    held = [s for s in hub.db.scans() if s["nonce"] == mine["nonce"]]
    assert [s["kiosk_id"] for s in held] == ["door-b"]  # the hub did not pretend to hold it


def test_the_same_scan_sent_again_is_acknowledged_again(hub):  # noqa: F811
    from tests.hardening.test_hostile_upload import scan_item

    token = hub.db.create_token("door-a")
    item = scan_item("n-resent", "door-a")
    for _ in range(3):
        answer = httpx.post(f"{hub.url}/v1/upload", headers={"Authorization": f"Bearer {token}"},
                            json={"items": [item]}).json()  # fmt: skip
        assert answer["acknowledged"] == ["n-resent"] and answer["rejected"] == []
    changed = {**item, "data": {**item["data"], "note": "edited"}}
    answer = httpx.post(f"{hub.url}/v1/upload", headers={"Authorization": f"Bearer {token}"},
                        json={"items": [changed]}).json()  # fmt: skip
    assert answer["acknowledged"] == [] and "nonce conflict" in answer["rejected"][0]["error"]
    assert hub.db.stats()["scans"] == 1
