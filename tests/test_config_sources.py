"""Each source's options in its own table ([hub], [pretix]), validated by what the source
declares; the old flat [sync] keys still work, each with a one-line deprecation notice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import main
from kiosk.config import ConfigError, load_config, write_secret
from kiosk.registry import source_kind
from tests.conftest import demo_config

PRETIX_NEW = """[sync]
source = "pretix"
[pretix]
url = "https://pretix.example.org"
organizer = "smartcity"
event = "sccs"
checkin_list = 4
token = "tok"
session_lists = ["W1=7"]
"""

PRETIX_OLD = """[sync]
source = "pretix"
url = "https://pretix.example.org"
pretix_organizer = "smartcity"
pretix_event = "sccs"
pretix_checkin_list = 4
pretix_token = "tok"
pretix_session_lists = ["W1=7"]
"""


@pytest.fixture(autouse=True)
def _no_token_in_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("ACCUEIL_") and name.endswith("TOKEN"):
            monkeypatch.delenv(name)


def _load(tmp_path: Path, tables: str):
    config = demo_config(tmp_path, extra=tables)
    config.chmod(0o600)
    return load_config(config)


def test_the_old_flat_keys_read_as_the_new_table(tmp_path):
    new = _load(tmp_path, PRETIX_NEW)
    old = _load(tmp_path, PRETIX_OLD)
    assert old.source_options() == new.source_options()
    assert new.warnings == []
    notices = [w for w in old.warnings if "deprecated" in w]
    assert len(notices) == 6
    assert any("[sync] pretix_token is deprecated: move it to [pretix] token" in w for w in notices)
    assert any("[sync] url is deprecated: move it to [pretix] url" in w for w in notices)
    assert all("\n" not in w for w in notices)
    # code that still reads [sync] sees the same values either way
    assert (new.sync.url, new.sync.pretix_checkin_list) == ("https://pretix.example.org", 4)


def test_hub_keys_share_the_hub_table(tmp_path):
    config = _load(
        tmp_path,
        '[sync]\nsource = "hub"\n[hub]\nurl = "http://127.0.0.1:8470"\ntoken = "t1"\nport = 8471\n',
    )
    assert (config.source_options().url, config.source_options().token) == (
        "http://127.0.0.1:8470",
        "t1",
    )
    assert config.hub.port == 8471 and config.sync.token == "t1"
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "[hub]\ntokn = 't'\n")
    assert (caught.value.section, caught.value.key) == ("hub", "tokn")
    assert "organiser_token" in str(caught.value) and "url" in str(caught.value)


def test_a_bad_option_is_refused_by_the_sources_declaration(tmp_path):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "[pretix]\ncheckin_list = -1\n")
    assert (caught.value.section, caught.value.key) == ("pretix", "checkin_list")
    assert "at least 0" in str(caught.value)


def test_the_source_url_is_required(tmp_path):
    with pytest.raises(ConfigError, match=r"\[pretix\] url is required when \[sync\] source"):
        _load(tmp_path, '[sync]\nsource = "pretix"\n')


def test_new_secrets_come_from_the_environment_and_the_secrets_file(tmp_path, monkeypatch):
    config = demo_config(tmp_path, extra='[sync]\nsource = "hub"\n[hub]\nurl = "http://h:1"\n')
    loaded = load_config(config)
    write_secret(loaded, "hub", "token", "from-file")
    assert load_config(config).source_options().token == "from-file"
    monkeypatch.setenv("ACCUEIL_HUB_TOKEN", "from-env")
    again = load_config(config)
    assert again.source_options().token == "from-env" and again.sync.token == "from-env"
    assert again.secret_origins["hub", "token"] == "ACCUEIL_HUB_TOKEN (environment)"


def test_the_old_environment_variable_still_wins_over_a_file(tmp_path, monkeypatch):
    config = demo_config(
        tmp_path, extra='[sync]\nsource = "hub"\n[hub]\nurl = "http://h:1"\ntoken = "in-file"\n'
    )
    config.chmod(0o600)
    monkeypatch.setenv("ACCUEIL_SYNC_TOKEN", "from-old-env")
    loaded = load_config(config)
    assert loaded.source_options().token == "from-old-env"
    assert loaded.warnings == []  # the environment is not the file: nothing to move


def test_an_empty_hub_token_names_the_new_key(tmp_path, capsys):
    config = demo_config(tmp_path, extra='[sync]\nsource = "hub"\n[hub]\nurl = "http://h:1"\n')
    assert main.main(["--config", str(config), "setup"]) == 0
    capsys.readouterr()
    assert main.main(["--config", str(config), "sync", "--once", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "[hub] token is empty" in err and "ACCUEIL_HUB_TOKEN" in err


@settings(max_examples=40, deadline=None)
@given(
    key=st.sampled_from(sorted(k for k in source_kind("pretix").legacy if k != "url")),
    text=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
)
def test_any_value_of_an_old_key_loads_as_the_new_one_or_is_refused_by_name(
    tmp_path_factory, key, text
):
    """The kind: whatever an old config holds, it reads as the same config written the new
    way (same options, same refusal) — never lost, never another exception."""
    import json

    folder = tmp_path_factory.mktemp("cfg")
    new_key = source_kind("pretix").legacy[key]
    value = {
        "pretix_checkin_list": len(text),
        "pretix_session_lists": [text],
    }.get(key, text)
    old = demo_config(folder, extra=f"[sync]\n{key} = {json.dumps(value)}\n")
    folder2 = tmp_path_factory.mktemp("cfg")
    new = demo_config(folder2, extra=f"[pretix]\n{new_key} = {json.dumps(value)}\n")
    outcomes = []
    for path in (old, new):
        path.chmod(0o600)
        try:
            outcomes.append(getattr(load_config(path).sources["pretix"], new_key))
        except ConfigError as exc:
            assert str(path) in str(exc)
            outcomes.append(("refused", exc.expected))
    assert outcomes[0] == outcomes[1]


def test_pretix_keys_reach_sync_readers_whatever_the_source(tmp_path):
    """`accueil report` on the hub's machine takes the check-in list from [pretix]."""
    config = _load(tmp_path, '[sync]\nsource = "none"\n[pretix]\ncheckin_list = 9\n')
    assert config.sync.pretix_checkin_list == 9 and config.sync.url == ""


def test_an_old_config_runs_and_says_once_per_key_where_it_moved(tmp_path, capsys):
    config = demo_config(
        tmp_path, extra='[sync]\nsource = "hub"\nurl = "http://127.0.0.1:9"\ntoken = "t"\n'
    )
    config.chmod(0o600)
    assert main.main(["--config", str(config), "setup"]) == 0
    err = capsys.readouterr().err.splitlines()
    notices = [line for line in err if "deprecated" in line]
    assert notices == [
        f"accueil: warning: {config}: [sync] url is deprecated: move it to [hub] url "
        "(read from [sync] for now)",
        f"accueil: warning: {config}: [sync] token is deprecated: move it to [hub] token "
        "(read from [sync] for now)",
    ]


def _both(source: str, old: str, new: str, old_value: object, new_value: object) -> str:
    section = source_kind(source).section
    return (
        f'[sync]\nsource = "{source}"\n{old} = {old_value!r}\n[{section}]\n{new} = {new_value!r}\n'
    ).replace("'", '"')


@pytest.mark.parametrize(
    ("source", "old", "new", "old_value", "new_value"),
    [
        ("pretix", "url", "url", "https://old.example.org", "https://new.example.org"),
        ("pretix", "pretix_checkin_list", "checkin_list", 3, 4),
        ("pretix", "pretix_event", "event", "old", "new"),
        ("pretix", "pretix_token", "token", "old", "new"),
        ("hub", "url", "url", "http://127.0.0.1:1", "http://127.0.0.1:2"),
        ("hub", "token", "token", "old", "new"),
    ],
)  # fmt: skip
def test_an_old_and_a_new_key_for_one_option_that_disagree_are_refused_naming_both(
    tmp_path, capsys, source, old, new, old_value, new_value
):
    """Before, the new key won silently and the old one was dropped without a word."""
    section = source_kind(source).section
    config = demo_config(tmp_path, extra=_both(source, old, new, old_value, new_value))
    config.chmod(0o600)
    with pytest.raises(ConfigError) as refused:
        load_config(config)
    message = str(refused.value)
    assert message.startswith(f"{config}: [sync] {old} and [{section}] {new} ")
    assert (refused.value.file, refused.value.section, refused.value.key) == (
        str(config),
        "sync",
        old,
    )
    assert f"delete [sync] {old}" in message
    assert main.main(["--config", str(config), "setup"]) == 2
    assert f"[sync] {old} and [{section}] {new}" in capsys.readouterr().err


def test_an_old_key_repeating_its_new_key_loads_with_one_notice(tmp_path):
    both = _both("pretix", "pretix_event", "event", "sccs", "sccs")
    loaded = _load(tmp_path, both + 'url = "https://pretix.example.org"\n')
    assert loaded.source_options().event == "sccs"
    assert [w for w in loaded.warnings if "deprecated" in w] == [
        f"{tmp_path / 'config.toml'}: [sync] pretix_event is deprecated: move it to "
        "[pretix] event (the same value is there already: delete [sync] pretix_event)"
    ]


def test_an_old_hub_key_under_another_source_still_says_where_it_moved(tmp_path):
    """The old [sync] token was the hub's: with source = "pretix" it was dropped unsaid."""
    loaded = _load(
        tmp_path, PRETIX_NEW.replace('source = "pretix"', 'source = "pretix"\ntoken = "t"')
    )
    assert loaded.source_options().token == "tok"
    notices = [w for w in loaded.warnings if "deprecated" in w]
    assert len(notices) == 1
    assert "[sync] token is deprecated: move it to [hub] token" in notices[0]
    assert 'not used while [sync] source = "pretix"' in notices[0]


NOT_AN_ADDRESS = ["127.0.0.1:8470", "ftp://127.0.0.1:8470", "javascript:alert(1)", "http://",
                  "https:///path", "pretix.example.org", "file:///etc/passwd"]  # fmt: skip


@pytest.mark.parametrize("url", NOT_AN_ADDRESS)
@pytest.mark.parametrize(
    ("source", "table"), [("hub", "[hub]\n"), ("pretix", "[pretix]\n"), ("hub", "")]
)
def test_a_source_address_that_is_not_http_is_refused_at_load_naming_the_key(
    tmp_path, capsys, url, source, table
):
    """A scheme-less hub URL read as "hub unreachable … try again later" at every sync:
    a typo looked like a network outage. Now exit 2 naming the key ([sync] url: the old one)."""
    section = table.strip("[]\n") or "sync"
    config = demo_config(
        tmp_path, extra=f'[sync]\nsource = "{source}"\n' + (table or "") + f'url = "{url}"\n'
    )
    config.chmod(0o600)
    with pytest.raises(ConfigError) as refused:
        load_config(config)
    assert (refused.value.section, refused.value.key) == (section, "url")
    assert "http:// or https://" in str(refused.value)
    assert main.main(["--config", str(config), "setup"]) == 2
    assert f"[{section}] url = {url!r}" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8470", "https://pretix.example.org/", "HTTPS://[::1]:8443/x", ""]
)
def test_http_addresses_and_an_empty_one_load(tmp_path, url):
    loaded = _load(tmp_path, f'[hub]\nurl = "{url}"\n')
    assert loaded.sources["hub"].url == url
