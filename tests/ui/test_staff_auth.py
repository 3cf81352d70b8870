"""Staff PINs: scrypt hashes, growing lockout kept on disk, no default PIN."""

from __future__ import annotations

import stat
import sys

import pytest

from kiosk.staff_auth import PinFormatError, StaffAuth, StaffRole, hash_pin, verify_pin
from tests.ui.conftest import _HASHES, STEWARD_PIN, SUPERVISOR_PIN, write_config


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def auth(tmp_path, clock=None) -> StaffAuth:
    return StaffAuth(
        _HASHES[STEWARD_PIN],
        _HASHES[SUPERVISOR_PIN],
        tmp_path / "lockout.json",
        max_attempts=3,
        lockout_seconds=30,
        now=clock or Clock(),
    )


def test_hash_is_salted_scrypt_and_verifies_only_the_right_pin():
    a, b = hash_pin("2468"), hash_pin("2468")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert verify_pin("2468", a) and not verify_pin("2469", a)
    with pytest.raises(PinFormatError):
        hash_pin("12a4")
    with pytest.raises(PinFormatError):
        verify_pin("2468", "md5$abc")


def test_roles_come_from_the_matching_hash(tmp_path):
    a = auth(tmp_path)
    assert a.attempt(STEWARD_PIN).role is StaffRole.STEWARD
    assert a.attempt(SUPERVISOR_PIN).role is StaffRole.SUPERVISOR


def test_lockout_grows_and_survives_a_restart(tmp_path):
    clock = Clock()
    a = auth(tmp_path, clock)
    assert [a.attempt("0000").attempts_left for _ in range(2)] == [2, 1]
    third = a.attempt("0000")
    assert third.locked_seconds == 30
    assert a.attempt(STEWARD_PIN).role is None  # locked: even the right PIN waits
    assert stat.S_IMODE((tmp_path / "lockout.json").stat().st_mode) == 0o600
    restarted = auth(tmp_path, clock)
    assert restarted.locked_for() == 30
    clock.t += 31
    assert restarted.attempt("1111").locked_seconds == 60  # the next failure doubles it
    clock.t += 61
    assert restarted.attempt(STEWARD_PIN).ok
    assert restarted.attempt("0000").attempts_left == 2  # success reset the count


def test_no_hash_means_staff_mode_disabled_never_a_default_pin(tmp_path):
    a = StaffAuth("", "", tmp_path / "l.json")
    assert not a.enabled and "accueil pin" in a.disabled_reason()
    assert not a.attempt("2468").ok and not a.attempt("0000").ok


def test_pin_command_keeps_the_hash_in_the_owner_only_secrets_file(tmp_path, monkeypatch, capsys):
    import argparse
    import io

    from kiosk.commands import pin
    from kiosk.config import load_config

    config = write_config(tmp_path)
    rt = argparse.Namespace(config=load_config(config))

    def run(stdin: str, **flags: bool) -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        args = {"supervisor": False, "recovery": False, "print": False, "lang": "en", **flags}
        return pin.run(argparse.Namespace(**args), rt)

    assert run("97531\n97531\n", supervisor=True) == 2  # 5 digits: too short for a supervisor
    assert "supervisor PIN is 6 or more digits" in capsys.readouterr().err
    assert run("975310\n975310\n", supervisor=True) == 0
    secrets = tmp_path / "data" / "secrets.toml"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert "975310" not in secrets.read_text() and "975310" not in config.read_text()
    assert verify_pin("975310", load_config(config).staff.supervisor_pin_hash)
    assert run("975310\n975311\n") == 2
    assert "differ" in capsys.readouterr().err
    assert run("8642\n8642\n", print=True) == 0  # for ACCUEIL_STAFF_PIN_HASH
    key, value = capsys.readouterr().out.strip().split(" = ")
    assert key == "pin_hash" and verify_pin("8642", value.strip('"'))
    assert load_config(config).staff.pin_hash == _HASHES[STEWARD_PIN]  # --print kept nothing


def _damaged() -> list[str]:
    _, n, r, p, salt, digest = hash_pin("97531").split("$")
    return [
        "scrypt$16384$8$1$zz",  # five fields
        f"scrypt${n}${r}$one${salt}${digest}",  # p is not a number
        f"scrypt$1000${r}${p}${salt}${digest}",  # N is not a power of 2
        f"scrypt${n}${r}${p}${salt}${digest[:-4]}*!*!",  # not base64
        f"scrypt${n}${r}${p}${salt}$",  # no hash
    ]


@pytest.mark.parametrize(
    "line", _damaged(), ids=["5-fields", "p-text", "n-not-pow2", "not-base64", "no-hash"]
)
def test_a_damaged_hash_stops_the_start_naming_the_key_and_never_the_hash(tmp_path, line):
    with pytest.raises(PinFormatError) as err:
        StaffAuth(_HASHES[STEWARD_PIN], line, tmp_path / "lockout.json")
    message = str(err.value)
    assert "supervisor_pin_hash" in message and "accueil pin" in message
    for secret in line.split("$")[4:]:
        assert len(secret) < 4 or secret[:8] not in message
    assert not (tmp_path / "lockout.json").exists()


def test_accueil_run_refuses_a_damaged_hash_before_the_app_starts(tmp_path):
    from kiosk.config import ConfigError, load_config
    from main import Runtime

    config = write_config(tmp_path, {"staff": {"pin_hash": "scrypt$16384$8$1$zz"}})
    runtime = Runtime(load_config(config))
    try:
        with pytest.raises(ConfigError) as err:
            runtime.build_app()
    finally:
        runtime.close()
    assert "[staff] pin_hash" in str(err.value) and "zz" not in str(err.value)
