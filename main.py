"""Accueil's composition root: read config.toml, build adapters and services, run a command.

``python main.py …`` and the ``accueil`` console script are the same program. Tests build
the application through the same ``Runtime`` so they run the real thing.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.config import Config, ConfigError, load_config
from kiosk.core.model import Event, Mode
from kiosk.core.service import CheckinService, KioskIdentity

# Each module in kiosk/commands/ adds one sub-command: register(subparsers) sets func.
COMMAND_MODULES = (
    "setup",
    "importing",
    "tickets",
    "checkin",
    "search",
    "keys",
    "badge",
    "hub",
    "sync_cmd",
    "decode",
    "run",
    "pin",
    "report",
    "purge",
    "rehearse",
)


class SystemClock:
    """Wall-clock time in the event's time zone."""

    def __init__(self, tz: str) -> None:
        self.tz = ZoneInfo(tz)

    def now(self) -> datetime:
        return datetime.now(self.tz)


class Runtime:
    """Builds each adapter and service once, on first use, from the configuration."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def store(self) -> Any:
        from sync.store import LocalStore

        self.config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.config.data_dir, 0o700)
        return LocalStore(self.config.store_path)

    @cached_property
    def event(self) -> Event:
        event = self.store.event()
        if event is None:
            raise ConfigError(
                f"{self.config.store_path}: no event loaded yet; run `accueil setup` "
                f"(it imports [event] definition = {self.config.event.definition!r})"
            )
        forced, days = self.config.event.day, [d.number for d in event.days]
        if forced and forced not in days:
            raise ConfigError(
                f"{self.config.path}: [event] day = {forced}: expected 0 (from the calendar) "
                f"or a day of {event.name}: {', '.join(map(str, days))}"
            )
        return event

    @cached_property
    def timezone(self) -> str | None:
        """The zone of date-times without one in imported files: [event] timezone, else
        the loaded event's, else the event definition file's (None if there is none)."""
        if self.config.event.timezone:
            return self.config.event.timezone
        event = self.store.event()
        if event is not None:
            return event.timezone
        from sync.importers import EventFileError, load_event

        try:
            return load_event(self.config.resolve(self.config.event.definition))[0].timezone
        except (EventFileError, OSError):
            return None

    @cached_property
    def clock(self) -> SystemClock:
        return SystemClock(self.config.event.timezone or self.event.timezone)

    @cached_property
    def verifier(self) -> Any:
        from kiosk.signing import KeyFileError, load_verifier

        if not self.config.event.public_key:
            return None
        try:
            return load_verifier(self.config.resolve(self.config.event.public_key))
        except KeyFileError as exc:
            raise ConfigError(f"{self.config.path}: [event] public_key: {exc}") from None

    @cached_property
    def signer(self) -> Any:
        from kiosk.signing import KeyFileError, load_signer

        if not self.config.event.private_key:
            return None
        try:
            return load_signer(self.config.resolve(self.config.event.private_key))
        except KeyFileError as exc:
            raise ConfigError(f"{self.config.path}: [event] private_key: {exc}") from None

    def demo_key_warning(self) -> str | None:
        """The public demo signing key in [event]: anyone can forge tickets it accepts."""
        from kiosk.signing import is_demo_key

        event = self.config.event
        found = [
            key
            for key, private in (("public_key", False), ("private_key", True))
            if getattr(event, key)
            and is_demo_key(self.config.resolve(getattr(event, key)), private)
        ]
        if not found:
            return None
        return (
            f"{self.config.path}: [event] {' and '.join(found)} "
            f"{'are' if len(found) > 1 else 'is'} the public demo key: anyone "
            "can sign a ticket this kiosk accepts (even for an unknown id). Fine for the demo; "
            "for a real event run `accueil keys generate` and use its keys."
        )

    def day_warning(self) -> str | None:
        """A forced [event] day that differs from today's event day: left over from a rehearsal?"""
        forced = self.config.event.day
        today = self.event.day_of(self.clock.now())
        if forced and today is not None and today != forced:
            return (
                f"{self.config.path}: [event] day = {forced} but today is day {today} of the "
                f"event: scans are recorded as day {forced}. Set day = 0 to follow the calendar."
            )
        return None

    @cached_property
    def kiosk(self) -> KioskIdentity:
        k = self.config.kiosk
        return KioskIdentity(k.id, k.name, Mode(k.mode))

    @cached_property
    def checkin(self) -> CheckinService:
        return CheckinService(
            self.store,
            self.store,
            self.clock,
            self.event,
            self.kiosk,
            self.verifier,
            day=self.config.event.day or None,
            enforce_capacity=self.config.door.enforce_capacity,
            print_badges=self.config.printer.kind != "none",
            sign=self.signer,
            lists=self.store if self.source_kind.has("lists") else None,
            rules=self.intake_rules,
        )

    @cached_property
    def intake_rules(self) -> Any:
        """How raw input becomes a code, from [scanner] (validated when the config loaded)."""
        from kiosk.core.intake import IntakeRules, compile_pattern

        scanner = self.config.scanner
        patterns = (compile_pattern(scanner.code_pattern),) if scanner.code_pattern else ()
        return IntakeRules(patterns, tuple(scanner.url_keys), scanner.layout_repair)

    def build_keys(self) -> Any:
        """A fresh keyboard-wedge detector from [camera] scanner_* and [scanner] quiet_gap_ms."""
        from kiosk.reading.wedge import WedgeDetector

        camera = self.config.camera
        return WedgeDetector(
            camera.scanner_max_gap_ms / 1000,
            # scanner = false: every key is a person's, no burst is ever long enough
            camera.scanner_min_length if camera.scanner else 1 << 30,
            quiet_gap=self.config.scanner.quiet_gap_ms / 1000,
        )

    def build_reader(self, on_code: Any, on_state: Any) -> Any:
        """The code reader from [camera]: on_code(code, source, repeat), on_state(state)."""
        from kiosk.reading import build_reader

        return build_reader(self.config.camera, on_code, on_state, self.config.resolve)

    # -- printing (issue 4): the badge print queue built from [printer] and [badge] --

    @cached_property
    def print_queue(self) -> Any:
        """The badge print queue (not started; the app calls start() and stop())."""
        from printers.factory import build_queue

        try:
            return build_queue(
                self.store,
                self.config.printer,
                self.config.badge,
                self.store.event(),
                self.clock,
                self.config.resolve,
                self.config.data_dir,
                self.config.kiosk.language,
            )
        except ConfigError as exc:  # the factory names the table; the file is known here
            raise ConfigError(f"{self.config.path}: {exc}") from None

    @cached_property
    def source_kind(self) -> Any:
        """The registered kind of [sync] source (kiosk.registry.SourceKind)."""
        from kiosk.registry import source_kind

        return source_kind(self.config.sync.source)

    def build_source(self) -> Any:
        """A new source from [sync] source and its options, or None for "none"."""
        from kiosk.registry import SourceContext

        kind = self.source_kind
        if kind.build is None:
            return None
        options = self.config.source_options(kind.name)
        return kind.build(SourceContext(self.config, options, self.store))

    @cached_property
    def sync_engine(self) -> Any:
        """The background sync engine from [sync] (not started), or None when source = "none"."""
        source = self.build_source()
        if source is None:
            return None
        from sync.engine import SyncEngine

        sync = self.config.sync
        return SyncEngine(
            self.store,
            source,
            abilities=self.source_kind.abilities,
            interval=sync.interval_seconds,
            upload_poll=sync.upload_poll_seconds,
            batch_size=sync.batch_size,
            backoff_max=sync.backoff_max_seconds,
            kiosk_status=self.kiosk_status,
        )

    def kiosk_status(self) -> dict[str, Any]:
        """What the hub's organiser page shows of this kiosk (sent with each heartbeat)."""
        status: dict[str, Any] = {
            "kiosk_name": self.config.kiosk.name,
            "print_queue": self.store.count_print_jobs("pending"),
            "badges_printed": self.store.count_print_jobs("done"),
        }
        queue = self.__dict__.get("print_queue")
        if queue is not None:
            status["printer_state"] = str(queue.state().state)
        return status

    def build_app(self, **overrides: Any) -> Any:
        """The Textual app, as `accueil run` and the tests start it.

        ``mode``, ``session`` and ``language`` override config.toml; any other keyword
        replaces a service of kiosk.ui.AppServices (e.g. ``reader_factory=None``).
        """
        from kiosk.core.model import Direction, Lang
        from kiosk.staff_auth import PinFormatError, StaffAuth
        from kiosk.ui import AccueilApp, AppServices, UiSettings

        k, door, staff = self.config.kiosk, self.config.door, self.config.staff
        settings = UiSettings(
            mode=Mode(overrides.pop("mode", None) or k.mode),
            language=Lang(overrides.pop("language", None) or k.language),
            result_seconds=k.result_seconds,
            idle_reset_seconds=k.idle_reset_seconds,
            door_session=overrides.pop("session", None) or door.session,
            door_direction=Direction(door.direction),
            amber_at_percent=door.amber_at_percent,
            enforce_capacity=door.enforce_capacity,
            kiosk_name=k.name,
            bell=k.bell,
            camera_preview=k.camera_preview,
            staff_language=Lang(staff.language),
        )
        try:
            auth = StaffAuth(
                staff.pin_hash,
                staff.supervisor_pin_hash,
                self.config.data_dir / "staff-lockout.json",
                recovery_code_hash=staff.recovery_code_hash,
                max_attempts=staff.max_attempts,
                lockout_seconds=staff.lockout_seconds,
                lockout_max_seconds=staff.lockout_max_seconds,
            )
        except PinFormatError as exc:  # named where it was read: file, secrets or environment
            origin = self.config.secret_origins.get(("staff", exc.key or ""), "")
            raise ConfigError(f"{origin or self.config.path}: {exc}") from None
        printing = self.config.printer.kind != "none"
        services: dict[str, Any] = {
            "store": self.store,
            "checkin": self.checkin,
            "event": self.event,
            "clock": self.clock,
            "staff_auth": auth,
            "reader_factory": getattr(self, "build_reader", None),
            "print_queue": getattr(self, "print_queue", None) if printing else None,
            "sync_engine": getattr(self, "sync_engine", None),
            "print_badges": printing,
            "keys": self.build_keys(),
        }
        services.update(overrides)
        return AccueilApp(AppServices(settings=settings, **services))

    def close(self) -> None:
        """Stop the background services that were built, then close the store."""
        for name in ("sync_engine", "print_queue"):
            service = self.__dict__.get(name)
            if service is not None:
                service.stop()
        if "store" in self.__dict__:
            self.store.close()


# The import name of each optional library and the extra (pyproject.toml) that installs it.
OPTIONAL_MODULES = {
    "fastapi": "hub",
    "starlette": "hub",
    "uvicorn": "hub",
    "sqlalchemy": "hub",
    "alembic": "hub",
    "jinja2": "hub",
    "psycopg": "hub",
    "matplotlib": "reports",
    "usb": "usb",
    "serial": "serial",
    "brother_ql": "labels",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accueil",
        description="Accueil: on-site check-in and badge kiosk for conferences.",
    )
    parser.add_argument(
        "--config",
        default=os.environ.get("ACCUEIL_CONFIG", "config.toml"),
        help="configuration file (default: $ACCUEIL_CONFIG or ./config.toml)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"kiosk.commands.{name}").register(sub)
    return parser


def _replies(args: argparse.Namespace, config: Config | None) -> Any:
    """The replies' translator: --lang, else [staff] language; English before the config is
    read (its errors name the file) or when the catalogue itself cannot be read."""
    import gettext

    from kiosk.locale import CatalogueError, translator

    lang = getattr(args, "lang", None) or (config.staff.language if config else "en")
    try:
        return translator(lang)
    except (CatalogueError, KeyError):
        return gettext.NullTranslations()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    runtime = None
    config = None
    try:
        config = load_config(Path(args.config))
        for warning in config.warnings:
            print(f"accueil: warning: {warning}", file=sys.stderr)  # the loader's words: English
        runtime = Runtime(config)
        return int(args.func(args, runtime) or 0)
    except ConfigError as exc:
        print(f"accueil: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except ModuleNotFoundError as exc:
        extra = OPTIONAL_MODULES.get((exc.name or "").partition(".")[0])
        if extra is None:
            raise
        said = _replies(args, config).gettext(
            "needs {module}, which this installation lacks: pip install '{package}' (a kiosk "
            "installs only what it runs)"
        )
        command, package = f"accueil {args.command}", f"accueil[{extra}]"
        print(f"{command}: {said.format(module=exc.name, package=package)}", file=sys.stderr)
        return 2
    finally:
        if runtime is not None:
            runtime.close()


if __name__ == "__main__":
    sys.exit(main())
