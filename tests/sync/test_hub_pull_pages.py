"""The hub's hot paths, on SQLite and PostgreSQL: pulls page by page, uploads stored together.

On PostgreSQL the hub joins a page's stored JSON in the database (one row per page instead
of one per scan); on SQLite it joins the rows itself. Whatever the page size and whatever
the scans hold (commas, quotes, brackets, any script), a kiosk that pages from its cursor
gets every scan uploaded by the other kiosks exactly once, in the hub's order, none of its
own on an incremental pull, and a body that is JSON.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.model import Scan, ScanKind
from sync.hub.db import HubDB
from sync.hub.db.sync import _Upload
from sync.hub.routers.kiosk import changes_body
from sync.reports import event_to_dict
from sync.store import scan_to_dict
from tests.conftest import EVENT, SESSIONS, TZ

KIOSKS = ("door-a", "door-b", "desk-1")
NOTES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")), max_size=20
)  # what a supervisor may type, JSON's own punctuation included


@pytest.fixture
def db(hub_db_url: str) -> Iterator[HubDB]:
    hub = HubDB(hub_db_url)
    yield hub
    hub.close()


def _scan(kiosk_id: str, note: str) -> dict[str, object]:
    scan = Scan(
        nonce=uuid.uuid4().hex,
        kiosk_id=kiosk_id,
        at=datetime.now(UTC),
        code='C,"]}',
        registration_id=None,
        kind=ScanKind.ENTRY,
        accepted=False,
        reason="unknown",
        day=1,
        note=note,
    )
    return {"kind": "scan", "key": scan.nonce, "data": scan_to_dict(scan)}


def _pull_all(db: HubDB, token: str, cursor: str | None, limit: int) -> tuple[list[str], str]:
    """Every page from ``cursor`` on, as a kiosk pulls them: (nonces in order, last cursor)."""
    nonces: list[str] = []
    for _ in range(1000):
        pulled = db.changes_for_token(token, cursor, limit)
        assert pulled is not None
        page = json.loads(changes_body(pulled))  # the body as the hub's router makes it
        assert len(page["scans"]) <= limit
        nonces += [s["nonce"] for s in page["scans"]]
        cursor = page["cursor"]
        if not page["more"]:
            return nonces, page["cursor"]
    raise AssertionError("the pull never ended")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    uploads=st.lists(st.tuples(st.sampled_from(KIOSKS), NOTES), min_size=0, max_size=30),
    limit=st.integers(1, 8),
)
def test_paging_from_a_cursor_gives_every_other_kiosks_scan_once_in_order(
    db: HubDB, uploads: list[tuple[str, str]], limit: int
) -> None:
    tokens = {k: db.create_token(k) for k in KIOSKS}
    _, cursor = _pull_all(db, tokens["door-a"], None, 20000)  # door-a is up to date
    sent = []
    for kiosk_id, note in uploads:
        item = _scan(kiosk_id, note)
        assert db.upload(kiosk_id, [item]).acknowledged == [item["key"]]
        sent.append((kiosk_id, item["key"]))

    nonces, _ = _pull_all(db, tokens["door-a"], cursor, limit)

    assert nonces == [n for k, n in sent if k != "door-a"]


def test_a_full_pull_brings_the_kiosks_own_scans_too_and_a_revoked_token_nothing(
    db: HubDB,
) -> None:
    tokens = {k: db.create_token(k) for k in KIOSKS}
    sent = []
    for n in range(7):
        kiosk_id = KIOSKS[n % len(KIOSKS)]
        item = _scan(kiosk_id, f'note {n}, "quoted"')
        db.upload(kiosk_id, [item])
        sent.append(item["key"])

    for limit in (1, 2, 3, 7, 8):
        nonces, _ = _pull_all(db, tokens["door-b"], None, limit)
        assert nonces == sent, limit  # a replacement kiosk gets back what its id uploaded

    db.revoke_token("door-b")
    assert db.changes_for_token(tokens["door-b"], None, 5) is None
    assert db.kiosk_and_window(tokens["door-b"]) is None


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    before=st.lists(st.tuples(st.sampled_from(KIOSKS), st.integers(0, 5), st.booleans())),
    uploads=st.lists(
        st.tuples(
            st.sampled_from(KIOSKS),
            st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=4),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_uploads_sharing_a_transaction_store_each_nonce_once_and_acknowledge_only_it(
    db: HubDB,
    before: list[tuple[str, int, bool]],
    uploads: list[tuple[str, list[tuple[int, bool]]]],
) -> None:
    """Several kiosks' uploads in one group-commit transaction, nonces colliding with each
    other and with what the hub held before, sent again as they were or changed: the hub
    ends holding the first scan of each nonce, and acknowledges a scan only if that is it."""
    tag = uuid.uuid4().hex[:8]  # nonces of this example only

    def scan(kiosk_id: str, n: int, changed: bool) -> Scan:
        return Scan(
            nonce=f"{tag}-{n}",
            kiosk_id=kiosk_id,
            at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
            code=f"C{n}",
            registration_id=None,
            kind=ScanKind.ENTRY,
            accepted=False,
            reason="unknown",
            day=1,
            note="changed" if changed else "",
        )

    model: dict[str, Scan] = {}
    for kiosk_id, n, changed in before:
        s = scan(kiosk_id, n, changed)
        db.upload(kiosk_id, [{"kind": "scan", "key": s.nonce, "data": scan_to_dict(s)}])
        model.setdefault(s.nonce, s)
    batch = [
        _Upload(k, {s.nonce: (s.nonce, s) for s in (scan(k, n, c) for n, c in sent)}, {}, "x")
        for k, sent in uploads
    ]
    expected = []
    for upload in batch:
        acked = set()
        for nonce, (_, s) in upload.batch.items():
            if model.setdefault(nonce, s) == s:
                acked.add(nonce)
        expected.append(acked)

    with db._writing() as conn:
        done = db._store_uploads(conn, batch)

    assert [set(d.stored) for d in done] == expected
    server_side = {"seq", "uploaded_by", "received_at"}
    held = {
        row["nonce"]: {k: v for k, v in row.items() if k not in server_side}
        for row in db.scans(0, 50000)
        if row["nonce"].startswith(tag)
    }
    assert held == {n: scan_to_dict(s) for n, s in model.items()}


def test_an_upload_checks_its_scans_against_the_event_another_worker_published_last(
    db: HubDB, hub_db_url: str
) -> None:
    """The event's window is kept parsed per published text, and the text is read with each
    upload's token: what another worker publishes holds for the very next upload."""
    other = HubDB(hub_db_url)  # a second worker on the same database
    token = db.create_token("door-a")

    def day(n: int) -> dict[str, object]:
        scan = Scan(uuid.uuid4().hex, "door-a", datetime(2026, 12, 8, 9, 0, tzinfo=TZ), "C1",
                    None, ScanKind.ENTRY, False, "unknown", day=n)  # fmt: skip
        return {"kind": "scan", "key": scan.nonce, "data": scan_to_dict(scan)}

    def acknowledged(n: int) -> bool:
        who = db.kiosk_and_window(token)
        assert who is not None
        item = day(n)
        outcome = db.upload(who[0], [item], who[1])
        return outcome.acknowledged == [item["key"]]

    try:
        assert acknowledged(5)  # no event published: any day of the codec's range
        published = event_to_dict(EVENT, SESSIONS)
        other.set_event_definition(published)
        assert acknowledged(1) and not acknowledged(5)
        assert not db.upload("door-a", [day(5)]).acknowledged  # the window read by upload
        published["days"] = [*published["days"], {"number": 5, "date": "2026-12-12"}]
        other.set_event_definition(published)
        assert acknowledged(5)
    finally:
        other.close()
