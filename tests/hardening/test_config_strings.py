"""The careless operator's strings: paths the OS cannot take, control characters, a key
file that is a folder, a copied secrets file owned by someone else.

Each used to end in a traceback (ValueError: embedded null byte, OSError: File name too
long, IsADirectoryError) or in advice that could not help ("it is mode 600: run chmod
600"). Every one must stop `accueil` with exit status 2 and a message naming the file,
the key and what is expected.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import main
from kiosk.config import _SECTIONS, ConfigError, load_config
from tests.conftest import ROOT, demo_config

LONG = "a" * 300  # over NAME_MAX (255 bytes)

TABLE = [
    # (section, key, TOML value, what the message says is expected)
    ("kiosk", "secrets_file", '"x\\u0000y"', "without control characters"),
    ("kiosk", "secrets_file", f'"{LONG}"', "each name at most 255 bytes"),
    ("kiosk", "name", '"Kiosk \\u001b]52;c;aGk=\\u0007"', "without control characters"),
    ("kiosk", "name", '"Kiosk\\u009b31m"', "without control characters"),
    ("event", "definition", '"demo/\\u0000.json"', "without control characters"),
    ("event", "registrations", f'["{LONG}.csv"]', "each name at most 255 bytes"),
    ("event", "public_key", '"k\\u0000"', "without control characters"),
    ("event", "public_key", f'"{LONG}"', "each name at most 255 bytes"),
    ("event", "private_key", f'"keys/{LONG}"', "each name at most 255 bytes"),
    ("event", "timezone", f'"{LONG}"', "a time zone name"),
    ("camera", "source", f'"{LONG}.mp4"', "each name at most 255 bytes"),
    ("printer", "device", '"/dev/usb/lp0\\u0000"', "without control characters"),
    ("badge", "logo", f'"{"b" * 5000}.png"', "each name at most 255 bytes"),
    ("sync", "url", '"http://127.0.0.1:8470\\n"', "without control characters"),
]


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"), TABLE, ids=[f"{r[0]}.{r[1]}" for r in TABLE]
)
def test_a_string_the_os_or_the_screen_cannot_take_exits_2(
    tmp_path, capsys, section, key, value, expected
):
    config = tmp_path / "config.toml"
    config.write_text(f"[{section}]\n{key} = {value}\n", encoding="utf-8")
    assert main.main(["--config", str(config), "search", "xy"]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and f"[{section}] {key}" in err and expected in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("key", ["public_key", "private_key"])
@pytest.mark.parametrize("what", ["folder", "binary"])
def test_a_key_file_that_is_a_folder_or_not_text_exits_2(tmp_path, capsys, key, what):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup"]) == 0
    capsys.readouterr()
    target = tmp_path / "keyfile"
    if what == "folder":
        target.mkdir()
    else:
        target.write_bytes(bytes(range(256)))
    text = config.read_text()
    original = str(
        ROOT / ("demo/organiser.pub" if key == "public_key" else "demo/demo-organiser.key")
    )
    config.write_text(text.replace(original, str(target)), encoding="utf-8")
    assert main.main(["--config", str(config), "checkin", "S0001"]) == 2
    err = capsys.readouterr().err
    assert f"[event] {key}" in err and str(target) in err, err
    assert ("found a folder" if what == "folder" else "not an Accueil key file") in err


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_copied_secrets_file_owned_by_another_user_says_so(tmp_path, capsys):
    """The data folder copied from another machine keeps its owner; 'chmod 600' cannot help."""
    config = demo_config(tmp_path)
    secrets = tmp_path / "data" / "secrets.toml"
    secrets.parent.mkdir(mode=0o700)
    fd = os.open(secrets, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chown(secrets, 4242, 4242)
    assert main.main(["--config", str(config), "search", "xy"]) == 2
    err = capsys.readouterr().err
    assert "belongs to uid 4242" in err and "chmod" not in err, err
    assert str(secrets) in err


STRING_KEYS = [
    (name, f.name)
    for name, section in _SECTIONS.items()
    for f in fields(section.default_factory)
    if "str" in str(f.type) and "Literal" not in str(f.type) and "dict" not in str(f.type)
]


@settings(max_examples=150, deadline=None)
@given(
    where=st.sampled_from(STRING_KEYS),
    text=st.text(st.characters(codec="utf-8"), max_size=300),
)
def test_any_string_in_any_string_key_loads_or_is_refused_by_name(tmp_path_factory, where, text):
    """The kind: whatever string an operator types, load_config accepts it or raises
    ConfigError naming the key; never another exception."""
    section, key = where
    folder = tmp_path_factory.mktemp("cfg")
    config = folder / "config.toml"
    value = json.dumps([text] if key == "registrations" else text, ensure_ascii=False)
    tables = {"kiosk": {"data_dir": '"data"'}, section: {}}
    tables[section][key] = value
    config.write_text(
        "".join(
            f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
            for name, keys in tables.items()
        ),
        encoding="utf-8",
    )
    try:
        loaded = load_config(config)
    except ConfigError as exc:
        assert str(config) in str(exc)
        return
    runtime = main.Runtime(loaded)
    try:
        runtime.verifier  # noqa: B018  (a key file path is read here)
        runtime.signer  # noqa: B018
    except ConfigError:
        pass
    finally:
        runtime.close()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_a_token_in_clear_in_a_config_others_can_read_is_warned_about(tmp_path, capsys, mode):
    """The careless operator's `token = "…"` in config.toml (mode 644 by default): any
    user of the machine can read and use it. A warning at every command, naming the key
    and where it belongs; never the token itself."""
    config = demo_config(
        tmp_path,
        extra='[sync]\nsource = "hub"\nurl = "http://127.0.0.1:9"\ntoken = "k-secret-42"\n'
        '[hub]\norganiser_token = "sha256:' + "0" * 64 + '"\n',
    )
    config.chmod(mode)
    assert main.main(["--config", str(config), "setup"]) == 0
    err = capsys.readouterr().err
    warned = f"{config}: [sync] token: a token in clear in a file others can read" in err
    assert warned is (mode != 0o600), err
    assert "k-secret-42" not in err and "organiser_token" not in err
    if warned:
        assert "ACCUEIL_SYNC_TOKEN" in err and "secrets.toml" in err


@pytest.mark.parametrize("where", ["secrets file", "environment"])
def test_a_damaged_pin_hash_is_named_where_it_was_read(tmp_path, monkeypatch, where):
    """The operator who set ACCUEIL_STAFF_PIN_HASH (or edited the secrets file) was sent
    to config.toml, which holds no hash."""
    config = demo_config(tmp_path)
    secrets = tmp_path / "data" / "secrets.toml"
    secrets.parent.mkdir(mode=0o700)
    if where == "environment":
        monkeypatch.setenv("ACCUEIL_STAFF_PIN_HASH", "scrypt$16384$8$1$zz")
        expected = "ACCUEIL_STAFF_PIN_HASH (environment): [staff] pin_hash"
    else:
        fd = os.open(secrets, os.O_CREAT | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write('[staff]\npin_hash = "scrypt$16384$8$1$zz"\n')
        expected = f"{secrets}: [staff] pin_hash"
    runtime = main.Runtime(load_config(config))
    try:
        with pytest.raises(ConfigError) as err:
            runtime.build_app()
    finally:
        runtime.close()
    assert str(err.value).startswith(expected), err.value
    assert "zz" not in str(err.value)


def test_a_missing_event_definition_names_the_config_file(tmp_path, capsys):
    config = demo_config(tmp_path)
    config.write_text(config.read_text().replace("demo/event.json", "demo/nope.json"))
    assert main.main(["--config", str(config), "setup"]) == 2
    err = capsys.readouterr().err
    assert f"{config}: [event] definition:" in err and "nope.json" in err, err


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
@pytest.mark.parametrize("what", ["folder", "store"])
def test_a_data_folder_of_another_user_exits_2_naming_owner_and_fix(tmp_path, capsys, what):
    """`sudo accueil setup` then `accueil run` as the kiosk's user, or a data folder copied
    from another machine: the chmod to owner-only used to end in PermissionError."""
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup"]) == 0
    capsys.readouterr()
    data = tmp_path / "data"
    target = data if what == "folder" else data / "desk-1.db"
    os.chown(target, 4242, 4242)
    assert main.main(["--config", str(config), "search", "xy"]) == 2
    err = capsys.readouterr().err
    assert f"{config}: [kiosk] data_dir" in err and f"{target} belongs to uid 4242" in err, err
    assert f"chown -R {os.geteuid()} {data}" in err and "Traceback" not in err
