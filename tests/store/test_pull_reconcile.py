"""A full pull reconciles the store with the source's lists (issue 15): what the source no
longer lists goes, nothing else does, and no scan is ever lost."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.checkin_list import CheckinList, TicketFacts
from kiosk.core.model import Registration, Scan, ScanKind
from sync.store import LocalStore

IDS = st.sets(st.integers(0, 40), max_size=25)


def reg(n: int) -> Registration:
    return Registration(f"pretix-A{n:03d}-1", f"P{n}", "X", codes=(f"SECRET{n}",))


def full_pull(store: LocalStore, ids: set[int], page: int) -> None:
    regs = [reg(n) for n in sorted(ids)]
    pages = [regs[i : i + page] for i in range(0, len(regs), page)] or [[]]
    for number, part in enumerate(pages, start=1):
        store.apply_pull(
            "pretix",
            part,
            [],
            f"cursor-{number}",
            facts={r.id: TicketFacts(item=1) for r in part},
            full_page=number,
            full_done=number == len(pages),
        )


@settings(max_examples=40, deadline=None)
@given(first=IDS, second=IDS, page=st.integers(1, 7), walkins=st.integers(0, 3))
def test_a_full_pull_keeps_exactly_what_the_source_lists(first, second, page, walkins):
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp) / "k.db")
        try:
            full_pull(store, first, page)
            for n in range(walkins):  # made at this kiosk: never the pull's to remove
                store.add_walkin(Registration(f"W-k-{n}", "Walk", f"In{n}"), "AB")
            for n in first:
                store.record(
                    Scan(f"nonce-{n}", "k", datetime.now(UTC), f"SECRET{n}", reg(n).id,
                         ScanKind.ENTRY, True, "ok")
                )  # fmt: skip
            full_pull(store, second, page)
            pretix_ids = {r.id for r in store.all_registrations() if r.id.startswith("pretix-")}
            assert pretix_ids == {reg(n).id for n in second}
            assert store.count_registrations() == len(second) + walkins
            assert store.count_scans() == len(first)  # scans of removed people stay
            for n in first - second:
                assert store.find_by_code(f"SECRET{n}") == []
                assert store.ticket_facts(reg(n).id) is None
            assert store.last_full_pull("pretix")["removed"] == len(first - second)
        finally:
            store.close()


def test_a_changed_list_is_reported_once():
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp) / "k.db")
        try:
            store.apply_pull(
                "pretix", [], [], None, lists={"": CheckinList(1), "WS": CheckinList(2)}
            )
            assert "lists_changed" not in store.last_full_pull("pretix")  # the first pull
            changed = CheckinList(1, allow_multiple_entries=True)
            store.apply_pull("pretix", [], [], None, lists={"": changed})
            report = store.last_full_pull("pretix")["lists_changed"]
            assert report[""] == "list 1 changed: allow_multiple_entries False -> True"
            assert report["WS"] == "no longer configured"
            assert store.checkin_list("") == changed and store.checkin_list("WS") is None
        finally:
            store.close()
