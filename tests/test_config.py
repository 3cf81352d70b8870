"""config.toml: the bundled file loads; bad files exit with status 2 naming file and key."""

from __future__ import annotations

import pytest

import main
from kiosk.config import ConfigError, load_config
from tests.conftest import ROOT


def test_bundled_config_is_valid_and_documented():
    config = load_config(ROOT / "config.toml")
    assert config.kiosk.mode == "kiosk" and config.printer.kind == "preview"
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    for section in (
        "kiosk",
        "event",
        "door",
        "camera",
        "scanner",
        "printer",
        "sync",
        "staff",
        "hub",
    ):
        assert f"[{section}]" in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[kiosk]\nnmae = 'x'\n", "unknown key 'nmae' in [kiosk]"),
        (
            "[kiosk]\nmode = 'party'\n",
            "[kiosk] mode = 'party': expected one of 'kiosk', 'staff', 'door'",
        ),
        ("[camera]\nwidth = '1280'\n", "[camera] width = '1280': expected an integer"),
        ("[camera]\nscanner = 1\n", "[camera] scanner = 1: expected true or false"),
        ("[event]\nregistrations = 'a.csv'\n", "expected a list of a string"),
        ("[printers]\nkind = 'usb'\n", "unknown section [printers]"),
        ("kiosk = 3\n", "'kiosk' must be a [kiosk] table"),
        ("[kiosk\n", "not valid TOML"),
        ("[kiosk]\nid = 'kiosk 1!'\n", "expected 1 to 64 ASCII letters, digits"),
        ("[sync]\nsource = 'hub'\n", "[hub] url is required when [sync] source = 'hub'"),
        ("[event]\ntimezone = 'Europe/Casablanca'\n", "expected a time zone name"),
        (
            "[scanner]\ncode_pattern = 'REF:(['\n",
            "[scanner] code_pattern = 'REF:([': not a valid regular expression",
        ),
        ("[scanner]\ncode_pattern = '(a)(b)'\n", "expected a group named 'code'"),
        ("[scanner]\nurl_keys = ['code', '']\n", "[scanner] url_keys: ''"),
        ("[scanner]\nquiet_gap_ms = 20\n", "[scanner] quiet_gap_ms = 20: expected more"),
    ],
)
def test_bad_config_exits_2_with_file_and_key(tmp_path, capsys, body, expected):
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and expected in str(err.value)
    assert main.main(["--config", str(path), "search", "x"]) == 2
    assert expected in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main.main(["--config", str(tmp_path / "nope.toml"), "search", "x"]) == 2
    assert "configuration file not found" in capsys.readouterr().err


def test_secrets_come_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text("[staff]\npin_hash = 'from-file'\n", encoding="utf-8")
    path.chmod(0o600)  # a PIN hash may stay only in a file others cannot read
    monkeypatch.setenv("ACCUEIL_STAFF_PIN_HASH", "from-env")
    assert load_config(path).staff.pin_hash == "from-env"
