"""The hub's organiser page: its API over HTTP, and the page itself in Debian's chromium.

The real hub runs on loopback (uvicorn in a thread, SQLite in tmp_path); two kiosks with
their own stores check people in and upload through the real sync engine.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

import main
from kiosk.core.model import Direction, Event, EventDay, Session
from kiosk.core.service import CheckinService
from sync.engine import SyncEngine
from sync.hub_client import HubSource
from sync.reports import event_to_dict
from sync.store import LocalStore
from tests.conftest import ROOT, FixedClock
from tests.reports.simulation import load_demo, services
from tests.sync.servers import HubThread

ORGANISER = "organiser-token-for-dashboard-tests"
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Kiosk:
    store: LocalStore
    service: CheckinService
    engine: SyncEngine
    source: HubSource
    token: str


def moved_to_today(event: Event, sessions: list[Session]) -> dict[str, object]:
    """The demo event with day 1 today: the kiosks here scan at the real time ("arrivals in
    the last hour"), and the hub takes scans only around the event's days."""
    shift = datetime.now(ZoneInfo(event.timezone)).date() - event.first_date
    days = tuple(EventDay(d.number, d.date + shift) for d in event.days)
    moved = [replace(s, start=s.start + shift, end=s.end + shift) for s in sessions]
    return event_to_dict(replace(event, days=days), moved)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    event, sessions, regs = load_demo()
    server = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", ORGANISER)
    server.db.import_registrations(regs)
    server.db.set_event_definition(moved_to_today(event, sessions))
    yield server
    server.stop()


@pytest.fixture
def kiosks(hub: HubThread, tmp_path: Path) -> Iterator[dict[str, Kiosk]]:
    """Kiosks k1 and door, synced once (they hold the registration list)."""
    event, sessions, _ = load_demo()
    clock = FixedClock(datetime.now(ZoneInfo(event.timezone)))  # "arrivals in the last hour"
    made: dict[str, Kiosk] = {}
    for kiosk_id in ("k1", "door"):
        store = LocalStore(tmp_path / f"{kiosk_id}.db")
        store.save_event(event, sessions)
        token = hub.db.create_token(kiosk_id)
        source = HubSource(hub.url, token, kiosk_id)
        engine = SyncEngine(store, source)
        engine.sync_once()
        service = services({kiosk_id: store}, event, clock)[kiosk_id]
        made[kiosk_id] = Kiosk(store, service, engine, source, token)
    yield made
    for kiosk in made.values():
        kiosk.source.close()
        kiosk.store.close()


def check_in(kiosk: Kiosk, count: int, start: int = 0) -> list[str]:
    regs = [r for r in kiosk.store.all_registrations() if r.status.value == "confirmed"]
    regs.sort(key=lambda r: r.id)
    done = []
    for reg in regs[start : start + count]:
        assert kiosk.service.check(reg.codes[0]).verdict.ok
        done.append(reg.id)
    return done


def heartbeat(hub: HubThread, kiosk: Kiosk, **state: object) -> httpx.Response:
    return httpx.post(
        f"{hub.url}/v1/heartbeat",
        json=state,
        headers={"Authorization": f"Bearer {kiosk.token}"},
        timeout=5,
    )


def organiser() -> dict[str, str]:
    return {"Authorization": f"Bearer {ORGANISER}"}


def test_live_counts_follow_uploads(hub, kiosks):
    url = f"{hub.url}/dashboard/live.json"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    first = httpx.get(url, headers=organiser()).json()
    assert first["checked_in"] == 0 and first["registered"] == 760 - 11
    assert first["event_published"] and {s["id"] for s in first["sessions"]} == {
        "P1", "W1", "W2", "P2", "W3"
    }  # fmt: skip

    ids = check_in(kiosks["k1"], 7)
    kiosks["k1"].engine.sync_once()
    door = kiosks["door"]
    door.engine.sync_once()  # the door kiosk learns of the entries
    for reg_id in ids[:4]:
        reg = door.store.get(reg_id)
        assert door.service.check(reg.codes[0], Direction.ENTRY, "W1").verdict.ok
    door.service.check(door.store.get(ids[0]).codes[0], Direction.EXIT, "W1")
    door.engine.sync_once()
    assert heartbeat(hub, door, pending_uploads=0, printer_state="paper_low", print_queue=2,
                     kiosk_name="Door W1").status_code == 200  # fmt: skip

    now = httpx.get(url, headers=organiser()).json()
    assert now["day"] == 1
    assert now["checked_in"] == 7 and now["inside"] == 7 and now["arrivals_last_hour"] == 7
    w1 = next(s for s in now["sessions"] if s["id"] == "W1")
    assert w1["attended"] == 4 and w1["inside"] == 3 and w1["capacity"] == 40
    by_id = {k["kiosk_id"]: k for k in now["kiosks"]}
    assert by_id["k1"]["scans"] == 7 and by_id["k1"]["printer_state"] == ""
    assert by_id["door"]["printer_state"] == "paper_low" and by_id["door"]["print_queue"] == 2
    assert by_id["door"]["name"] == "Door W1" and by_id["door"]["seconds_since_contact"] < 60


def test_kiosk_calls_need_a_kiosk_token(hub, kiosks):
    assert httpx.post(f"{hub.url}/v1/heartbeat", json={}).status_code == 401
    bad = httpx.post(f"{hub.url}/v1/heartbeat", json={}, headers=organiser())
    assert bad.status_code == 403  # the organiser token is not a kiosk's
    wrong = heartbeat(hub, kiosks["k1"], pending_uploads=-1)
    assert wrong.status_code == 422
    answer = httpx.post(
        f"{hub.url}/v1/purge/confirm",
        json={"scans": ["not-a-nonce"], "registrations": []},
        headers={"Authorization": f"Bearer {kiosks['k1'].token}"},
    ).json()
    assert answer["kiosk_id"] == "k1" and answer["missing_scans"] == ["not-a-nonce"]


def test_csv_download_and_event_publishing(hub, kiosks):
    ids = check_in(kiosks["k1"], 5)
    kiosks["k1"].engine.sync_once()
    answer = httpx.get(f"{hub.url}/dashboard/csv/checkins.csv?day=1", headers=organiser())
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert sorted(r["registration_id"] for r in rows) == sorted(ids)
    assert httpx.get(f"{hub.url}/dashboard/csv/checkins.csv").status_code == 401
    assert (
        httpx.get(f"{hub.url}/dashboard/csv/passwords.csv", headers=organiser()).status_code == 404
    )
    bad = httpx.put(f"{hub.url}/v1/admin/event", json={"slug": "x"}, headers=organiser())
    assert bad.status_code == 422 and "missing" in bad.json()["detail"]
    assert httpx.put(f"{hub.url}/v1/admin/event", json={}).status_code == 401


def test_login_form(hub):
    page = httpx.get(f"{hub.url}/dashboard")
    assert page.status_code == 200 and 'name="token"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    wrong = httpx.post(f"{hub.url}/dashboard/login", data={"token": "nope"})
    assert wrong.status_code == 401 and "Wrong organiser token" in wrong.text
    right = httpx.post(f"{hub.url}/dashboard/login", data={"token": ORGANISER})
    assert right.status_code == 303
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and ORGANISER not in cookie
    with httpx.Client(base_url=hub.url, cookies=right.cookies) as client:
        assert client.get("/dashboard/live.json").status_code == 200
        assert "checked-in" in client.get("/dashboard").text
    forged = {"accueil_organiser": "9999999999.deadbeef"}
    assert httpx.get(f"{hub.url}/dashboard/live.json", cookies=forged).status_code == 401


def _chromium_or_skip() -> None:
    if Path(CHROMIUM).exists() and shutil.which("chromium"):
        return
    message = "Debian's chromium is not installed (scripts/apt-packages.txt: chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def browser() -> Iterator[object]:
    _chromium_or_skip()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield chromium
        chromium.close()


def test_the_page_in_a_real_browser(hub, kiosks, browser, tmp_path):
    from playwright.sync_api import expect

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    page.goto(f"{hub.url}/dashboard?refresh=1")
    page.fill("#token", "wrong token")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("Wrong organiser token")
    page.fill("#token", ORGANISER)
    page.click("button[type=submit]")
    page.goto(f"{hub.url}/dashboard?refresh=1")  # signed in: the page itself, updated every second
    expect(page.locator("#checked-in")).to_have_text("0")
    expect(page.locator("#registered")).to_have_text("749")
    cookie = next(c for c in context.cookies() if c["name"] == "accueil_organiser")
    assert cookie["httpOnly"] and ORGANISER not in cookie["value"]
    assert page.evaluate("document.cookie") == ""  # the script cannot read the session

    ids = check_in(kiosks["k1"], 6)
    kiosks["k1"].engine.sync_once()
    heartbeat(hub, kiosks["k1"], pending_uploads=0, printer_state="paper_out", print_queue=4)
    # The page polls on its own: no reload.
    expect(page.locator("#checked-in")).to_have_text("6")
    expect(page.locator("#arrivals-hour")).to_have_text("6")
    k1 = page.locator("#kiosks tr[data-kiosk=k1]")
    expect(k1).to_contain_text("paper_out")
    expect(k1.locator("td").nth(2)).to_have_text("6")

    door = kiosks["door"]
    door.engine.sync_once()
    for reg_id in ids[:3]:
        door.service.check(door.store.get(reg_id).codes[0], Direction.ENTRY, "P1")
    door.engine.sync_once()
    p1 = page.locator("#sessions tr[data-session=P1]")
    expect(p1.locator("td").nth(3)).to_have_text("3")  # inside
    expect(p1.locator("td").nth(5)).to_have_text("600")  # capacity

    with page.expect_download() as waiting:
        page.click("a.csv[data-table=checkins]")
    download = waiting.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.name == "checkins-day1.csv"
    with saved.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["registration_id"] for r in rows) == sorted(ids)
    context.close()


def test_report_command_on_the_hub(hub, kiosks, tmp_path, capsys):
    ids = check_in(kiosks["k1"], 4)
    kiosks["k1"].engine.sync_once()
    heartbeat(hub, kiosks["k1"], pending_uploads=0, printer_state="ok", reprints=2)
    config = tmp_path / "hub.toml"
    config.write_text(
        f"""
[kiosk]
data_dir = "{tmp_path / "hub-data"}"
[event]
definition = "{ROOT / "demo/event.json"}"
[hub]
database = "sqlite:///{tmp_path / "hub.db"}"
[staff]
language = "en"
""",
        encoding="utf-8",
    )
    out = tmp_path / "hub-report"
    assert main.main(["--config", str(config), "report", "--out", str(out)]) == 0  # found the hub
    printed = capsys.readouterr().out
    assert "hub (all kiosks)" in printed
    with (out / "checkins.csv").open(encoding="utf-8-sig", newline="") as f:
        assert sorted(r["registration_id"] for r in csv.DictReader(f)) == sorted(ids)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Reprints are kept on each kiosk" in page and "k1: 2" in page


def test_an_event_text_the_database_cannot_store_is_a_422_and_the_event_stays(hub):
    """A lone surrogate escaped in the JSON body ("\\ud800") reached the database and the
    hub answered 500; now a 422 naming the key, and the published event is unchanged."""
    published = hub.db.event_definition()
    assert published is not None
    for bad in ('"\\ud800"', '"Casa\\udfffblanca"', '"a\\u0000b"'):
        body = json.dumps(published)[:-1] + f', "name": {bad}}}'
        answer = httpx.put(
            f"{hub.url}/v1/admin/event",
            content=body.encode(),
            headers={**organiser(), "Content-Type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"].startswith("event: name must be one line of Unicode")
        assert hub.db.event_definition() == published
