"""Import python-escpos without its side effects on a terminal kiosk.

python-escpos 3.1, when imported, calls ``logging.basicConfig()`` (a stderr handler on the
root logger, which would scribble over the TUI), creates a temporary folder and writes a
capabilities pickle there unless ESCPOS_CAPABILITIES_PICKLE_DIR is set, and a few of its
functions ``print()`` warnings on stdout. Everything in Accueil that touches escpos goes
through this module.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "accueil" / "escpos"


def import_escpos(cache_dir: Path | None = None) -> ModuleType:
    """Import escpos once, keeping its pickle in cache_dir and its logging to itself."""
    if "escpos.capabilities" in sys.modules:
        return sys.modules["escpos"]
    cache = Path(
        os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR") or cache_dir or default_cache_dir()
    )
    for folder in (*reversed(cache.parents[:2]), cache):  # mkdir(parents=True) ignores mode
        folder.mkdir(exist_ok=True, mode=0o700)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
    root = logging.getLogger()
    guard = logging.NullHandler()
    added = not root.handlers
    if added:
        root.addHandler(guard)  # basicConfig() does nothing when a handler exists
    # escpos calls mkdtemp() even when the variable is set: aim it at a folder we remove.
    scratch = Path(tempfile.mkdtemp(prefix="import-", dir=cache))
    saved_tempdir = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        with quiet():
            import escpos.capabilities
            import escpos.printer  # noqa: F401
    finally:
        tempfile.tempdir = saved_tempdir
        if added:
            root.removeHandler(guard)
        for leftover in sorted(scratch.rglob("*"), reverse=True):
            with contextlib.suppress(OSError):
                leftover.rmdir()
        with contextlib.suppress(OSError):
            scratch.rmdir()
    for pickle in cache.glob("*.pickle"):  # everything under the data folder is owner-only
        with contextlib.suppress(OSError):
            os.chmod(pickle, 0o600)
    return sys.modules["escpos"]


class _LogWriter(io.TextIOBase):
    def write(self, text: str) -> int:
        if text.strip():
            log.warning("python-escpos: %s", text.strip())
        return len(text)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Send anything escpos prints to stdout into the log instead (the TUI owns stdout)."""
    with contextlib.redirect_stdout(_LogWriter()):
        yield


def escpos_printer(kind: str, *args: Any, **kwargs: Any) -> Any:
    """An escpos printer class instance by class name (Dummy, Network, Serial, Usb, File)."""
    import_escpos()
    import escpos.printer as printer_module

    with quiet():
        return getattr(printer_module, kind)(*args, **kwargs)
