"""`accueil purge` against the real hub on loopback: refused while anything is missing there,
complete once the hub confirmed every scan, with a signed receipt that tampering breaks."""

from __future__ import annotations

import base64
import json
import sqlite3
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import main
from kiosk.commands.purge import canonical, verify_receipt
from kiosk.signing import generate, load_signer
from sync.store import LocalStore, StoreError
from tests.conftest import FixedClock, demo_config
from tests.reports.simulation import load_demo, services
from tests.sync.servers import HubThread, free_port

ORGANISER = "organiser-token-for-purge-tests"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    server = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", ORGANISER)
    yield server
    server.stop()


def kiosk_config(tmp_path: Path, url: str, token: str) -> Path:
    sync = f'[sync]\nsource = "hub"\nurl = "{url}"\ntoken = "{token}"\ntimeout_seconds = 2.0\n'
    return demo_config(tmp_path, "k1", "Entrance 1", sync)


@pytest.fixture
def kiosk(tmp_path: Path, hub: HubThread) -> Path:
    """A kiosk that checked 12 people in, registered a walk-in and printed badge files."""
    config = kiosk_config(tmp_path, hub.url, hub.db.create_token("k1"))
    assert main.main(["--config", str(config), "setup"]) == 0
    event, _, regs = load_demo()
    clock = FixedClock(datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo(event.timezone)))
    with LocalStore(tmp_path / "data" / "k1.db") as store:
        desk = services({"k1": store}, event, clock)["k1"]
        for reg in regs[:12]:
            clock.advance(seconds=30)
            desk.check(reg.codes[0])
        desk.check(regs[0].codes[0])  # refused: already inside (refusals are uploaded too)
        desk.register_walkin("Nadia", "Alami", staff="amina")
    badges = tmp_path / "data" / "badges"
    badges.mkdir()
    for n in range(3):
        (badges / f"badge-{n}.png").write_bytes(b"\x89PNG fake badge")
    return config


def counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as db:
        return {
            t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("registrations", "scans", "outbox", "print_jobs", "codes")
        }


def test_refused_while_scans_are_pending(kiosk, tmp_path, capsys):
    before = counts(tmp_path / "data" / "k1.db")
    assert before["outbox"] == 15  # 13 scans + the walk-in's scan + the walk-in registration
    assert main.main(["--config", str(kiosk), "purge", "--yes", "--no-upload", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "refused: 15 items are not uploaded yet (scans: 14, walk-ins: 1)" in err
    assert counts(tmp_path / "data" / "k1.db") == before
    assert len(list((tmp_path / "data" / "badges").iterdir())) == 3


def test_refused_when_the_hub_is_unreachable(kiosk, tmp_path, capsys):
    text = kiosk.read_text()
    url = text.split('url = "')[1].split('"')[0]
    dead = tmp_path / "dead.toml"
    dead.write_text(text.replace(url, f"http://127.0.0.1:{free_port()}"))  # nothing listens
    before = counts(tmp_path / "data" / "k1.db")
    assert main.main(["--config", str(dead), "purge", "--yes", "--lang", "en"]) == 1
    assert "15 items are not uploaded yet" in capsys.readouterr().err
    assert counts(tmp_path / "data" / "k1.db") == before


def test_purge_after_upload_is_complete_and_the_receipt_verifies(kiosk, tmp_path, hub, capsys):
    data = tmp_path / "data"
    assert main.main(["--config", str(kiosk), "purge", "--yes", "--lang", "en"]) == 0  # uploads first
    out = capsys.readouterr().out
    assert "ACCUEIL PURGE RECEIPT" in out and "scans confirmed:  14" in out
    after = counts(data / "k1.db")
    assert after == dict.fromkeys(after, 0)
    assert not (data / "badges").exists()
    with sqlite3.connect(data / "k1.db") as db:  # the event stays; no sync cursor is left
        assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 9
        assert db.execute("SELECT count(*) FROM meta WHERE key LIKE 'sync.%'").fetchone()[0] == 0
    assert b"Nadia" not in (data / "k1.db").read_bytes()  # vacuumed: no trace in the file
    # the hub holds every scan of this kiosk, the refused one included
    assert len([s for s in hub.db.scans(0, 1000) if s["kiosk_id"] == "k1"]) == 14

    receipts = list((data / "purge-receipts").iterdir())
    assert len(receipts) == 1 and stat.S_IMODE(receipts[0].stat().st_mode) == 0o600
    key = data / "kiosk-signing.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    receipt = json.loads(receipts[0].read_text())
    body = receipt["receipt"]
    assert body["kiosk_id"] == "k1" and body["hub_id"] == hub.db.hub_id
    assert body["confirmed"]["scans"] == 14 and body["confirmed"]["walkins"] == 1
    assert body["confirmed"]["last_nonce"] == body["confirmed"]["hub_last_nonce"]
    assert body["deleted"]["registrations"] == 761 and body["deleted"]["badge_files"] == 3

    assert main.main(["--config", str(kiosk), "purge", "--verify", str(receipts[0])]) == 0
    assert "VALID: signature valid (the kiosk's key" in capsys.readouterr().out

    tampered = tmp_path / "tampered.json"
    body["confirmed"]["scans"] = 13
    tampered.write_text(json.dumps(receipt))
    assert main.main(["--config", str(kiosk), "purge", "--verify", str(tampered), "--lang", "en"]) == 1
    assert "INVALID" in capsys.readouterr().out


def test_a_receipt_resigned_with_another_key_is_refused(kiosk, tmp_path, capsys):
    assert main.main(["--config", str(kiosk), "purge", "--yes", "--lang", "en"]) == 0
    capsys.readouterr()
    path = next((tmp_path / "data" / "purge-receipts").iterdir())
    receipt = json.loads(path.read_text())
    assert verify_receipt(receipt)[0]
    # A forger changes the counts and signs with a key of their own.
    generate(tmp_path / "forger.key", tmp_path / "forger.pub")
    receipt["receipt"]["deleted"]["scans"] = 0
    receipt["public_key"] = (tmp_path / "forger.pub").read_text().strip()
    receipt["signature"] = base64.b64encode(
        load_signer(tmp_path / "forger.key")(canonical(receipt["receipt"]))
    ).decode()
    assert verify_receipt(receipt)[0]  # valid against its own key…
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(receipt))
    own_pub = tmp_path / "data" / "kiosk-signing.pub"
    assert main.main(["--config", str(kiosk), "purge", "--verify", str(forged),
                      "--public-key", str(own_pub)]) == 1  # fmt: skip
    assert "another key" in capsys.readouterr().out
    assert main.main(["--config", str(kiosk), "purge", "--verify", str(forged), "--lang", "en"]) == 1


def test_refused_when_the_hub_lost_scans(kiosk, tmp_path, capsys):
    """The outbox is empty but this hub never got the scans (e.g. a hub database restored
    from an old backup): the hub's answer, not the outbox, decides."""
    assert main.main(["--config", str(kiosk), "sync", "--once", "--lang", "en"]) == 0
    other = HubThread(f"sqlite:///{tmp_path / 'other-hub.db'}", ORGANISER)
    try:
        text = kiosk.read_text()
        old_url = text.split('url = "')[1].split('"')[0]
        old_token = text.split('token = "')[1].split('"')[0]
        moved = tmp_path / "moved.toml"
        moved.write_text(
            text.replace(old_url, other.url).replace(old_token, other.db.create_token("k1"))
        )
        capsys.readouterr()
        assert main.main(["--config", str(moved), "purge", "--yes", "--lang", "en"]) == 1
        err = capsys.readouterr().err
        assert "the hub does not hold all of this kiosk's records (scans: 14, walk-ins: 1" in err
        assert counts(tmp_path / "data" / "k1.db")["scans"] == 14
    finally:
        other.stop()


def test_a_scan_after_the_confirmation_stops_the_purge(tmp_path):
    """The store re-checks inside its transaction: nothing recorded later can be lost."""
    event, sessions, regs = load_demo()
    clock = FixedClock(datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo(event.timezone)))
    with LocalStore(tmp_path / "k.db") as store:
        store.save_event(event, sessions)
        store.upsert_registrations(regs[:5])
        service = services({"k1": store}, event, clock)["k1"]
        service.check(regs[0].codes[0])
        store.mark_sent([i.seq for i in store.pending()])
        confirmed = store.own_scan_nonces()
        service.check(regs[1].codes[0])  # arrives after the hub's answer
        store.mark_sent([i.seq for i in store.pending()])
        with pytest.raises(StoreError, match="not purged"):
            store.purge_attendee_data(len(confirmed), confirmed[-1])
        assert store.count_scans() == 2 and store.count_registrations() == 5
        deleted = store.purge_attendee_data(2, store.own_scan_nonces()[-1])
        assert deleted["scans"] == 2 and store.count_registrations() == 0


def test_refused_when_the_url_answers_but_is_not_a_hub(tmp_path: Path, hub: HubThread) -> None:
    """A proxy page or an older hub that says nothing about missing scans never allows a purge."""
    import http.server
    import threading

    class NotAHub(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps({"kiosk_id": "k1"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotAHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = kiosk_config(tmp_path, f"http://127.0.0.1:{server.server_address[1]}", "t")
        assert main.main(["--config", str(config), "setup"]) == 0
        event, _, regs = load_demo()
        clock = FixedClock(datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo(event.timezone)))
        with LocalStore(tmp_path / "data" / "k1.db") as store:
            services({"k1": store}, event, clock)["k1"].check(regs[0].codes[0])
            store.mark_sent([item.seq for item in store.pending()])  # as if uploaded
        assert main.main(["--config", str(config), "purge", "--yes", "--no-upload", "--lang", "en"]) == 1
        with LocalStore(tmp_path / "data" / "k1.db") as store:
            assert store.count_scans() == 1 and store.count_registrations() > 700
    finally:
        server.shutdown()
