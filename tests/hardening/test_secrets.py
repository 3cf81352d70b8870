"""Nothing secret reaches a log or an error message: tokens, PINs, PIN hashes."""

from __future__ import annotations

import json
import logging
import secrets

import pytest

from kiosk.staff_auth import StaffAuth, hash_pin
from sync.engine import SyncEngine
from sync.hub_client import HubSource
from sync.store import LocalStore
from tests.sync.servers import HubThread, free_port


def test_kiosk_and_organiser_tokens_never_logged(tmp_path, caplog):
    organiser = secrets.token_urlsafe(24)
    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", organiser)
    try:
        token = hub.db.create_token("k1")
        hub.db.revoke_token("k1")
        caplog.set_level(logging.DEBUG)
        messages = []
        for url, tok in (
            (hub.url, token),
            (hub.url, organiser),
            (f"http://127.0.0.1:{free_port()}", token),
        ):
            with LocalStore(tmp_path / f"k{len(messages)}.db") as store:
                engine = SyncEngine(store, HubSource(url, tok, "k1", timeout=2), interval=1)
                with pytest.raises(Exception) as err:
                    engine.sync_once()
                messages.append(str(err.value))
                messages.append(engine.status().last_error)
    finally:
        hub.stop()
    text = "\n".join(messages) + caplog.text
    assert "revoked" in text or "unknown" in text  # the refusal is explained…
    assert token not in text and organiser not in text  # …without the secret


def test_pin_and_hash_never_logged(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    line = hash_pin("246813")
    auth = StaffAuth(line, "", tmp_path / "lockout.json", max_attempts=2, lockout_seconds=1)
    for pin in ("975310", "864209", "246813"):
        auth.attempt(pin)
    state = json.loads((tmp_path / "lockout.json").read_text())
    strings = [v for v in state.values() if isinstance(v, str)] + list(state)
    for secret in ("246813", "975310", "864209", line.split("$")[-1]):
        assert secret not in caplog.text
        assert not any(secret in s for s in strings)
