"""A kiosk installs only what it runs: without the hub, reports, USB and serial extras
(pyproject.toml) every kiosk command works, and a command that needs an extra says which.

The extras' libraries are hidden from a child interpreter by an import hook, as if they
were never installed, so this runs without building another virtualenv.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from main import OPTIONAL_MODULES
from tests.conftest import ROOT, demo_config

HIDE = f"""
import importlib.abc, sys
HIDDEN = {sorted(OPTIONAL_MODULES)!r}
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Missing())
sys.path.insert(0, {str(ROOT)!r})
import main
sys.exit(main.main(sys.argv[1:]))
"""


def accueil(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE, "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=config.parent,
    )


def test_the_hidden_libraries_really_are_missing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HIDE.replace("import main", "import fastapi  # noqa")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "No module named 'fastapi'" in done.stderr


def test_kiosk_commands_run_without_the_extras(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    with (ROOT / "demo/registrations.csv").open(encoding="utf-8") as f:
        code = next(csv.DictReader(f))["codes"]
    for args in (
        ["setup"],
        ["checkin", code],
        ["search", "helene"],
        ["badge", "S0011", "--preview", str(tmp_path / "badge.png")],
    ):
        done = accueil(config, *args)
        assert done.returncode == 0, (args, done.stderr[-1500:])
    assert (tmp_path / "badge.png").stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "extra"),
    [(["hub", "status"], "hub"), (["report", "--kiosk", "--out", "r"], "reports")],
)
def test_a_command_that_needs_an_extra_names_it(tmp_path: Path, args, extra) -> None:
    config = demo_config(tmp_path)
    assert accueil(config, "setup").returncode == 0
    done = accueil(config, *args)
    assert done.returncode == 2, done.stderr[-1500:]
    assert f"pip install 'accueil[{extra}]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())
