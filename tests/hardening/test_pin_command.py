"""The careless operator at `accueil pin`: the same PIN for both roles, no PIN at all.

One PIN for steward and supervisor made every steward a supervisor (override, quit: the
PIN box takes the first role whose hash matches). Run without a terminal, `accueil pin`
said the empty PIN was too short.
"""

from __future__ import annotations

import io

import main
from kiosk.commands.setup import DEMO_STEWARD_PIN, DEMO_SUPERVISOR_PIN
from tests.conftest import demo_config


def pin(monkeypatch, config, typed: str, *flags: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    return main.main(["--config", str(config), "pin", "--lang", "en", *flags])


def test_a_steward_pin_equal_to_the_supervisors_is_refused_and_nothing_changes(
    tmp_path, capsys, monkeypatch
):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup", "--demo-pins"]) == 0
    secrets = tmp_path / "data" / "secrets.toml"
    before = secrets.read_text()
    capsys.readouterr()
    same = f"{DEMO_SUPERVISOR_PIN}\n{DEMO_SUPERVISOR_PIN}\n"
    assert pin(monkeypatch, config, same) == 2
    assert "steward and supervisor PINs must differ" in capsys.readouterr().err
    assert secrets.read_text() == before
    same = f"{DEMO_STEWARD_PIN}00\n{DEMO_STEWARD_PIN}00\n"
    assert pin(monkeypatch, config, same, "--supervisor") == 0  # differs from 2468
    assert secrets.read_text() != before


def test_no_pin_on_standard_input_says_so(tmp_path, capsys, monkeypatch):
    config = demo_config(tmp_path)
    assert pin(monkeypatch, config, "") == 2
    err = capsys.readouterr().err
    assert "no PIN given" in err and "4 or more digits" not in err
