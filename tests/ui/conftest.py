"""A small event in a temp folder, and the real app built by Runtime.build_app over it."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.config import load_config  # noqa: E402
from kiosk.core.model import Lang, Registration, Role, Status  # noqa: E402
from kiosk.staff_auth import hash_pin  # noqa: E402
from main import Runtime  # noqa: E402
from tests.conftest import EVENT, SESSIONS, SHARED  # noqa: E402

STEWARD_PIN = "2468"
SUPERVISOR_PIN = "135790"
# Hashing is slow on purpose; tests share two hashes made once per run.
_HASHES = {pin: hash_pin(pin) for pin in (STEWARD_PIN, SUPERVISOR_PIN)}

PHOTO = SHARED / "qr-photos" / "qrcode-1" / "1.png"
PHOTO_TEXT = (
    (PHOTO.with_suffix(".txt")).read_text(encoding="utf-8").strip() if PHOTO.exists() else ""
)


def registrations() -> list[Registration]:
    def reg(rid: str, first: str, last: str, code: str, **kw: Any) -> Registration:
        return Registration(
            rid, first, last, codes=(code,), organisation=kw.pop("org", "Acme"), **kw
        )

    regs = [
        reg("R1", "Hélène", "Dupont", "CODE-OK-FR", lang=Lang.FR, email="helene@acme.example"),
        reg("R2", "John", "Smith", "CODE-OK-EN", lang=Lang.EN, role=Role.SPEAKER),
        reg("R3", "Amina", "Benali", "CODE-OK-AR", lang=Lang.AR, org="Casa Tech"),
        reg("R4", "Paul", "Martin", "CODE-CANCELLED", status=Status.CANCELLED, lang=Lang.EN),
        reg("R5", "Sara", "Alaoui", "CODE-UNPAID", status=Status.UNPAID, lang=Lang.EN),
        reg("R6", "Omar", "Tazi", "CODE-BLOCKED", status=Status.BLOCKED, lang=Lang.EN),
        reg("R7", "Lina", "Haddad", "CODE-DAY2", days=frozenset({2}), lang=Lang.EN),
        reg("R8", "Yassine", "Idrissi", "CODE-P1-ONLY", sessions=frozenset({"P1"}), lang=Lang.EN),
        reg("R9", "Nora", "Kettani", "CODE-W1-A", lang=Lang.EN),
        reg("R10", "Karim", "Berrada", "CODE-W1-B", lang=Lang.EN),
        reg("R11", "Ines", "Fassi", "CODE-W1-C", lang=Lang.EN),
        reg("R13", "محمد", "العلوي", "CODE-AR-NAME", lang=Lang.AR, org="جامعة الحسن الثاني"),
        reg("R14", "Twin", "One", "SHARED-CODE", lang=Lang.EN),
        reg("R15", "Twin", "Two", "SHARED-CODE", lang=Lang.EN),
    ]
    if PHOTO_TEXT:
        regs.append(reg("R12", "Photo", "Person", PHOTO_TEXT, lang=Lang.EN))
    return regs


@dataclass
class Kiosk:
    """A configured kiosk in tmp_path: its runtime, and where its badges land."""

    root: Path
    runtime: Runtime

    @property
    def badges(self) -> Path:
        return self.runtime.config.data_dir / "badges"

    def app(self, staff_language: str = "", **overrides: Any) -> Any:
        """The app; staff_language ("fr", "en", "ar") sets the staff screens' language."""
        app = self.runtime.build_app(**overrides)
        if staff_language:
            app.staff_language = Lang(staff_language)
        return app

    def log_rows(self) -> list[Any]:
        return self.runtime.store.scans()


def write_config(root: Path, extra: dict[str, dict[str, Any]] | None = None) -> Path:
    sections: dict[str, dict[str, Any]] = {
        "kiosk": {"id": "kiosk-t", "name": "Kiosk T", "result_seconds": 30.0, "bell": False},
        "event": {"definition": "", "registrations": [], "day": 1, "public_key": ""},
        "camera": {"source": "none"},
        "printer": {"kind": "preview"},
        "staff": {"pin_hash": _HASHES[STEWARD_PIN], "supervisor_pin_hash": _HASHES[SUPERVISOR_PIN]},
        "door": {"session": ""},
    }
    for name, values in (extra or {}).items():
        sections.setdefault(name, {}).update(values)
    # PIN hashes go where `accueil pin` keeps them: the owner-only secrets file.
    secrets = {k: sections["staff"].pop(k) for k in _SECRET_STAFF_KEYS if k in sections["staff"]}
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        for key, value in values.items():
            lines.append(f"{key} = {_toml(value)}")
    path = root / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    data = root / sections["kiosk"].get("data_dir", "data")
    data.mkdir(mode=0o700, exist_ok=True)
    text = "[staff]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in secrets.items())
    fd = os.open(data / "secrets.toml", os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


_SECRET_STAFF_KEYS = ("pin_hash", "supervisor_pin_hash", "recovery_code_hash")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


@pytest.fixture
def make_kiosk(tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:
    made: list[Runtime] = []

    def make(clock: Any = None, **extra: dict[str, Any]) -> Kiosk:
        runtime = Runtime(load_config(write_config(tmp_path, extra)))
        if clock is not None:
            runtime.__dict__["clock"] = clock  # a fixed time for snapshots
        runtime.store.save_event(EVENT, SESSIONS)
        runtime.store.upsert_registrations(registrations())
        made.append(runtime)
        return Kiosk(tmp_path, runtime)

    yield make
    for runtime in made:
        runtime.close()


async def wait_for(pilot: Any, condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Let the app work (threads, timers) until condition() holds; fail after seconds."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the app did not get there in time")
        await pilot.pause(0.02)


def screen_text(app: Any) -> str:
    """Everything the current screen shows, as plain text (Sentence and Static content)."""
    from textual.widgets import Static

    from kiosk.ui.widgets.sentence import Sentence

    parts = []
    for widget in app.screen.query("*"):
        if not widget.display or not all(
            a.display for a in widget.ancestors_with_self if hasattr(a, "display")
        ):
            continue
        if isinstance(widget, Sentence):
            parts.append(widget.text)
        elif isinstance(widget, Static):
            parts.append(str(widget.render()))
    return "\n".join(parts)


class OnUiThread:
    """A real service passed through, noting which of the watched methods ran on the UI thread."""

    def __init__(self, inner: Any, *watched: str) -> None:
        self._inner = inner
        self._watched = watched
        self.calls: list[tuple[str, bool]] = []  # (method, ran on the UI thread)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name not in self._watched:
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, threading.current_thread() is threading.main_thread()))
            return value(*args, **kwargs)

        return call

    def on_ui(self) -> list[str]:
        return [name for name, on_ui in self.calls if on_ui]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


TERMINATOR_KEYS = {"\r": "enter", "\n": "ctrl+j", "\t": "tab"}
HUMAN_GAP = 0.12  # seconds between keys of a person typing
SCANNER_GAP = 0.004  # a USB scanner: a few milliseconds per key


async def send_keys(pilot: Any, text: str, gap: float, wait: bool = True) -> None:
    """Keys as a terminal delivers them, ``gap`` seconds apart (their event times).

    The events are stamped so that the last one arrives now, and all are queued at once,
    as a terminal's input reader does with a scanner's burst; the app then handles them at
    its own pace, under whatever load the machine has. "\\r", "\\n" and "\\t" are Enter,
    ctrl+j (LF) and Tab.
    """
    import time

    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    start = time.monotonic() - gap * max(len(text) - 1, 0)
    for i, char in enumerate(text):
        key = TERMINATOR_KEYS.get(char) or _character_to_key(char)
        event = events.Key(key, char)
        event.time = start + i * gap
        event.set_sender(app)
        app._driver.send_message(event)
    if wait:
        await pilot.pause()


def drawn(app: Any) -> str:
    """The current screen as the terminal shows it: one line per row, plain characters
    (what a person reads, tables, footer and notifications included)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
