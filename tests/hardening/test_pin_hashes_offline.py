"""The offline PIN crack attack: read a PIN hash, try every PIN on your own machine.

A 4-digit PIN hash in the world-readable config.toml was cracked in 69 s. Now a PIN hash
lives only in the owner-only secrets file (or the environment); one in a file others can
read stops the program; the supervisor PIN has 6+ digits (100 times the work: figures in
bench/bench_pin_crack.py and SECURITY.md); set-up prints a recovery code whose hash only
is kept.
"""

from __future__ import annotations

import os
import re
import stat

import pytest

import main
from kiosk.commands.setup import DEMO_STEWARD_PIN, DEMO_SUPERVISOR_PIN
from kiosk.config import ConfigError, load_config
from kiosk.staff_auth import (
    MIN_SUPERVISOR_PIN_LENGTH,
    PinFormatError,
    StaffRole,
    check_pin_format,
    hash_pin,
    parse_pin_hash,
    verify_pin,
)
from tests.conftest import ROOT, demo_config

HASH = re.compile(rb"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+")


def test_the_attack_itself_works_on_a_hash_it_can_read():
    """Why hashes must stay unreadable: a 4-digit PIN falls to a plain loop."""
    target = parse_pin_hash(hash_pin("0007"))
    found = next(f"{n:04d}" for n in range(10) if target.matches(f"{n:04d}"))
    assert found == "0007"


def test_the_bundled_config_holds_no_pin_hash():
    assert not HASH.search((ROOT / "config.toml").read_bytes())


def test_a_pin_hash_in_a_file_others_can_read_stops_the_program(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text(f'[staff]\nsupervisor_pin_hash = "{hash_pin("135790")}"\n')
    os.chmod(config, 0o644)
    assert main.main(["--config", str(config), "search", "x"]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "[staff] supervisor_pin_hash" in err
    assert "mode 644" in err and "accueil pin" in err and "ACCUEIL_STAFF_SUPERVISOR" in err
    assert "scrypt$" not in err  # the message never repeats the hash
    os.chmod(config, 0o600)  # an owner-only config.toml may keep it
    assert load_config(config).staff.supervisor_pin_hash.startswith("scrypt$")


def test_the_secrets_file_must_be_owner_only_and_hold_only_secrets(tmp_path):
    config = demo_config(tmp_path)
    secrets = tmp_path / "data" / "secrets.toml"
    secrets.parent.mkdir(mode=0o700)
    secrets.write_text(f'[staff]\npin_hash = "{hash_pin("8642")}"\n')
    os.chmod(secrets, 0o640)
    with pytest.raises(ConfigError) as err:
        load_config(config)
    assert str(secrets) in str(err.value) and "mode 640" in str(err.value)
    assert f"chmod 600 {secrets}" in str(err.value)
    os.chmod(secrets, 0o600)
    assert verify_pin("8642", load_config(config).staff.pin_hash)
    secrets.write_text('[staff]\nmax_attempts = "1000"\n')
    with pytest.raises(ConfigError) as err:
        load_config(config)
    assert "[staff] max_attempts: not a secret" in str(err.value)


def test_the_environment_still_wins_over_the_secrets_file(tmp_path, monkeypatch):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup", "--demo-pins"]) == 0
    line = hash_pin("97531")
    monkeypatch.setenv("ACCUEIL_STAFF_PIN_HASH", line)
    assert load_config(config).staff.pin_hash == line


def test_setup_prints_a_recovery_code_once_and_keeps_only_its_hash(tmp_path, capsys):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup", "--demo-pins"]) == 0
    out = capsys.readouterr().out
    code = re.search(r"RECOVERY CODE: ([\d ]+)\n", out).group(1).replace(" ", "")
    assert len(code) == 12
    assert f"[staff] supervisor_pin_hash = {DEMO_SUPERVISOR_PIN}" in out
    staff = load_config(config).staff
    assert verify_pin(code, staff.recovery_code_hash)
    assert verify_pin(DEMO_STEWARD_PIN, staff.pin_hash)
    assert verify_pin(DEMO_SUPERVISOR_PIN, staff.supervisor_pin_hash)
    # What a thief who can read other users' files finds: no hash, no code.
    for path in tmp_path.rglob("*"):
        if path.is_file():
            body = path.read_bytes()
            assert code.encode() not in body, path
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                assert not HASH.search(body), f"{path} is readable by others and holds a hash"
    # A second set-up keeps the code (and the PINs) and shows nothing new.
    assert main.main(["--config", str(config), "setup", "--demo-pins"]) == 0
    again = capsys.readouterr().out
    assert "RECOVERY CODE" not in again and "demo PIN set" not in again
    assert load_config(config).staff.recovery_code_hash == staff.recovery_code_hash


@pytest.mark.parametrize("pin", ["1357", "13579", "١٣٥٧٩٠", "13579a"])
def test_a_supervisor_pin_has_six_or_more_ascii_digits(pin):
    with pytest.raises(PinFormatError, match="supervisor PIN is 6 or more digits"):
        check_pin_format(pin, StaffRole.SUPERVISOR)
    check_pin_format("0" * MIN_SUPERVISOR_PIN_LENGTH, StaffRole.SUPERVISOR)
