"""The operator's path: `accueil hub import/token/serve/status`, `accueil sync --once/status`."""

from __future__ import annotations

import json
import stat

import pytest

import main
from tests.conftest import ROOT
from tests.sync.servers import ORGANISER, HubProcess


@pytest.fixture
def hub_config(tmp_path):
    folder = tmp_path / "hub"
    folder.mkdir()
    config = folder / "config.toml"
    config.write_text(
        f'[hub]\ndatabase = "sqlite:///hub.db"\n[event]\ndefinition = "{ROOT / "demo/event.json"}"\n',
        encoding="utf-8",
    )
    return config


def kiosk_config(tmp_path, url: str, token: str):
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""
[kiosk]
id = "door-1"
data_dir = "{tmp_path / "kiosk-data"}"
[sync]
source = "hub"
url = "{url}"
token = "{token}"
""",
        encoding="utf-8",
    )
    return config


def test_hub_and_sync_commands_end_to_end(tmp_path, hub_config, capsys):
    csv = ROOT / "demo/registrations.csv"
    assert main.main(["--config", str(hub_config), "hub", "import", "--lang", "en", str(csv)]) == 0
    out = capsys.readouterr().out
    count = int(out.split(": ")[1].split()[0])
    assert count > 100 and f"{count} new or changed" in out
    hub_db = hub_config.parent / "hub.db"  # relative to the config file
    assert stat.S_IMODE(hub_db.stat().st_mode) == 0o600

    assert main.main(["--config", str(hub_config), "hub", "token", "create", "door-1"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("acc_")

    server = HubProcess(hub_config, ORGANISER)
    try:
        kiosk = kiosk_config(tmp_path, server.url, token)
        assert main.main(["--config", str(kiosk), "sync", "--once", "--lang", "en"]) == 0
        captured = capsys.readouterr()
        assert f"{count} registrations changed" in captured.out

        assert main.main(["--config", str(kiosk), "sync", "status", "--lang", "en"]) == 0
        out = capsys.readouterr().out
        assert "waiting to upload: 0" in out
        assert f"registration list: {count} (incremental)" in out
        assert "hub: reachable, token accepted" in out

        assert main.main(["--config", str(hub_config), "hub", "token", "revoke", "door-1"]) == 0
        assert main.main(["--config", str(kiosk), "sync", "--once", "--lang", "en"]) == 2
        assert "token create door-1" in capsys.readouterr().err
        assert main.main(["--config", str(kiosk), "sync", "status", "--lang", "en"]) == 1

        assert main.main(["--config", str(hub_config), "hub", "token", "list"]) == 0
        assert "door-1\trevoked" in capsys.readouterr().out
        assert main.main(["--config", str(hub_config), "hub", "status", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["stats"]["registrations"] == count
    finally:
        server.stop()


def test_sync_without_a_source_says_what_to_set(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    assert main.main(["--config", str(config), "sync", "--once", "--lang", "en"]) == 2
    assert 'set source = "hub"' in capsys.readouterr().err


def test_hub_token_for_a_bad_kiosk_id_is_refused(hub_config, capsys):
    assert main.main(["--config", str(hub_config), "hub", "token", "create", "door 1!"]) == 2
    assert "letters, digits" in capsys.readouterr().err
