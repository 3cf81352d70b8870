"""The CLI end to end on the demo event: setup, checkin, search, tickets, import."""

from __future__ import annotations

import csv
import stat
import subprocess
import sys

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

import main
from tests.conftest import ROOT, demo_config


@pytest.fixture
def demo(tmp_path):
    """A kiosk config in tmp_path that uses the bundled demo event, set up."""
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup"]) == 0
    return config


def demo_row(n: int) -> dict[str, str]:
    with (ROOT / "demo/registrations.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))[n]


def test_setup_creates_owner_only_store(demo, tmp_path):
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "desk-1.db").stat().st_mode) == 0o600


def test_checkin_exit_status_and_texts(demo, capsys):
    code = demo_row(0)["codes"]
    assert main.main(["--config", str(demo), "checkin", code]) == 0
    assert "OK ok S0001" in capsys.readouterr().out
    assert main.main(["--config", str(demo), "checkin", code, "--lang", "ar"]) == 1
    out = capsys.readouterr().out
    assert "already_checked_in" in out and "Desk 1" in out
    assert main.main(["--config", str(demo), "checkin", code[:-3] + "AAA"]) == 1
    assert "invalid_signature" in capsys.readouterr().out


def test_cancelled_demo_registration_is_refused(demo, capsys):
    with (ROOT / "demo/registrations.csv").open(encoding="utf-8") as f:
        cancelled = next(r for r in csv.DictReader(f) if r["status"] == "cancelled")
    assert main.main(["--config", str(demo), "checkin", cancelled["codes"]]) == 1
    assert "cancelled" in capsys.readouterr().out


def test_search_finds_accented_and_arabic_names(demo, capsys):
    assert main.main(["--config", str(demo), "search", "HELENE"]) == 0
    assert "Hélène" in capsys.readouterr().out
    assert main.main(["--config", str(demo), "search", "احمد"]) == 0
    assert "أحمد" in capsys.readouterr().out
    assert main.main(["--config", str(demo), "search", "qwertyuiop"]) == 1


def test_tickets_write_decodable_qr_codes(demo, tmp_path, capsys):
    out = tmp_path / "tickets"
    assert (
        main.main(
            ["--config", str(demo), "tickets", "--id", "S0001", "--id", "S0002", "--out", str(out)]
        )
        == 0
    )
    assert "version 5" in capsys.readouterr().out
    image = Image.open(out / "S0001.png").convert("L")
    assert decode(image, symbols=[ZBarSymbol.QRCODE])[0].data.decode() == demo_row(0)["codes"]
    assert "data:image/png;base64," in (out / "S0001.html").read_text(encoding="utf-8")


def test_import_refuses_bad_file_and_keeps_store(demo, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,first_name,last_name,role\nX1,Ann,Lee,astronaut\n", encoding="utf-8")
    assert main.main(["--config", str(demo), "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2, column 'role'" in err
    assert main.main(["--config", str(demo), "search", "Ann", "Lee"]) == 1


def test_help_on_every_command_and_console_script_entry():
    parser = main.build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        result = subprocess.run([sys.executable, str(ROOT / "main.py"), name, "--help"],
                                capture_output=True, text=True, cwd=ROOT, timeout=60)  # fmt: skip
        assert result.returncode == 0 and "usage:" in result.stdout, name


def test_hub_import_publishes_the_event_for_the_organiser_page(demo, tmp_path, capsys):
    from sync.hub.db import HubDB

    database = f"sqlite:///{tmp_path / 'hub.db'}"
    args = ["--config", str(demo), "hub", "import", "--database", database]
    assert main.main([*args, str(ROOT / "demo/registrations.csv")]) == 0
    db = HubDB(database)
    try:
        event = db.event_definition()
        assert event is not None and event["name"] == "Smart City Casablanca Symposium"
        assert {s["id"]: s["capacity"] for s in event["sessions"]}["W5"] == 30
    finally:
        db.close()


def test_a_forced_day_that_is_not_today_is_warned_about(demo):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk.config import load_config

    rt = main.Runtime(load_config(demo))
    try:
        rt.__dict__["clock"] = type(
            "Day2",
            (),
            {"now": lambda self: datetime(2026, 12, 9, 10, tzinfo=ZoneInfo("Africa/Casablanca"))},
        )()
        assert "[event] day = 1 but today is day 2" in rt.day_warning()
        rt.__dict__["clock"] = type(
            "Day1",
            (),
            {"now": lambda self: datetime(2026, 12, 8, 10, tzinfo=ZoneInfo("Africa/Casablanca"))},
        )()
        assert rt.day_warning() is None
    finally:
        rt.close()


def test_staff_language_comes_from_config(tmp_path):
    from kiosk.config import load_config
    from kiosk.core.model import Lang

    config = demo_config(tmp_path, extra='[staff]\nlanguage = "ar"\npin_hash = ""\n')
    rt = main.Runtime(load_config(config))
    try:
        assert main.main(["--config", str(config), "setup"]) == 0
        assert rt.build_app().services.settings.staff_language is Lang.AR
    finally:
        rt.close()
