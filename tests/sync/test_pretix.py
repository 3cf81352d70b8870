"""The kiosk against a REAL pretix server on loopback (installed from PyPI, see
scripts/pretix_server.py): full and incremental pulls, idempotent uploads, refusals,
undo, conflicts and the reason mapping. Set ACCUEIL_SKIP_PRETIX=1 to skip on purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from kiosk.config import SyncSection
from kiosk.core.model import Event, EventDay, Lang, Role, Scan, ScanKind, Status
from kiosk.core.ports import OutboxItem
from kiosk.core.service import CheckinService, KioskIdentity
from kiosk.core.verdict import Reason
from sync.engine import SyncEngine, UploadIncomplete
from sync.pretix import (
    PRETIX_TO_REASON,
    REASON_TO_PRETIX,
    PretixSource,
    pretix_reason,
    reason_from_pretix,
)
from sync.remote import SourceRejected, SourceUnavailable
from sync.store import LocalStore, scan_to_dict
from tests.sync.faultproxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pretix_server.py"
TZ = ZoneInfo("Africa/Casablanca")
FIRST_RUN_SECONDS = 1500  # install (~35 s) + first migration (~65 s) on a slow CI runner

pytestmark = pytest.mark.slow


@dataclass
class Pretix:
    url: str
    info: dict[str, Any]

    @property
    def tickets(self) -> dict[str, dict[str, Any]]:
        return self.info["tickets"]  # type: ignore[no-any-return]

    def secret(self, label: str) -> str:
        return str(self.tickets[label]["secret"])

    def reg_id(self, label: str) -> str:
        """What the kiosk calls the position: pretix-<order code>-<position number>."""
        order = self.tickets[label]["order"]
        number = 2 if label == "pair1" else 1
        return f"pretix-{order}-{number}"

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1/organizers/{self.info['organizer']}/",
            headers={"Authorization": f"Token {self.info['admin_token']}"},
            timeout=30,
        )

    def checkins(self, position: int | None = None, **filters: str) -> list[dict[str, Any]]:
        """Every check-in pretix holds for the event (successful and failed)."""
        found: list[dict[str, Any]] = []
        with self.admin() as api:
            for page in range(1, 50):
                body = api.get(
                    f"events/{self.info['event']}/checkins/",
                    params={"page": page, **filters},
                ).json()
                found += body["results"]
                if not body["next"]:
                    break
        return [c for c in found if position is None or c["position"] == position]


@pytest.fixture(scope="session")
def pretix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pretix]:
    """pretix 2026.8 from PyPI in its own cached virtualenv, seeded, on 127.0.0.1."""
    if os.environ.get("ACCUEIL_SKIP_PRETIX"):
        pytest.skip("ACCUEIL_SKIP_PRETIX is set")
    folder = tmp_path_factory.mktemp("pretix")
    try:
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "start", "--dir", str(folder)],
            capture_output=True,
            text=True,
            timeout=FIRST_RUN_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"pretix did not start within {FIRST_RUN_SECONDS} s (logs in {folder})")
    if done.returncode != 0:
        pytest.fail(f"pretix could not start:\n{done.stderr[-3000:]}")
    info = json.loads(done.stdout)
    try:
        yield Pretix(str(info["url"]), info)
    finally:
        from_script = _load_script()
        assert from_script.stop_pid(int(info["pid"])), "pretix did not stop on SIGTERM"


def _load_script() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("pretix_server", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NowClock:
    def now(self) -> datetime:
        return datetime.now(TZ)


def kiosk_event() -> Event:
    today = datetime.now(TZ).date()
    return Event(
        slug="sccs",
        name="Smart City Casablanca Symposium",
        days=(EventDay(1, today), EventDay(2, today + timedelta(days=1))),
        timezone="Africa/Casablanca",
    )


@dataclass
class Kiosk:
    store: LocalStore
    source: PretixSource
    engine: SyncEngine
    service: CheckinService


@pytest.fixture
def make_kiosk(pretix: Pretix, tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:
    made: list[Kiosk] = []

    def make(
        name: str = "door-a",
        *,
        page_size: int = 20,
        token: str | None = None,
        url: str | None = None,
    ) -> Kiosk:
        store = LocalStore(tmp_path / f"{name}.db")
        event = kiosk_event()
        store.save_event(event, [])
        source = PretixSource(
            url or pretix.url,
            pretix.info["organizer"],
            pretix.info["event"],
            int(pretix.info["checkin_list"]),
            token or pretix.info["kiosk_token"],
            language="fr",
            kiosk_event=event,
            log=store,
            page_size=page_size,
            timeout=30,
        )
        service = CheckinService(store, store, NowClock(), event, KioskIdentity(name, name.title()))
        kiosk = Kiosk(store, source, SyncEngine(store, source), service)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.source.close()
        kiosk.store.close()


# -- pull --------------------------------------------------------------------------------


def test_full_pull_maps_every_position_of_the_list(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk(page_size=20)  # 73 positions: four pages
    pages = []
    cursor = None
    for _ in range(20):
        page = kiosk.source.pull(cursor)
        pages.append(len(page.registrations))
        kiosk.store.apply_pull("pretix", page.registrations, page.scans, page.cursor)
        cursor = page.cursor
        if not page.more:
            break
    assert pages == [20, 20, 20, 13]
    assert json.loads(cursor)["phase"] == "since"  # the next pull is incremental
    on_list = len(pretix.tickets) - 1 + len(pretix.info["bulk"])  # the workshop is not on it
    assert kiosk.store.count_registrations() == on_list == 73

    paid = kiosk.store.get(pretix.reg_id("paid"))
    assert (paid.first_name, paid.last_name) == ("Yasmine", "Benali")
    assert paid.codes == (pretix.secret("paid"),)
    assert (paid.email, paid.organisation) == ("yasmine@example.org", "Casa Smart")
    assert paid.ticket_type == "Pass 2 jours"  # the kiosk's language (fr)
    assert (paid.status, paid.lang, paid.role) == (Status.CONFIRMED, Lang.FR, Role.PARTICIPANT)
    arabic = kiosk.store.get(pretix.reg_id("arabic"))
    assert (arabic.first_name, arabic.last_name, arabic.lang) == ("يوسف", "العلوي", Lang.AR)
    assert kiosk.store.get(pretix.reg_id("speaker")).role is Role.SPEAKER
    expected = {
        "pending": Status.UNPAID,
        "pending_valid": Status.CONFIRMED,  # the order is valid while pending
        "cancelled": Status.CANCELLED,
        "expired": Status.CANCELLED,
        "blocked": Status.BLOCKED,
    }
    for label, status in expected.items():
        assert kiosk.store.get(pretix.reg_id(label)).status is status, label
    future = kiosk.store.get(pretix.reg_id("future"))
    assert future.valid_from is not None and future.valid_from > datetime.now(TZ)
    assert kiosk.store.find_by_code(pretix.secret("workshop")) == []


def test_the_kiosk_decides_from_what_pretix_says(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    kiosk.engine.sync_once()
    verdicts = {
        label: kiosk.service.evaluate(pretix.secret(label)).reason
        for label in ("paid", "pending", "cancelled", "blocked", "future", "workshop")
    }
    assert verdicts == {
        "paid": Reason.OK,
        "pending": Reason.UNPAID,
        "cancelled": Reason.CANCELLED,
        "blocked": Reason.BLOCKED,
        "future": Reason.NOT_YET_VALID,
        "workshop": Reason.UNKNOWN,  # a product this check-in list does not admit
    }


def test_incremental_pull_brings_cancellations_and_new_orders(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    kiosk.engine.sync_once()
    cursor = kiosk.store.sync_cursor("pretix")
    assert kiosk.source.pull(cursor).registrations == []  # nothing changed since

    with pretix.admin() as api:
        event = f"events/{pretix.info['event']}/"
        code = pretix.tickets["to_cancel"]["order"]
        answer = api.post(f"{event}orders/{code}/mark_canceled/", json={"send_email": False})
        assert answer.status_code == 200, answer.text
        created = api.post(
            f"{event}orders/",
            json={
                "email": "walkin@example.org",
                "locale": "en",
                "sales_channel": "web",
                "status": "n",
                "positions": [
                    {
                        "item": pretix.info["items"]["pass"],
                        "attendee_name_parts": {
                            "_scheme": "given_family",
                            "given_name": "Nouvelle",
                            "family_name": "Inscrite",
                        },
                    }
                ],
            },
        )
        assert created.status_code == 201, created.text
        new = created.json()
        paid = api.post(f"{event}orders/{new['code']}/mark_paid/", json={})
        assert paid.status_code == 200, paid.text

    page = kiosk.source.pull(cursor)
    assert sorted(r.id for r in page.registrations) == sorted(
        [pretix.reg_id("to_cancel"), f"pretix-{new['code']}-1"]
    )
    kiosk.engine.sync_once()
    assert kiosk.service.evaluate(pretix.secret("to_cancel")).reason is Reason.CANCELLED
    newcomer = kiosk.store.find_by_code(new["positions"][0]["secret"])[0]
    assert (newcomer.full_name, newcomer.status) == ("Nouvelle Inscrite", Status.CONFIRMED)
    assert kiosk.source.pull(kiosk.store.sync_cursor("pretix")).registrations == []


# -- push --------------------------------------------------------------------------------


def test_check_in_upload_is_idempotent_by_nonce(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    kiosk.engine.sync_once()
    secret = pretix.info["bulk"][0]
    result = kiosk.service.check(secret)
    assert result.verdict.reason is Reason.OK
    [item] = kiosk.store.pending()

    assert kiosk.source.push([item]).acknowledged == [item.seq]
    assert kiosk.source.push([item]).acknowledged == [item.seq]  # a retry after a lost answer
    kiosk.engine.sync_once()  # uploads it once more, then pulls it back
    position = _position_id(pretix, secret)
    [checkin] = pretix.checkins(position, successful="true")
    assert checkin["type"] == "entry"
    assert datetime.fromisoformat(checkin["datetime"]) == result.scan.at  # the door time
    assert kiosk.store.count_pending() == 0
    cursor = None
    for _ in range(10):  # a full pull hands every check-in back, ours included
        page = kiosk.source.pull(cursor)
        kiosk.store.apply_pull("pretix", page.registrations, page.scans, page.cursor)
        cursor = page.cursor
        if not page.more:
            break
    assert kiosk.store.count_scans() == 1  # pretix's copy of our own scan is not added


def test_pretix_failing_part_way_keeps_the_rest_and_says_so(pretix: Pretix, make_kiosk):
    redeems: list[int] = []

    def second_redeem_fails(n: int, method: str, path: str) -> str:
        if "checkinrpc/redeem" not in path:
            return "pass"
        redeems.append(n)
        return "pass" if len(redeems) == 1 else "error"

    proxy = FaultProxy(int(pretix.url.rsplit(":", 1)[1].strip("/")))
    try:
        kiosk = make_kiosk("partway", url=proxy.url)
        kiosk.engine.sync_once()
        before = kiosk.engine.status().last_success
        secrets = pretix.info["bulk"][2:5]
        for secret in secrets:
            assert kiosk.service.check(secret).verdict.ok
        proxy.policy = second_redeem_fails
        with pytest.raises(UploadIncomplete, match=r"1 item.*uploaded, 2 left"):
            kiosk.engine.sync_once()
        status = kiosk.engine.status()
        assert status.online is True and status.pending == 2
        assert "pretix error 500" in status.last_error
        assert status.last_success == before  # not a success
        assert kiosk.store.outbox_failures() == []  # not refused: waiting for the next try
        assert [len(pretix.checkins(_position_id(pretix, s))) for s in secrets] == [1, 0, 0]

        proxy.heal()
        assert kiosk.engine.sync_once().uploaded == 2
        assert kiosk.engine.status().last_error == "" and kiosk.store.count_pending() == 0
        assert [len(pretix.checkins(_position_id(pretix, s))) for s in secrets] == [1, 1, 1]
    finally:
        proxy.close()


def test_scan_accepted_offline_is_forced_into_pretix(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    kiosk.engine.sync_once()
    # pretix cancels the order while the kiosk is offline; the kiosk lets the person in.
    with pretix.admin() as api:
        code = pretix.tickets["refused"]["order"]
        answer = api.post(
            f"events/{pretix.info['event']}/orders/{code}/mark_canceled/",
            json={"send_email": False},
        )
        assert answer.status_code == 200, answer.text
    assert kiosk.service.check(pretix.secret("refused")).verdict.ok
    report = kiosk.engine.sync_once()
    assert report.uploaded == 1
    position = pretix.tickets["refused"]["position"]
    assert len(pretix.checkins(position, successful="true")) == 1
    assert kiosk.service.evaluate(pretix.secret("refused")).reason is Reason.CANCELLED


def test_refused_scans_become_failed_checkins_once(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    kiosk.engine.sync_once()
    refused = kiosk.service.check(pretix.secret("blocked")).verdict
    unknown = kiosk.service.check("NOT-A-PRETIX-TICKET").verdict
    assert (refused.reason, unknown.reason) == (Reason.BLOCKED, Reason.UNKNOWN)
    items = kiosk.store.pending()
    assert kiosk.source.push(items).acknowledged == [i.seq for i in items]
    assert kiosk.source.push(items).acknowledged == [i.seq for i in items]  # retried

    position = pretix.tickets["blocked"]["position"]
    [failed] = pretix.checkins(position, successful="false")
    assert failed["error_reason"] == "blocked"
    assert "Door-A" in failed["error_explanation"]
    strangers = [
        c
        for c in pretix.checkins(None, successful="false", error_reason="invalid")
        if c["position"] is None and "Door-A" in (c["error_explanation"] or "")
    ]
    assert len(strangers) == 1
    assert pretix.checkins(position, successful="true") == []


def test_undo_annuls_the_check_in_in_pretix(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    kiosk.engine.sync_once()
    secret = pretix.info["bulk"][1]
    reg_id = kiosk.service.check(secret).scan.registration_id
    kiosk.engine.sync_once()
    position = _position_id(pretix, secret)
    assert len(pretix.checkins(position, successful="true")) == 1
    kiosk.service.undo_last(reg_id, staff="steward")
    kiosk.engine.sync_once()
    assert pretix.checkins(position, successful="true") == []
    [annulled] = pretix.checkins(position, successful="false")
    assert annulled["error_reason"] == "annulled"
    assert kiosk.service.evaluate(secret).reason is Reason.OK  # may check in again


def test_a_check_in_at_another_pretix_door_is_known_here(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    kiosk.engine.sync_once()
    with pretix.admin() as api:  # pretixSCAN at the other door, online
        answer = api.post(
            "checkinrpc/redeem/",
            json={"secret": pretix.secret("pair0"), "lists": [pretix.info["checkin_list"]]},
        )
        assert answer.json()["status"] == "ok", answer.text
    kiosk.engine.sync_once()
    verdict = kiosk.service.evaluate(pretix.secret("pair0"))
    assert verdict.reason is Reason.ALREADY_CHECKED_IN
    assert verdict.previous_kiosk == "pretix"
    assert kiosk.service.evaluate(pretix.secret("pair1")).reason is Reason.OK


def test_two_doors_admitting_one_ticket_offline_is_reported(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    kiosk.engine.sync_once()
    assert kiosk.service.check(pretix.secret("pair1")).verdict.ok  # offline: no upload yet
    with pretix.admin() as api:
        earlier = (datetime.now(TZ) - timedelta(minutes=1)).isoformat()
        answer = api.post(
            "checkinrpc/redeem/",
            json={
                "secret": pretix.secret("pair1"),
                "lists": [pretix.info["checkin_list"]],
                "datetime": earlier,
            },
        )
        assert answer.json()["status"] == "ok", answer.text
    report = kiosk.engine.sync_once()
    assert report.conflicts == 1
    [conflict] = kiosk.store.sync_conflicts()
    assert conflict["registration_id"] == pretix.reg_id("pair1")
    assert (conflict["first_kiosk"], conflict["second_kiosk"]) == ("pretix", "door-a")
    assert len(pretix.checkins(pretix.tickets["pair1"]["position"], successful="true")) == 2


def test_what_pretix_cannot_hold_stays_in_the_outbox_with_why(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    walk_in = OutboxItem(seq=901, kind="registration", key="walkin-1", payload="{}", attempts=0)
    session_scan = Scan(
        nonce="n-session",
        kiosk_id="door-a",
        at=datetime.now(TZ),
        code=pretix.secret("paid"),
        registration_id=pretix.reg_id("paid"),
        kind=ScanKind.SESSION_ENTRY,
        accepted=True,
        reason="ok",
        session_id="W1",
    )
    session_item = OutboxItem(902, "scan", "n-session", json.dumps(scan_to_dict(session_scan)), 0)
    result = kiosk.source.push([walk_in, session_item])
    assert result.acknowledged == []
    assert "walk-ins" in kiosk.source.rejected[901]
    assert "[pretix] session_lists" in kiosk.source.rejected[902]


def test_unknown_code_accepted_offline_is_reported_not_retried(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk()
    ghost = Scan(
        nonce="n-ghost",
        kiosk_id="door-a",
        at=datetime.now(TZ),
        code="A1:NOT-IN-PRETIX",
        registration_id="walkin-7",
        kind=ScanKind.ENTRY,
        accepted=True,
        reason="ok",
    )
    item = OutboxItem(903, "scan", "n-ghost", json.dumps(scan_to_dict(ghost)), 0)
    result = kiosk.source.push([item])
    assert result.acknowledged == [903]
    [conflict] = result.conflicts
    assert (conflict["pretix_reason"], conflict["reason"]) == ("invalid", "unknown")


# -- reasons and errors ------------------------------------------------------------------


def test_every_refusal_reason_is_one_pretix_accepts(pretix: Pretix, make_kiosk):
    kiosk = make_kiosk("reasons")
    refusals = [r for r in Reason if r is not Reason.OK]
    assert set(refusals) == set(REASON_TO_PRETIX)
    items = []
    for n, reason in enumerate(refusals):
        scan = Scan(
            nonce=f"n-reason-{n}",
            kiosk_id="reasons",
            at=datetime.now(TZ),
            code=pretix.secret("speaker"),
            registration_id=pretix.reg_id("speaker"),
            kind=ScanKind.ENTRY,
            accepted=False,
            reason=reason.value,
        )
        items.append(OutboxItem(1000 + n, "scan", scan.nonce, json.dumps(scan_to_dict(scan)), 0))
    assert len(kiosk.source.push(items).acknowledged) == len(refusals)
    stored = sorted(
        c["error_reason"]
        for c in pretix.checkins(pretix.tickets["speaker"]["position"], successful="false")
    )
    assert stored == sorted(REASON_TO_PRETIX[r] for r in refusals)


def test_pretix_reason_codes_map_onto_ours():
    assert reason_from_pretix("canceled") is Reason.CANCELLED
    assert reason_from_pretix("already_redeemed") is Reason.ALREADY_CHECKED_IN
    assert reason_from_pretix("invalid") is Reason.UNKNOWN
    assert reason_from_pretix("unapproved") is Reason.UNPAID
    at = datetime(2026, 12, 8, 9, 0, tzinfo=TZ)
    early = {"valid_from": "2026-12-08T10:00:00+01:00", "valid_until": None}
    late = {"valid_from": None, "valid_until": "2026-12-08T08:00:00+01:00"}
    assert reason_from_pretix("invalid_time", at=at, position=early) is Reason.NOT_YET_VALID
    assert reason_from_pretix("invalid_time", at=at, position=late) is Reason.EXPIRED
    assert reason_from_pretix("no_such_code") is None
    assert pretix_reason("not-a-reason") == "error"
    # Round trip: every pretix code we map to a reason comes back to a pretix code.
    for code, reason in PRETIX_TO_REASON.items():
        if reason is not None:
            assert pretix_reason(reason.value) in PRETIX_TO_REASON, code


def test_wrong_token_and_wrong_list_say_what_to_fix(pretix: Pretix, make_kiosk):
    with pytest.raises(SourceRejected, match=r"\[pretix\] token"):
        make_kiosk("badtoken", token="not-a-token").source.pull(None)
    kiosk = make_kiosk("badlist")
    kiosk.source.checkin_list = 999
    with pytest.raises(SourceRejected, match=r"\[pretix\] checkin_list"):
        kiosk.source.pull(None)


def test_pretix_down_is_unavailable_not_fatal(tmp_path: Path):
    source = PretixSource("http://127.0.0.1:9", "org", "ev", 1, "tok", timeout=2)
    with pytest.raises(SourceUnavailable):
        source.pull(None)
    source.close()


def test_from_config_reads_the_sync_section():
    sync = SyncSection(
        source="pretix",
        url="https://pretix.example.org/",
        pretix_organizer="smartcity",
        pretix_event="sccs",
        pretix_checkin_list=4,
        pretix_token="tok",
        pretix_session_lists=["W1=7", "P1 = 8"],
    )
    source = PretixSource.from_config(sync)
    assert source.session_lists == {"W1": 7, "P1": 8}
    assert str(source._client.base_url) == "https://pretix.example.org/api/v1/organizers/smartcity/"
    source.close()
    from kiosk.config import ConfigError

    with pytest.raises(ConfigError, match=r"\[pretix\] session_lists"):
        PretixSource.from_config(SyncSection(**{**sync.__dict__, "pretix_session_lists": ["W1"]}))
    with pytest.raises(ConfigError, match=r"\[pretix\] organizer, event, checkin_list and token"):
        PretixSource.from_config(SyncSection(**{**sync.__dict__, "pretix_token": ""}))


def _position_id(pretix: Pretix, secret: str) -> int:
    with pretix.admin() as api:
        body = api.get(
            f"events/{pretix.info['event']}/checkinlists/{pretix.info['checkin_list']}/positions/",
            params={"secret": secret, "ignore_status": "true"},
        ).json()
    [position] = body["results"]
    return int(position["id"])


def test_kiosk_event_covers_today():
    assert kiosk_event().day_of(datetime.now(TZ)) == 1
    assert isinstance(kiosk_event().days[0].date, date)
