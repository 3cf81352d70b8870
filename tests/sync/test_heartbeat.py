"""Kiosks tell the hub how they are (uploads waiting, printer state) with each sync pass."""

from __future__ import annotations

from sync.engine import SyncEngine
from sync.hub_client import HubSource
from sync.store import LocalStore
from tests.sync.servers import HubThread, wait_until


def test_the_engine_sends_the_kiosk_state_to_the_hub(tmp_path):
    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", "organiser")
    try:
        token = hub.db.create_token("k1")
        with LocalStore(tmp_path / "k1.db") as store:
            state = {"kiosk_name": "Entrance 1", "printer_state": "paper_out", "print_queue": 3}
            engine = SyncEngine(store, HubSource(hub.url, token, "k1", timeout=3), interval=0.2,
                                kiosk_status=lambda: dict(state), heartbeat_every=0.2)  # fmt: skip
            engine.start()
            try:
                beat = wait_until(lambda: hub.db.heartbeats().get("k1"), 10)
                assert (beat["printer_state"], beat["print_queue"], beat["pending_uploads"]) == (
                    "paper_out", 3, 0)  # fmt: skip
                state["printer_state"] = "ok"
                wait_until(lambda: hub.db.heartbeats()["k1"]["printer_state"] == "ok", 10)
            finally:
                engine.stop()
    finally:
        hub.stop()


def test_a_status_that_cannot_be_gathered_does_not_stop_sync(tmp_path):
    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", "organiser")
    try:
        token = hub.db.create_token("k1")
        with LocalStore(tmp_path / "k1.db") as store:

            def broken() -> dict[str, object]:
                raise RuntimeError("printer queue gone")

            engine = SyncEngine(
                store, HubSource(hub.url, token, "k1", timeout=3), kiosk_status=broken
            )
            engine.sync_once()
            engine._turn(0.0)
            assert engine.status().online and not engine.status().last_error
            assert hub.db.heartbeats()["k1"]["pending_uploads"] == 0
    finally:
        hub.stop()
