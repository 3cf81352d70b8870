"""config.toml: typed sections, validated on load; bad files exit with status 2.

Each ``[section]`` is a dataclass below. An unknown key, a wrong type or a value outside
its choices raises ConfigError naming the file, the key and what was expected. Secrets may
come from the environment instead of the file: ``ACCUEIL_<SECTION>_<KEY>`` (for example
``ACCUEIL_SYNC_TOKEN``, ``ACCUEIL_STAFF_PIN_HASH``) overrides the key of that name.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SECRET_KEYS = {
    ("sync", "token"),
    ("staff", "pin_hash"),
    ("staff", "supervisor_pin_hash"),
    ("sync", "pretix_token"),
    ("hub", "organiser_token"),
}


class ConfigError(Exception):
    """A configuration problem a person can fix; main.py prints it and exits with 2."""

    exit_status = 2


@dataclass
class KioskSection:
    id: str = "kiosk-1"
    name: str = "Kiosk 1"
    mode: Literal["kiosk", "staff", "door"] = "kiosk"
    language: Literal["fr", "en", "ar"] = "fr"
    data_dir: str = "data"
    result_seconds: float = 6.0
    idle_reset_seconds: float = 45.0
    bell: bool = True
    camera_preview: bool = True


@dataclass
class EventSection:
    definition: str = "demo/event.json"
    registrations: list[str] = field(default_factory=lambda: ["demo/registrations.csv"])
    day: int = 0
    timezone: str = ""
    public_key: str = "demo/organiser.pub"
    private_key: str = ""


@dataclass
class DoorSection:
    session: str = ""
    direction: Literal["entry", "exit"] = "entry"
    enforce_capacity: bool = True
    amber_at_percent: int = 90


@dataclass
class CameraSection:
    source: str = "auto"
    width: int = 1280
    height: int = 720
    fps: int = 30
    decoder: Literal["pipeline", "zxing", "pyzbar"] = "pipeline"
    repeat_seconds: float = 4.0
    scanner: bool = True
    scanner_max_gap_ms: float = 35.0
    scanner_min_length: int = 4
    loop: bool = True
    preview_width: int = 80
    preview_fps: float = 10.0
    reconnect_max_seconds: float = 5.0


@dataclass
class ScannerSection:
    """How raw input from scanners, cameras and keyboards becomes a code (kiosk.core.intake)."""

    code_pattern: str = ""  # a regex with a group named code, or one group; "" for none
    url_keys: list[str] = field(default_factory=lambda: ["code", "secret", "ticket", "barcode"])
    layout_repair: bool = True
    quiet_gap_ms: float = 150.0  # a scanner burst with no Enter/Tab ends after this silence


@dataclass
class PrinterSection:
    kind: Literal["preview", "usb", "network", "serial", "cups", "file", "none"] = "preview"
    profile: str = "TM-T88V"
    width_dots: int = 0
    preview_dir: str = "badges"
    host: str = "127.0.0.1"
    port: int = 9100
    device: str = ""
    usb_vendor_id: int = 0
    usb_product_id: int = 0
    baudrate: int = 115200
    cups_name: str = ""
    file: str = ""
    method: Literal["auto", "raster", "text"] = "auto"
    timeout_seconds: float = 5.0
    name: str = "main"
    status_seconds: float = 15.0
    extra: dict[str, PrinterSection] = field(default_factory=dict)


@dataclass
class BadgeRoleSection:
    """[badge.roles.<role>]: what differs on that role's badges; unset keys follow [badge]."""

    label: str = ""
    band: Literal["", "inverted", "outlined", "none"] = ""
    logo: str = ""
    show_organisation: bool | None = None
    show_days: bool | None = None
    show_qr: bool | None = None
    name_max_dots: int = 0


@dataclass
class BadgeSection:
    event_name: str = ""
    logo: str = ""
    show_organisation: bool = True
    show_days: bool = True
    show_qr: bool = True
    language: Literal["", "fr", "en", "ar"] = ""
    name_max_dots: int = 0
    roles: dict[str, BadgeRoleSection] = field(default_factory=dict)


@dataclass
class SyncSection:
    source: Literal["none", "hub", "pretix"] = "none"
    url: str = ""
    token: str = ""
    interval_seconds: float = 3.0
    timeout_seconds: float = 5.0
    pretix_organizer: str = ""
    pretix_event: str = ""
    pretix_checkin_list: int = 0
    pretix_token: str = ""
    pretix_session_lists: list[str] = field(default_factory=list)
    upload_poll_seconds: float = 0.5
    batch_size: int = 500
    backoff_max_seconds: float = 30.0


@dataclass
class StaffSection:
    pin_hash: str = ""
    supervisor_pin_hash: str = ""
    max_attempts: int = 5
    lockout_seconds: float = 30.0
    language: Literal["fr", "en", "ar"] = "fr"  # of the staff screens (switch at the desk)


@dataclass
class HubSection:
    host: str = "127.0.0.1"
    port: int = 8470
    database: str = "sqlite:///data/hub.db"
    organiser_token: str = ""
    docs: bool = True
    access_log: bool = False


@dataclass
class Config:
    path: Path
    kiosk: KioskSection = field(default_factory=KioskSection)
    event: EventSection = field(default_factory=EventSection)
    door: DoorSection = field(default_factory=DoorSection)
    camera: CameraSection = field(default_factory=CameraSection)
    scanner: ScannerSection = field(default_factory=ScannerSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    badge: BadgeSection = field(default_factory=BadgeSection)
    sync: SyncSection = field(default_factory=SyncSection)
    staff: StaffSection = field(default_factory=StaffSection)
    hub: HubSection = field(default_factory=HubSection)

    @property
    def base(self) -> Path:
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(relative).expanduser()
        return p if p.is_absolute() else self.base / p

    @property
    def data_dir(self) -> Path:
        return self.resolve(self.kiosk.data_dir)

    @property
    def store_path(self) -> Path:
        return self.data_dir / f"{self.kiosk.id}.db"


_SECTIONS = {f.name: f for f in fields(Config) if f.name != "path"}


def _describe(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin is list:
        return f"a list of {_describe(get_args(tp)[0])}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in get_args(tp))
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        tp, str(tp)
    )


def _check(value: Any, tp: Any) -> bool:
    origin = get_origin(tp)
    if origin is Literal:
        return value in get_args(tp)
    if origin is list:
        return isinstance(value, list) and all(_check(v, get_args(tp)[0]) for v in value)
    if origin in (typing.Union, types.UnionType):
        return any(_check(value, a) for a in get_args(tp))
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, tp)


def load_config(path: Path | str) -> Config:
    """Read and validate config.toml; raise ConfigError with file and key on any problem."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    config = Config(path=path.resolve())
    for name, value in raw.items():
        if name not in _SECTIONS:
            raise ConfigError(
                f"{path}: unknown section [{name}]; expected one of "
                + ", ".join(f"[{s}]" for s in _SECTIONS)
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{name}' must be a [{name}] table")
        setattr(config, name, _section(path, name, value))
    for section, key in SECRET_KEYS:
        env = f"ACCUEIL_{section.upper()}_{key.upper()}"
        if env in os.environ:
            setattr(getattr(config, section), key, os.environ[env])
    _cross_checks(config)
    return config


def _section(path: Path, name: str, values: dict[str, Any]) -> Any:
    return _table(path, name, _SECTIONS[name].default_factory, values)


def _table_type(tp: Any) -> Any:
    """The dataclass of a ``dict[str, SomeSection]`` field (named sub-tables), else None."""
    if get_origin(tp) is dict:
        value_type = get_args(tp)[1]
        if isinstance(value_type, type) and hasattr(value_type, "__dataclass_fields__"):
            return value_type
    return None


def _table(path: Path, name: str, cls: Any, values: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                f"{path}: unknown key '{key}' in [{name}]; expected one of " + ", ".join(known)
            )
        expected = hints[key]
        sub = _table_type(expected)
        if sub is not None:
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(
                    f"{path}: [{name}] {key}: expected named tables such as [{name}.{key}.<name>]"
                )
            kwargs[key] = {k: _table(path, f"{name}.{key}.{k}", sub, v) for k, v in value.items()}
            continue
        if expected is float and _check(value, int):
            value = float(value)
        if not _check(value, expected):
            raise ConfigError(f"{path}: [{name}] {key} = {value!r}: expected {_describe(expected)}")
        kwargs[key] = value
    for key, f in known.items():
        if key not in kwargs and f.default is MISSING and f.default_factory is MISSING:
            raise ConfigError(f"{path}: [{name}] is missing the key '{key}'")
    return cls(**kwargs)


def _printing_checks(config: Config) -> None:
    from kiosk.core.model import Role

    roles = [r.value for r in Role]
    for role in config.badge.roles:
        if role not in roles:
            raise ConfigError(
                f"{config.path}: [badge.roles.{role}]: unknown role; expected one of "
                + ", ".join(roles)
            )
    for name, extra in config.printer.extra.items():
        if name == config.printer.name or not name.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(
                f"{config.path}: [printer.extra.{name}]: expected a name of letters, digits, "
                f"- or _ other than the main printer's ({config.printer.name!r})"
            )
        if extra.extra:
            raise ConfigError(f"{config.path}: [printer.extra.{name}] cannot have extra printers")
        extra.name = name


def _scanner_checks(config: Config) -> None:
    from kiosk.core.intake import compile_pattern

    scanner = config.scanner
    if scanner.code_pattern:
        try:
            compile_pattern(scanner.code_pattern)
        except ValueError as exc:
            raise ConfigError(
                f"{config.path}: [scanner] code_pattern = {scanner.code_pattern!r}: {exc}"
            ) from None
    for key in scanner.url_keys:
        if not key.strip() or not key.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(
                f"{config.path}: [scanner] url_keys: {key!r}: expected query parameter names "
                "of letters, digits, - or _"
            )
    if scanner.quiet_gap_ms <= config.camera.scanner_max_gap_ms:
        raise ConfigError(
            f"{config.path}: [scanner] quiet_gap_ms = {scanner.quiet_gap_ms:g}: expected more "
            f"than [camera] scanner_max_gap_ms ({config.camera.scanner_max_gap_ms:g})"
        )


def _cross_checks(config: Config) -> None:
    if config.event.timezone:
        try:
            ZoneInfo(config.event.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{config.path}: [event] timezone = {config.event.timezone!r}: expected a time "
                "zone name such as 'Africa/Casablanca' or 'Europe/Paris'"
            ) from None
    _printing_checks(config)
    _scanner_checks(config)
    if not config.kiosk.id.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(
            f"{config.path}: [kiosk] id = {config.kiosk.id!r}: expected letters, digits, - or _"
        )
    if config.sync.source != "none" and not config.sync.url:
        raise ConfigError(
            f"{config.path}: [sync] url is required when source = {config.sync.source!r}"
        )
