"""Two (or more) kiosks and the real hub on loopback, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses

import httpx

from kiosk.core.model import Status
from kiosk.core.verdict import Reason
from tests.conftest import people
from tests.sync.servers import ORGANISER, wait_until


def admin(hub, path: str):
    response = httpx.get(
        f"{hub.url}{path}", headers={"Authorization": f"Bearer {ORGANISER}"}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def test_full_then_incremental_pull(hub, make_kiosk):
    a = make_kiosk("door-a")
    report = a.engine.sync_once()
    assert report.registrations == len(people())
    assert a.store.get("R2").last_name == "العلوي"
    assert a.store.find_by_code("CODE-1")[0].id == "R1"

    cursor = a.store.sync_cursor("hub")
    assert a.source.pull(cursor).registrations == []  # nothing changed since

    changed = {r.id: r for r in people()}
    changed["R1"] = dataclasses.replace(changed["R1"], status=Status.CANCELLED)
    changed["R12"] = dataclasses.replace(changed["R12"], last_name="Guest-Renamed")
    new = dataclasses.replace(changed["R13"], id="R20", codes=("CODE-20",), first_name="Nadia")
    regs = [*changed.values(), new]
    assert hub.db.import_registrations(regs, allow_shared_codes=True) == 3  # the rest unchanged

    page = a.source.pull(cursor)
    assert sorted(r.id for r in page.registrations) == ["R1", "R12", "R20"]
    assert not page.more

    a.engine.sync_once()
    assert a.service.check("CODE-1").verdict.reason is Reason.CANCELLED
    assert a.service.check("CODE-20").verdict.reason is Reason.OK
    assert a.store.get("R12").last_name == "Guest-Renamed"
    assert a.store.count_registrations() == len(people()) + 1


def test_pages_follow_each_other_without_gaps(hub, make_kiosk):
    a = make_kiosk("door-a")
    a.source.page_size = 4
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = a.source.pull(cursor)
        seen += [r.id for r in page.registrations]
        cursor = page.cursor
        if not page.more:
            break
    assert sorted(seen) == sorted(r.id for r in people())
    assert len(seen) == len(set(seen))


def test_checkin_at_door_a_is_refused_at_door_b(hub, make_kiosk):
    a, b = make_kiosk("door-a"), make_kiosk("door-b")
    a.engine.sync_once()
    b.engine.sync_once()
    assert a.service.check("CODE-2").verdict.ok

    a.engine.sync_once()  # upload
    b.engine.sync_once()  # pull door A's scan
    verdict = b.service.check("CODE-2").verdict
    assert verdict.reason is Reason.ALREADY_CHECKED_IN
    assert verdict.previous_kiosk == "Door door-a"
    assert b.engine.status().conflicts == 0


def test_running_engines_share_a_checkin_within_the_sync_interval(hub, make_kiosk):
    a = make_kiosk("door-a", interval=0.5, upload_poll=0.2)
    b = make_kiosk("door-b", interval=0.5, upload_poll=0.2)
    a.engine.start()
    b.engine.start()
    wait_until(lambda: b.store.count_registrations() == len(people()), 20)
    wait_until(lambda: a.store.count_registrations() == len(people()), 20)

    assert a.service.check("CODE-12").verdict.ok
    a.engine.wake()
    verdict = wait_until(
        lambda: (v := b.service.evaluate("CODE-12")).reason is Reason.ALREADY_CHECKED_IN and v,
        20,
    )
    assert verdict.previous_kiosk == "Door door-a"
    status = a.engine.status()
    assert status.online is True and status.pending == 0 and status.last_error == ""
    assert status.last_success is not None


def test_walkin_made_at_one_kiosk_reaches_the_others(hub, make_kiosk):
    a, b = make_kiosk("desk-1"), make_kiosk("door-b")
    a.engine.sync_once()
    b.engine.sync_once()
    made = a.service.register_walkin("Yasmine", "Berrada", organisation="Startup", staff="amal")
    assert made.verdict.ok
    walkin = made.verdict.registration

    a.engine.sync_once()
    assert hub.db.stats()["walkins"] == 1
    b.engine.sync_once()
    there = b.store.get(walkin.id)
    assert there is not None and there.full_name == "Yasmine Berrada"
    # and door B knows she is already in
    assert b.service.check(walkin.codes[0]).verdict.reason is Reason.ALREADY_CHECKED_IN


def test_offline_double_checkin_is_reported_as_a_conflict(hub, make_kiosk):
    a, b = make_kiosk("door-a"), make_kiosk("door-b")
    a.engine.sync_once()
    b.engine.sync_once()
    # the network is down: each door decides alone
    assert a.service.check("CODE-13").verdict.ok
    assert b.service.check("CODE-13").verdict.ok

    assert a.engine.sync_once().conflicts == 0
    report = b.engine.sync_once()
    assert report.conflicts == 1
    (conflict,) = b.store.sync_conflicts()
    assert conflict["registration_id"] == "R13"
    assert {conflict["first_kiosk"], conflict["second_kiosk"]} == {"door-a", "door-b"}
    assert b.engine.status().conflicts == 1

    (reported,) = admin(hub, "/v1/admin/conflicts")
    assert reported["registration_id"] == "R13" and reported["day"] == 1
    assert b.engine.sync_once().conflicts == 0  # known already: not counted twice
    assert len(admin(hub, "/v1/admin/conflicts")) == 1

    a.engine.sync_once()
    assert len(a.store.history("R13").accepted_on(1)) == 2  # door A sees door B's scan too


def test_reuploading_a_batch_changes_nothing(hub, make_kiosk):
    a = make_kiosk("door-a")
    a.engine.sync_once()
    for code in ("CODE-1", "CODE-2", "CODE-404"):  # CODE-404: refused, uploaded too
        a.service.check(code)
    items = a.store.pending()
    first = a.source.push(items)
    second = a.source.push(items)
    assert sorted(first.acknowledged) == sorted(second.acknowledged) == [i.seq for i in items]
    scans = admin(hub, "/v1/admin/scans")
    assert sorted(s["nonce"] for s in scans) == sorted(i.key for i in items)
    refused = [s for s in scans if not s["accepted"]]
    assert [s["reason"] for s in refused] == ["unknown"]
    assert all(s["uploaded_by"] == "door-a" for s in scans)


def test_a_cursor_from_another_hub_database_starts_over(hub, make_kiosk):
    a = make_kiosk("door-a")
    page = a.source.pull("v1.0123456789ab.99999.99999")
    assert len(page.registrations) == len(people())


def test_a_refused_item_is_kept_and_reported_while_the_rest_goes_through(hub, make_kiosk):
    a = make_kiosk("door-a")
    a.engine.sync_once()
    a.service.check("CODE-1")
    with a.store.transaction() as db:  # an item this kiosk may not upload
        a.store.enqueue_upload(db, "scan", "bad", '{"nonce": "bad", "kiosk_id": "door-z"}')
    a.service.check("CODE-2")
    a.engine.sync_once()
    status = a.engine.status()
    assert status.pending == 1
    assert "refused by hub" in status.last_error
    assert len(admin(hub, "/v1/admin/scans")) == 2
    (failure,) = a.store.outbox_failures()
    assert failure["key"] == "bad" and failure["attempts"] == 1
