"""The careless-operator attack: values config.toml's types accept but nothing can use.

Each row is one value an operator could type; every one must stop `accueil` with exit
status 2 and a message naming the file, the key and what is expected — never a traceback,
never a kiosk that runs with it (a negative lockout that never locks, day -3 in the log).
"""

from __future__ import annotations

import os

import pytest

import main
from tests.conftest import demo_config

TABLE = [
    # (table text, the key as the message names it, the expectation it states)
    ("[staff]\nlockout_seconds = -1", "[staff] lockout_seconds = -1", "more than 0"),
    ("[staff]\nlockout_seconds = 0", "[staff] lockout_seconds = 0", "more than 0"),
    ("[staff]\nlockout_seconds = nan", "[staff] lockout_seconds = nan", "a finite number"),
    ("[staff]\nlockout_seconds = inf", "[staff] lockout_seconds = inf", "at most 86400"),
    ("[staff]\nlockout_seconds = 1e9", "[staff] lockout_seconds = 1000000000.0", "at most 86400"),
    ("[staff]\nmax_attempts = -3", "[staff] max_attempts = -3", "at least 1"),
    ("[staff]\nmax_attempts = 0", "[staff] max_attempts = 0", "at least 1"),
    ("[event]\nday = -3", "[event] day = -3", "at least 0"),
    ("[event]\nday = 9223372036854775807", "[event] day = 9223372036854775807", "at most 366"),
    ("[kiosk]\nresult_seconds = nan", "[kiosk] result_seconds = nan", "a finite number"),
    ("[kiosk]\nidle_reset_seconds = -inf", "[kiosk] idle_reset_seconds = -inf", "more than 0"),
    ("[kiosk]\nid = 'kiosk-é'", "[kiosk] id = 'kiosk-é'", "ASCII letters, digits, - or _"),
    ("[kiosk]\nid = ''", "[kiosk] id = ''", "1 to 64"),
    (f"[kiosk]\nid = '{'k' * 65}'", "[kiosk] id = 'kkkk", "1 to 64"),
    ("[kiosk]\nname = '  '", "[kiosk] name = '  '", "1 to 100 characters"),
    ("[door]\namber_at_percent = 0", "[door] amber_at_percent = 0", "at least 1"),
    ("[camera]\nfps = 0", "[camera] fps = 0", "at least 1"),
    ("[camera]\nrepeat_seconds = -4.0", "[camera] repeat_seconds = -4.0", "at least 0"),
    ("[printer]\nport = 70000", "[printer] port = 70000", "at most 65535"),
    ("[printer.extra.desk]\nport = 0", "[printer.extra.desk] port = 0", "at least 1"),
    ("[sync]\nbatch_size = 0", "[sync] batch_size = 0", "at least 1"),
    ("[sync]\ninterval_seconds = 0", "[sync] interval_seconds = 0", "more than 0"),
    ("[hub]\nport = -1", "[hub] port = -1", "at least 1"),
]


@pytest.mark.parametrize(("table", "key", "expected"), TABLE, ids=[r[1] for r in TABLE])
def test_a_value_out_of_range_exits_2_naming_file_key_and_expectation(
    tmp_path, capsys, table, key, expected
):
    config = tmp_path / "config.toml"
    config.write_text(table + "\n", encoding="utf-8")
    assert main.main(["--config", str(config), "search", "x"]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and key in err and expected in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("where", ["is-a-file", "under-a-file", "unwritable"])
def test_a_data_folder_that_cannot_be_one_exits_2(tmp_path, capsys, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    data = {
        "is-a-file": blocker,
        "under-a-file": blocker / "data",
        # /proc/self refuses new entries even to root, who may write anywhere else
        "unwritable": "/proc/self/accueil-data",
    }[where]
    config = tmp_path / "config.toml"
    config.write_text(f"[kiosk]\ndata_dir = '{data}'\n", encoding="utf-8")
    assert main.main(["--config", str(config), "setup"]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "[kiosk] data_dir" in err and "expected a folder" in err
    assert "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0500 folder")
def test_a_read_only_data_folder_exits_2(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir(mode=0o500)
    config = tmp_path / "config.toml"
    config.write_text(f"[kiosk]\ndata_dir = '{data}'\n", encoding="utf-8")
    assert main.main(["--config", str(config), "search", "x"]) == 2
    assert "this user can write" in capsys.readouterr().err


def test_a_forced_day_that_the_event_does_not_have_exits_2(tmp_path, capsys):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup"]) == 0
    config.write_text(config.read_text().replace("day = 1", "day = 3"), encoding="utf-8")
    assert main.main(["--config", str(config), "checkin", "S0001"]) == 2
    err = capsys.readouterr().err
    assert "[event] day = 3: expected 0 (from the calendar) or a day of" in err
    assert err.rstrip().endswith("1, 2")
