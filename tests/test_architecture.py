"""The core imports no IO library; adapters do not import the UI or each other."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT

FORBIDDEN = {"textual", "cv2", "pyzbar", "zxingcpp", "escpos", "httpx", "sqlite3", "PIL",
             "socket", "sync", "printers", "fastapi", "uvicorn"}  # fmt: skip


def test_core_modules_import_nothing_forbidden():
    for path in (ROOT / "kiosk" / "core").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top not in FORBIDDEN, f"{path.name} imports {name}"
                assert not name.startswith(("kiosk.ui", "kiosk.reading")), (
                    f"{path.name} imports {name}"
                )


def test_import_linter_contracts_hold():
    linter = ROOT / ".venv" / "bin" / "lint-imports"
    cmd = [str(linter)] if linter.exists() else [sys.executable, "-m", "importlinter.cli"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
