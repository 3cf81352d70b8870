"""Every file that holds attendee data is readable by its owner only, every folder 0700."""

from __future__ import annotations

import stat

import main
from tests.conftest import ROOT
from tests.test_cli import demo  # noqa: F401  (fixture)


def test_a_day_at_the_kiosk_leaves_only_owner_only_files(demo, tmp_path):  # noqa: F811
    config = str(demo)
    code = (
        (ROOT / "demo" / "registrations.csv")
        .read_text(encoding="utf-8")
        .splitlines()[1]
        .split(",")[11]
    )
    assert main.main(["--config", config, "checkin", code]) == 0
    assert main.main(["--config", config, "tickets", "--id", "S0001", "--id", "S0002"]) == 0
    assert main.main(["--config", config, "badge", "S0001", "--print"]) == 0
    assert (
        main.main(["--config", config, "report", "--out", str(tmp_path / "data" / "reports")]) == 0
    )
    data = tmp_path / "data"
    seen = {"files": 0, "png": 0}
    for path in data.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o700, f"{path.relative_to(tmp_path)} is {oct(mode)}"
        else:
            assert mode & 0o077 == 0, f"{path.relative_to(tmp_path)} is {oct(mode)}"
            seen["files"] += 1
            seen["png"] += path.suffix == ".png"
    assert seen["files"] > 6 and seen["png"] >= 3  # store, tickets, badges, reports were there
