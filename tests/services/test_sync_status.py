"""What `accueil sync status` reads, as the syncing service gives it: the store's sync
ledger over the real SQLite store, and the source asked now by the abilities its kind
declares (the real hub on loopback; the real pretix adapter against what is not pretix)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.service import CheckinService
from kiosk.services.syncing import check_source, sync_ledger
from sync.hub_client import HubSource
from sync.pretix import PretixSource
from sync.store import LocalStore
from tests.sync.servers import HubThread, free_port

ORGANISER = "organiser-token-for-sync-status"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    server = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", ORGANISER)
    yield server
    server.stop()


def test_the_ledger_reads_what_waits_failed_and_clashed(
    store: LocalStore, service: CheckinService
) -> None:
    empty = sync_ledger(store, "hub")
    assert (empty.waiting, empty.last_success, empty.pulled) == (0, None, False)
    assert empty.conflicts == [] and empty.outbox_failures == [] and empty.pretix_pull == {}
    service.check("CODE-1")
    service.check("CODE-2")
    first = store.pending()[0]
    store.mark_failed([first.seq], "hub answered 503")
    conflict = {"registration_id": "R1", "day": 1, "first_nonce": "a", "second_nonce": "b"}
    assert store.add_sync_conflicts([conflict]) == 1
    store.set_meta("sync.last_success", "2026-12-08T08:00:00+00:00")
    ledger = sync_ledger(store, "hub")
    assert ledger.waiting == 2 and ledger.registrations == store.count_registrations()
    assert ledger.last_success == "2026-12-08T08:00:00+00:00"
    assert [f["key"] for f in ledger.outbox_failures] == [first.key]
    assert ledger.outbox_failures[0]["last_error"] == "hub answered 503"
    assert ledger.conflicts == [conflict]
    assert ledger.timezone == store.event().timezone  # conflict times shown in the event's zone
    store.set_meta("sync.hub.cursor", "2026-12-08T08:00:00+00:00")
    assert sync_ledger(store, "hub").pulled and not sync_ledger(store, "pretix").pulled
    assert not sync_ledger(store, "none").pulled


def test_the_hub_takes_this_kiosks_token_and_refuses_a_wrong_one(hub: HubThread) -> None:
    good = HubSource(hub.url, hub.db.create_token("k1"), "k1", timeout=2.0)
    wrong = HubSource(hub.url, "not-a-token", "k1", timeout=2.0)
    try:
        ok = check_source(good, {"identity", "confirm"})
        assert (ok.status, ok.identity, ok.reachable, ok.probed) == (0, True, True, False)
        refused = check_source(wrong, {"identity"})
        assert (refused.status, refused.reachable) == (1, False) and refused.error
    finally:
        good.close()
        wrong.close()


def test_a_source_without_probe_or_identity_is_not_asked(hub: HubThread) -> None:
    gone = HubSource(f"http://127.0.0.1:{free_port()}", "token", "k1", timeout=1.0)
    try:
        check = check_source(gone, set())
        assert (check.status, check.probed, check.identity) == (0, False, False)
    finally:
        gone.close()


def test_pretix_unreachable_is_temporary_and_not_pretix_names_the_url(hub: HubThread) -> None:
    gone = PretixSource(f"http://127.0.0.1:{free_port()}", "org", "ev", 1, "t", timeout=1.0)
    other = PretixSource(hub.url, "org", "ev", 1, "t", timeout=2.0)  # answers, but not pretix
    try:
        later = check_source(gone, {"probe"})
        assert later.probed and later.status == 1
        assert [(s.what, s.ok, s.key) for s in later.steps] == [("reachable", False, "[pretix] url")]
        fix = check_source(other, {"probe", "identity"})  # probe is asked first
        assert fix.status == 2 and not fix.identity
        assert [(s.ok, s.key) for s in fix.steps] == [(False, "[pretix] url")]
        assert "not pretix's API" in fix.steps[0].detail
    finally:
        gone.close()
        other.close()
