"""The purge's use case over the real store and the real hub on loopback: refused (nothing
deleted) while anything waits, when the hub misses a scan, speaks for another kiosk or cannot
be asked; a complete confirmation deletes every attendee row, unless a scan came after it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.service import CheckinService
from kiosk.services.purge import PurgeRefused, Purging
from sync.engine import SyncEngine
from sync.hub_client import HubSource
from sync.store import LocalStore
from tests.sync.servers import HubThread, free_port

ORGANISER = "organiser-token-for-purge-service"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    server = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", ORGANISER)
    yield server
    server.stop()


@pytest.fixture
def client(hub: HubThread) -> Iterator[HubSource]:
    made = HubSource(hub.url, hub.db.create_token("k1"), "k1", timeout=2.0)
    yield made
    made.close()


def checked_in(store: LocalStore, service: CheckinService, *codes: str) -> None:
    for code in codes:
        service.check(code)


def upload(store: LocalStore, client: HubSource) -> None:
    SyncEngine(store, client).sync_once()
    assert store.count_pending() == 0


def test_refused_while_scans_wait_for_upload_and_nothing_is_deleted(
    store: LocalStore, service: CheckinService
) -> None:
    checked_in(store, service, "CODE-1", "CODE-2")
    purging = Purging(store, "k1")
    with pytest.raises(
        PurgeRefused, match=r"2 items are not uploaded yet \(scans: 2, walk-ins: 0\)"
    ):
        purging.refuse_if_pending()
    assert store.count_registrations() > 0 and store.count_scans() == 2


def test_a_complete_confirmation_deletes_every_attendee_row(
    store: LocalStore, service: CheckinService, client: HubSource
) -> None:
    checked_in(store, service, "CODE-1", "CODE-2", "CODE-3")
    upload(store, client)
    purging = Purging(store, "k1")
    purging.refuse_if_pending()
    held = purging.confirm(client)
    assert held.nonces == store.own_scan_nonces() and held.last_nonce == held.nonces[-1]
    assert held.answer["scans_held"] == 3 and held.answer["kiosk_id"] == "k1"
    deleted = purging.delete(held)
    assert deleted["scans"] == 3 and deleted["registrations"] > 0
    assert store.count_registrations() == 0 and store.count_scans() == 0


def test_a_scan_after_the_confirmation_stops_the_deletion(
    store: LocalStore, service: CheckinService, client: HubSource
) -> None:
    checked_in(store, service, "CODE-1")
    upload(store, client)
    purging = Purging(store, "k1")
    held = purging.confirm(client)
    checked_in(store, service, "CODE-2")  # recorded after the hub's answer
    upload(store, client)
    registrations = store.count_registrations()
    with pytest.raises(PurgeRefused, match="nothing was deleted, run `accueil purge` again"):
        purging.delete(held)
    assert store.count_scans() == 2 and store.count_registrations() == registrations


def test_refused_when_the_hub_never_got_the_scans(
    store: LocalStore, service: CheckinService, client: HubSource
) -> None:
    """The outbox is empty (marked sent) but the hub holds nothing: its answer decides."""
    checked_in(store, service, "CODE-1", "CODE-2")
    store.mark_sent([i.seq for i in store.pending()])
    purging = Purging(store, "k1")
    purging.refuse_if_pending()
    with pytest.raises(
        PurgeRefused, match=r"does not hold all of this kiosk's records \(scans: 2, walk-ins: 0"
    ):
        purging.confirm(client)
    assert store.count_scans() == 2


def test_refused_when_the_token_is_another_kiosks(
    store: LocalStore, service: CheckinService, hub: HubThread
) -> None:
    checked_in(store, service, "CODE-1")
    other = HubSource(hub.url, hub.db.create_token("k2"), "k2", timeout=2.0)
    try:
        with pytest.raises(PurgeRefused, match="belongs to kiosk 'k2', this kiosk is 'k1'"):
            Purging(store, "k1").confirm(other)
    finally:
        other.close()


def test_refused_when_the_token_is_refused(store: LocalStore, hub: HubThread) -> None:
    wrong = HubSource(hub.url, "not-a-token", "k1", timeout=2.0)
    try:
        with pytest.raises(PurgeRefused, match="refused this kiosk's token"):
            Purging(store, "k1").confirm(wrong)
    finally:
        wrong.close()


def test_refused_when_the_hub_cannot_be_reached(store: LocalStore) -> None:
    gone = HubSource(f"http://127.0.0.1:{free_port()}", "token", "k1", timeout=1.0)
    try:
        with pytest.raises(PurgeRefused, match="nothing was deleted"):
            Purging(store, "k1").confirm(gone)
    finally:
        gone.close()
    assert store.count_registrations() > 0


class Answer:
    """A hub's reply as HubSource.confirm_held returns it once it checked its shape: the
    property is about what the purge decides from any such reply, not about HTTP."""

    def __init__(self, reply: dict[str, object]) -> None:
        self.reply = reply

    def confirm_held(self, nonces: Sequence[str], walkins: Sequence[str]) -> dict[str, Any]:
        return dict(self.reply)


ids = st.lists(st.text(min_size=1, max_size=8), max_size=4)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kiosk=st.sampled_from(["k1", "k2", "", None]), missing=ids, missing_regs=ids)
def test_only_a_reply_for_this_kiosk_missing_nothing_allows_the_purge(
    store: LocalStore, kiosk: str | None, missing: list[str], missing_regs: list[str]
) -> None:
    reply = {
        "kiosk_id": kiosk,
        "missing_scans": missing,
        "missing_registrations": missing_regs,
        "scans_held": 0,
    }
    purging = Purging(store, "k1")
    if kiosk == "k1" and not missing and not missing_regs:
        assert purging.confirm(Answer(reply)).answer == reply
    else:
        with pytest.raises(PurgeRefused):
            purging.confirm(Answer(reply))
