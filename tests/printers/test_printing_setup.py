"""config.toml [printer]/[badge] validation, the Runtime's queue, `accueil badge`, escpos import."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from kiosk.commands import badge as badge_command
from kiosk.config import ConfigError, load_config
from kiosk.core.model import Role
from main import Runtime
from printers.devices import NetworkPrinter, PreviewPrinter
from sync.store import LocalStore
from tests.conftest import EVENT, ROOT, SESSIONS, people
from tests.printers.conftest import decode_qr
from tests.printers.fakeprinter import FakePrinter


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_role_templates_and_extra_printers_are_read(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            """
            [printer]
            kind = "preview"
            [printer.extra.desk]
            kind = "network"
            host = "127.0.0.1"
            port = 9101
            [badge]
            language = "en"
            [badge.roles.speaker]
            label = "SPEAKER · INTERVENANT"
            band = "outlined"
            [badge.roles.press]
            show_organisation = false
            """,
        )
    )
    assert config.printer.extra["desk"].port == 9101 and config.printer.extra["desk"].name == "desk"
    assert config.badge.roles["speaker"].band == "outlined"
    assert config.badge.roles["press"].show_organisation is False
    assert config.badge.roles["press"].show_qr is None  # follows [badge]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[badge.roles.guest]\nlabel = 'X'\n",
            "[badge.roles.guest]: unknown role; expected one of participant",
        ),
        (
            "[badge.roles.speaker]\ncolour = 'red'\n",
            "unknown key 'colour' in [badge.roles.speaker]",
        ),
        (
            "[badge.roles.speaker]\nband = 'red'\n",
            "[badge.roles.speaker] band = 'red': expected one of",
        ),
        (
            "[badge]\nroles = 3\n",
            "[badge] roles: expected named tables such as [badge.roles.<name>]",
        ),
        (
            "[printer.extra.desk]\nport = 'x'\n",
            "[printer.extra.desk] port = 'x': expected an integer",
        ),
        ("[printer.extra.main]\nkind = 'preview'\n", "[printer.extra.main]: expected a name"),
        ("[printer.extra.a]\n[printer.extra.a.extra.b]\n", "cannot have extra printers"),
        ("[badge]\nlanguage = 'de'\n", "[badge] language = 'de': expected one of"),
        (
            "[printer]\ndesk = 'front'\n[printer.extra.desk]\nkind = 'preview'\n",
            "[printer] desk = 'front': expected the name of a [printer.extra.NAME] table (desk)",
        ),
        ("[printer]\ndesk = 'desk'\n", "(none configured)"),
    ],
)
def test_bad_printing_config_names_the_table_and_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, toml))
    assert message in str(err.value) and str(tmp_path) in str(err.value)


def test_shipped_config_loads_and_builds_a_preview_queue(tmp_path: Path) -> None:
    config = load_config(ROOT / "config.toml")
    assert config.printer.kind == "preview" and config.printer.name == "main"
    assert config.badge.roles == {}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A kiosk folder with its config and a store holding the test event."""
    config = write_config(
        tmp_path,
        """
        [kiosk]
        language = "en"
        [printer]
        kind = "preview"
        profile = "TM-T20II"
        [badge]
        event_name = "SCC 2026"
        [badge.roles.speaker]
        label = "KEYNOTE"
        """,
    )
    with LocalStore(load_config(config).store_path) as store:
        store.save_event(EVENT, SESSIONS)
        store.upsert_registrations(people())
    return config


def run_badge(config: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    badge_command.register(sub)
    args = parser.parse_args(["badge", *argv, "--lang", "en"])  # replies in English
    runtime = Runtime(load_config(config))
    try:
        return badge_command.run(args, runtime)
    finally:
        runtime.close()


def test_badge_command_writes_a_preview(site: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "r2.png"
    assert run_badge(site, "R2", "--preview", str(out)) == 0
    text = capsys.readouterr().out
    assert "raster badge" in text and "576 dots wide (TM-T20II)" in text
    with Image.open(out) as img:
        assert img.width == 576 and decode_qr(img) == ["CODE-2"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_badge_command_prints_through_the_queue_and_counts(site: Path, capsys) -> None:
    assert run_badge(site, "R1", "--print", "--staff", "anna") == 0
    assert run_badge(site, "R1", "--print") == 0
    text = capsys.readouterr().out
    assert "printed (job 1) on main" in text and "already printed 1 time" in text
    badges = sorted((site.parent / "data" / "badges").glob("0*.png"))
    assert [p.name for p in badges] == ["000001-R1.png", "000002-R1.png"]
    with LocalStore(load_config(site).store_path) as store:
        assert store.get("R1").print_count == 2
    assert run_badge(site, "--jobs") == 0
    assert "reprint" in capsys.readouterr().out


def test_badge_command_with_printer_down_holds_the_job_for_staff(site: Path, capsys) -> None:
    fake = FakePrinter()
    fake.close()
    text = site.read_text().replace(
        'kind = "preview"', f'kind = "network"\nport = {fake.port}\ntimeout_seconds = 1.0'
    )
    site.write_text(text)
    assert run_badge(site, "R1", "--print") == 1
    out = capsys.readouterr().out
    assert "not printed: printer main is offline" in out and f"127.0.0.1:{fake.port}" in out
    assert "will not print by itself" in out
    with LocalStore(load_config(site).store_path) as store:
        assert store.print_jobs("pending") == []  # the next `accueil run` must not print it
        assert store.print_jobs("held")[0].registration_id == "R1"


def test_badge_command_refuses_unknown_ids(site: Path, capsys) -> None:
    assert run_badge(site, "NOPE") == 1
    assert "accueil search" in capsys.readouterr().out


def test_runtime_builds_every_configured_printer(site: Path) -> None:
    text = site.read_text() + '\n[printer.extra.desk]\nkind = "network"\nport = 9109\n'
    site.write_text(text.replace("[badge]\n", "[badge]\n", 1))
    runtime = Runtime(load_config(site))
    try:
        q = runtime.print_queue
        assert q.printers == ["main", "desk"]
        assert isinstance(q.printer("main"), PreviewPrinter)
        assert isinstance(q.printer("desk"), NetworkPrinter)
        assert q.maker.options.roles[Role.SPEAKER].label == "KEYNOTE"
        assert q.maker.options.event_name == "SCC 2026"
    finally:
        runtime.close()


def test_profile_without_width_is_a_config_error(site: Path) -> None:
    site.write_text(site.read_text().replace('profile = "TM-T20II"', 'profile = "default"'))
    runtime = Runtime(load_config(site))
    try:
        with pytest.raises(ConfigError, match=r"\[printer\] profile 'default' does not say"):
            _ = runtime.print_queue
    finally:
        runtime.close()


def test_escpos_import_leaves_no_trace_outside_its_cache(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    cache = tmp_path / "cache"
    code = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "from printers.escpos_env import import_escpos\n"
        f"import_escpos(Path({str(cache)!r}))\n"
        "from printers.encode import load_profile\n"
        "load_profile('TM-T88V')\n"
        "assert not logging.getLogger().handlers, logging.getLogger().handlers\n"
    )
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert list(scratch.iterdir()) == []  # no pickle or empty folder left in the temp dir
    assert [p.name.endswith(".capabilities.pickle") for p in cache.iterdir()] == [True]
