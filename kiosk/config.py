"""config.toml: typed sections, validated on load; bad files exit with status 2.

Each ``[section]`` is a dataclass below; one validation layer (:func:`load_config`) checks
every value before anything uses it. An unknown key, a wrong type, a value outside its
choices or its range (``Annotated[int, Range(...)]`` on the field; no number may be nan or
infinite), a kiosk id the hub would refuse, or a data folder that is a file or cannot be
written raises ConfigError naming the file, the key and what was expected.
Secrets may come from the environment instead of the file: ``ACCUEIL_<SECTION>_<KEY>``
(for example ``ACCUEIL_HUB_TOKEN``, ``ACCUEIL_STAFF_PIN_HASH``) overrides the key of that
name.

Each registered source (kiosk.registry: hub, pretix …) has its own table, checked against
the options it declares; ``[hub]`` holds both the hub's own keys and the hub source's
(url, token). The old flat ``[sync]`` keys (url, token, pretix_*) are still read: each one
written in the file fills the new key and adds a one-line deprecation notice to
``Config.warnings``; ``config.sync`` then mirrors the chosen source's options.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
import types
import typing
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Defined in the error tree (kiosk.errors), importable from here as before.
from kiosk.errors import ConfigError as ConfigError

SECRET_KEYS = {
    ("sync", "token"),
    ("staff", "pin_hash"),
    ("staff", "supervisor_pin_hash"),
    ("staff", "recovery_code_hash"),
    ("sync", "pretix_token"),
    ("hub", "organiser_token"),
}
# Hashes of short PINs can be cracked offline by whoever reads them: never from a file
# that others can read.
PIN_KEYS = {
    ("staff", "pin_hash"),
    ("staff", "supervisor_pin_hash"),
    ("staff", "recovery_code_hash"),
}
SECRETS_FILE = "secrets.toml"  # in the data folder unless [kiosk] secrets_file says otherwise


@dataclass(frozen=True)
class Range:
    """Bounds of a number key: ``gt`` (exclusive) or ``ge`` below, ``le`` above."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None

    def holds(self, value: float) -> bool:
        return (
            (self.ge is None or value >= self.ge)
            and (self.gt is None or value > self.gt)
            and (self.le is None or value <= self.le)
        )

    def describe(self) -> str:
        low = (
            f"at least {_num(self.ge)}"
            if self.ge is not None
            else f"more than {_num(self.gt)}"
            if self.gt is not None
            else ""
        )
        high = f"at most {_num(self.le)}" if self.le is not None else ""
        return " and ".join(p for p in (low, high) if p)


def _num(x: float | None) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


# No key means a control character: on screen one would run as a terminal escape (ESC,
# OSC 52), in a path NUL is refused by the OS. C0, DEL and C1.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class IsPath:
    """Mark of a key that names a file or folder: a string the OS can take as a path
    (every name at most NAME_MAX = 255 bytes, the whole under PATH_MAX = 4096)."""

    def holds(self, value: str) -> bool:
        encoded = os.fsencode(value)
        return len(encoded) < 4096 and all(len(part) <= 255 for part in encoded.split(b"/"))

    def describe(self) -> str:
        return "usable as a path (each name at most 255 bytes)"


PathText = Annotated[str, IsPath()]


@dataclass(frozen=True)
class IsHttpUrl:
    """Mark of a key holding a server's address: empty (not set) or an absolute http(s)
    URL with a host (RFC 3986). A scheme-less ``10.0.0.2:8470`` otherwise reached the HTTP
    client, which called it unreachable at every sync: a typo taken for an outage."""

    def holds(self, value: str) -> bool:
        if not value:
            return True
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018  (raises ValueError for a port out of range)
        except ValueError:
            return False
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)

    def describe(self) -> str:
        return "that is an http:// or https:// address with a host, e.g. https://10.0.0.2:8470"


HttpUrl = Annotated[str, IsHttpUrl()]


# The hub's rule for kiosk ids (tokens, walk-in ids W-<kiosk>-…, its String(64) columns).
KIOSK_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

Seconds = Annotated[float, Range(gt=0, le=86400)]
Port = Annotated[int, Range(ge=1, le=65535)]


@dataclass
class KioskSection:
    id: str = "kiosk-1"
    name: str = "Kiosk 1"
    mode: Literal["kiosk", "staff", "door"] = "kiosk"
    language: Literal["fr", "en", "ar"] = "fr"
    data_dir: PathText = "data"
    secrets_file: PathText = ""  # empty: secrets.toml in the data folder
    result_seconds: Seconds = 6.0
    idle_reset_seconds: Seconds = 45.0
    bell: bool = True
    camera_preview: bool = True


@dataclass
class EventSection:
    definition: PathText = "demo/event.json"
    registrations: list[PathText] = field(default_factory=lambda: ["demo/registrations.csv"])
    day: Annotated[int, Range(ge=0, le=366)] = 0  # 0: from the calendar
    timezone: str = ""
    public_key: PathText = "demo/organiser.pub"
    private_key: PathText = ""


@dataclass
class DoorSection:
    session: str = ""
    direction: Literal["entry", "exit"] = "entry"
    enforce_capacity: bool = True
    amber_at_percent: Annotated[int, Range(ge=1, le=100)] = 90


@dataclass
class CameraSection:
    source: PathText = "auto"  # or a device name or number
    width: Annotated[int, Range(ge=16, le=16384)] = 1280
    height: Annotated[int, Range(ge=16, le=16384)] = 720
    fps: Annotated[int, Range(ge=1, le=1000)] = 30
    decoder: Literal["pipeline", "zxing", "pyzbar"] = "pipeline"
    repeat_seconds: Annotated[float, Range(ge=0, le=86400)] = 4.0
    scanner: bool = True
    scanner_max_gap_ms: Annotated[float, Range(gt=0, le=10000)] = 35.0
    scanner_min_length: Annotated[int, Range(ge=1, le=10000)] = 4
    loop: bool = True
    preview_width: Annotated[int, Range(ge=4, le=4096)] = 80
    preview_fps: Annotated[float, Range(gt=0, le=1000)] = 10.0
    reconnect_max_seconds: Seconds = 5.0


@dataclass
class ScannerSection:
    """How raw input from scanners, cameras and keyboards becomes a code (kiosk.core.intake)."""

    code_pattern: str = ""  # a regex with a group named code, or one group; "" for none
    url_keys: list[str] = field(default_factory=lambda: ["code", "secret", "ticket", "barcode"])
    layout_repair: bool = True
    quiet_gap_ms: Annotated[float, Range(gt=0, le=10000)] = 150.0  # a scanner burst with no Enter/Tab ends after this silence


@dataclass
class PrinterSection:
    # a registered printer (kiosk.registry): preview, usb, network, serial, cups, file,
    # brother_ql, zpl, none …
    kind: str = "preview"
    profile: str = "TM-T88V"
    width_dots: Annotated[int, Range(ge=0, le=8192)] = 0
    preview_dir: PathText = "badges"
    host: str = "127.0.0.1"
    port: Port = 9100
    device: PathText = ""
    usb_vendor_id: Annotated[int, Range(ge=0, le=0xFFFF)] = 0
    usb_product_id: Annotated[int, Range(ge=0, le=0xFFFF)] = 0
    baudrate: Annotated[int, Range(ge=50, le=10_000_000)] = 115200
    cups_name: str = ""
    file: PathText = ""
    method: Literal["auto", "raster", "text"] = "auto"
    timeout_seconds: Seconds = 5.0
    name: str = "main"
    status_seconds: Annotated[float, Range(ge=0, le=86400)] = 15.0  # 0: never
    # label printers (kind = "brother_ql" or "zpl", or a preview of one)
    connection: Literal["network", "usb", "file"] = "network"
    label_model: str = ""
    label_size: str = ""
    dpi: Annotated[int, Range(ge=0, le=1200)] = 0
    preview_as: Literal["escpos", "brother_ql", "zpl"] = "escpos"
    desk: str = ""  # a [printer.extra] name: badges of attendees sent to the desk go there
    extra: dict[str, PrinterSection] = field(default_factory=dict)


@dataclass
class BadgeRoleSection:
    """[badge.roles.<role>]: what differs on that role's badges; unset keys follow [badge]."""

    label: str = ""
    band: Literal["", "inverted", "outlined", "none"] = ""
    logo: PathText = ""
    show_organisation: bool | None = None
    show_days: bool | None = None
    show_qr: bool | None = None
    name_max_dots: Annotated[int, Range(ge=0, le=8192)] = 0


@dataclass
class BadgeSection:
    event_name: str = ""
    logo: PathText = ""
    show_organisation: bool = True
    show_days: bool = True
    show_qr: bool = True
    language: Literal["", "fr", "en", "ar"] = ""
    name_max_dots: Annotated[int, Range(ge=0, le=8192)] = 0
    roles: dict[str, BadgeRoleSection] = field(default_factory=dict)


@dataclass
class SyncSection:
    source: str = "none"  # a registered source (kiosk.registry): none, hub, pretix …
    url: HttpUrl = ""
    token: str = ""
    interval_seconds: Seconds = 3.0
    timeout_seconds: Seconds = 5.0
    pretix_organizer: str = ""
    pretix_event: str = ""
    pretix_checkin_list: Annotated[int, Range(ge=0, le=2**63 - 1)] = 0
    pretix_token: str = ""
    pretix_session_lists: list[str] = field(default_factory=list)
    upload_poll_seconds: Seconds = 0.5
    batch_size: Annotated[int, Range(ge=1, le=20000)] = 500  # the hub takes 20,000
    backoff_max_seconds: Seconds = 30.0


@dataclass
class StaffSection:
    pin_hash: str = ""
    supervisor_pin_hash: str = ""
    recovery_code_hash: str = ""
    max_attempts: Annotated[int, Range(ge=1, le=100)] = 5
    lockout_seconds: Seconds = 30.0
    lockout_max_seconds: Seconds = 900.0
    language: Literal["fr", "en", "ar"] = "fr"  # of the staff screens (switch at the desk)


@dataclass
class HubSection:
    host: str = "127.0.0.1"
    port: Port = 8470
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
    # What loads but should not stay so (main.py prints each on stderr)
    warnings: list[str] = field(default_factory=list)
    # Where each secret was read: this file, the secrets file or an environment variable
    secret_origins: dict[tuple[str, str], str] = field(default_factory=dict)
    # The options of each registered source (kiosk.registry), by source name, from its
    # table ([hub], [pretix] …) and the old flat [sync] keys
    sources: dict[str, Any] = field(default_factory=dict)

    def source_options(self, name: str | None = None) -> Any:
        """The options of source ``name`` (default: [sync] source); None for a source
        without options ("none"). A source registered after this file was read gets its
        defaults."""
        name = name or self.sync.source
        if name not in self.sources:
            kind = _source_kinds().get(name)
            if kind is None or kind.options is None:
                return None
            self.sources[name] = kind.options()
        return self.sources[name]

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

    @property
    def secrets_path(self) -> Path:
        """The owner-only file of PIN hashes and tokens (``accueil pin`` writes it)."""
        if self.kiosk.secrets_file:
            return self.resolve(self.kiosk.secrets_file)
        return self.data_dir / SECRETS_FILE


_SECTIONS = {
    f.name: f
    for f in fields(Config)
    if f.name not in ("path", "warnings", "secret_origins", "sources")
}


def _source_kinds() -> dict[str, Any]:
    from kiosk.registry import source_kinds

    return source_kinds()


def secret_keys() -> set[tuple[str, str]]:
    """SECRET_KEYS and the secret options the registered sources declare."""
    found = set(SECRET_KEYS)
    for kind in _source_kinds().values():
        found.update((kind.section, key) for key in kind.secrets)
    return found


def _names(cls: Any) -> set[str]:
    return {f.name for f in fields(cls)}


def _holder(config: Config, section: str, key: str) -> Any:
    """The object that holds [section] key: a source's options or a built-in section."""
    for name, kind in _source_kinds().items():
        options = kind.options
        if kind.section == section and options is not None and key in _names(options):
            return config.sources[name]
    return getattr(config, section)


def _describe(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Annotated:
        base, *marks = get_args(tp)
        bounds = [m.describe() for m in marks if isinstance(m, Range | IsPath | IsHttpUrl)]
        return " ".join([_describe(base), *bounds])
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin is list:
        return f"a list of {_describe(get_args(tp)[0])}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in get_args(tp))
    return {
        str: "a string without control characters",
        int: "an integer",
        float: "a finite number",
        bool: "true or false",
    }.get(tp, str(tp))


def _check(value: Any, tp: Any) -> bool:
    origin = get_origin(tp)
    if origin is Annotated:
        base, *marks = get_args(tp)
        return _check(value, base) and all(
            m.holds(value) for m in marks if isinstance(m, Range | IsPath | IsHttpUrl)
        )
    if origin is Literal:
        return value in get_args(tp)
    if origin is list:
        return isinstance(value, list) and all(_check(v, get_args(tp)[0]) for v in value)
    if origin in (typing.Union, types.UnionType):
        return any(_check(value, a) for a in get_args(tp))
    if tp is bool:
        return isinstance(value, bool)
    if tp is str:
        return isinstance(value, str) and not _CONTROL.search(value)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:  # TOML has nan and inf; no key means them
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    return isinstance(value, tp)


def load_config(path: Path | str) -> Config:
    """Read and validate config.toml; raise ConfigError with file and key on any problem."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML ({exc})", file=str(path), expected="TOML"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    config = Config(path=path.resolve())
    kinds = _source_kinds()
    config.sources = {n: k.options() for n, k in kinds.items() if k.options is not None}
    owned = {k.section: n for n, k in kinds.items() if k.options is not None}
    for name, value in raw.items():
        if name not in _SECTIONS and name not in owned:
            known = [*_SECTIONS, *(s for s in owned if s not in _SECTIONS)]
            expected = "one of " + ", ".join(f"[{s}]" for s in known)
            raise ConfigError(
                f"{path}: unknown section [{name}]; expected {expected}",
                file=str(path),
                section=name,
                expected=expected,
            )
        if not isinstance(value, dict):
            raise ConfigError(
                f"{path}: '{name}' must be a [{name}] table",
                file=str(path),
                section=name,
                expected="a table",
            )
        if name in owned:
            source = owned[name]
            options = kinds[source].options
            mine = {f.name for f in fields(options)}
            if name in _SECTIONS:  # [hub]: the hub's own keys and the hub source's
                theirs = {k: v for k, v in value.items() if k not in mine}
                value = {k: v for k, v in value.items() if k in mine}
                setattr(config, name, _section(path, name, theirs, also=mine))
            config.sources[source] = _table(path, name, options, value)
        else:
            setattr(config, name, _section(path, name, value))
    _pins_not_readable_by_others(config, raw)
    _tokens_readable_by_others(config, raw)
    secrets = secret_keys()
    origins = config.secret_origins
    origins.update(dict.fromkeys(secrets, str(config.path)))
    origins.update(_read_secrets(config))
    for section, key in sorted(secrets):
        env = f"ACCUEIL_{section.upper()}_{key.upper()}"
        if env in os.environ:
            setattr(_holder(config, section, key), key, os.environ[env])
            origins[section, key] = f"{env} (environment)"
    _legacy_source_keys(config, raw)
    _cross_checks(config)
    return config


def _legacy_source_keys(config: Config, raw: dict[str, Any]) -> None:
    """The old flat [sync] keys (url, token, pretix_*), still read: each fills its source's
    option when that is not set (one deprecation notice per key written in the file),
    then [sync] mirrors the options so code reading ``config.sync.url`` sees them (url and
    token: the chosen source's; pretix_*: pretix's whatever the source).

    Raises ConfigError when the file sets an old key and its new key to different values
    (which one was meant cannot be known)."""
    defaults = SyncSection()
    written: dict[str, Any] = raw.get("sync", {})
    told: set[str] = set()
    for name, kind in _source_kinds().items():
        options = config.sources.get(name)
        if options is None:
            continue
        for old, new in kind.legacy.items():
            generic = not old.startswith(f"{name}_")  # url, token: the chosen source's
            if generic and config.sync.source != name:
                continue
            there = raw.get(kind.section, {})
            if old in written and new in there:
                told.add(old)
                if written[old] != there[new]:
                    raise ConfigError(
                        f"{config.path}: [sync] {old} and [{kind.section}] {new} are both set, "
                        f"to different values: [sync] {old} is the old place of "
                        f"[{kind.section}] {new}. Keep [{kind.section}] {new} and delete "
                        f"[sync] {old}",
                        file=str(config.path),
                        section="sync",
                        key=old,
                        expected=f"only [{kind.section}] {new}",
                    )
                config.warnings.append(
                    f"{config.path}: [sync] {old} is deprecated: move it to [{kind.section}] "
                    f"{new} (the same value is there already: delete [sync] {old})"
                )
                continue
            value = getattr(config.sync, old)
            origin = config.secret_origins.get(("sync", old), "")
            unset = getattr(options, new) == getattr(type(options)(), new)
            from_env = origin.endswith("(environment)") and not config.secret_origins.get(
                (kind.section, new), ""
            ).endswith("(environment)")
            if value != getattr(defaults, old) and (unset or from_env):
                setattr(options, new, value)
                if origin:
                    config.secret_origins[kind.section, new] = origin
                if old in written:
                    told.add(old)
                    config.warnings.append(
                        f"{config.path}: [sync] {old} is deprecated: move it to "
                        f"[{kind.section}] {new} (read from [sync] for now)"
                    )
    # an old key of a source not chosen (the hub's token under pretix) said nothing before
    for old in sorted(set(written) - told):
        places = [f"[{kind.section}] {kind.legacy[old]}" for kind in _source_kinds().values()
                  if old in kind.legacy and not old.startswith(f"{kind.name}_")]  # fmt: skip
        if places and written[old] != getattr(defaults, old):
            config.warnings.append(
                f"{config.path}: [sync] {old} is deprecated: move it to {' or '.join(places)} "
                f'(not used while [sync] source = "{config.sync.source}")'
            )
    for name, kind in _source_kinds().items():
        options = config.sources.get(name)
        for old, new in kind.legacy.items():
            if options is not None and (old.startswith(f"{name}_") or config.sync.source == name):
                setattr(config.sync, old, getattr(options, new))


def _others_can_read(path: Path) -> int:
    """The group/other permission bits of ``path`` (0: owner-only)."""
    return path.stat().st_mode & 0o077


def _pins_not_readable_by_others(config: Config, raw: dict[str, Any]) -> None:
    for section, key in sorted(PIN_KEYS):
        value = raw.get(section, {}).get(key, "")
        if isinstance(value, str) and value.strip() and _others_can_read(config.path):
            mode = config.path.stat().st_mode & 0o777
            raise ConfigError(
                f"{config.path}: [{section}] {key}: expected no PIN hash in a file others can "
                f"read (mode {mode:o}): anyone who reads it can try every short PIN offline. "
                f"Delete this line and run `accueil pin` (it keeps the hash in "
                f"{config.secrets_path}, owner-only), or set "
                f"ACCUEIL_{section.upper()}_{key.upper()}"
            )


def _tokens_readable_by_others(config: Config, raw: dict[str, Any]) -> None:
    """A token in clear in a file others can read works for whoever reads it: a warning
    (not an error, a token there is common in set-ups and rehearsals)."""
    for section, key in sorted(secret_keys() - PIN_KEYS):
        value = raw.get(section, {}).get(key, "")
        if not isinstance(value, str) or not value.strip() or value.startswith("sha256:"):
            continue
        if _others_can_read(config.path):
            mode = config.path.stat().st_mode & 0o777
            config.warnings.append(
                f"{config.path}: [{section}] {key}: a token in clear in a file others can "
                f"read (mode {mode:o}): any user of this machine can use it. Move it to "
                f"{config.secrets_path} (mode 600) or ACCUEIL_{section.upper()}_{key.upper()}, "
                f"or run `chmod 600 {config.path}`"
            )


def _read_secrets(config: Config) -> dict[tuple[str, str], str]:
    """Apply the secrets file (owner-only, owned by this user, secret keys only); the keys
    it set, with its path."""
    path = config.secrets_path
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the secrets file ({exc.strerror})") from None
    if not path.is_file():
        raise ConfigError(f"{path}: expected a secrets file, found something else")
    if info.st_uid != os.geteuid():
        raise ConfigError(
            f"{path}: expected a secrets file owned by the user who runs accueil (uid "
            f"{os.geteuid()}); it belongs to uid {info.st_uid}. Run accueil as that user, or "
            f"`chown {os.geteuid()} {path}` (a copied data folder keeps its old owner)"
        )
    if info.st_mode & 0o077:
        raise ConfigError(
            f"{path}: expected a secrets file only its owner can read (mode 600, owned by "
            f"this user); it is mode {info.st_mode & 0o777:o}: run `chmod 600 {path}`"
        )
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    secrets = secret_keys()
    allowed = ", ".join(f"[{s}] {k}" for s, k in sorted(secrets))
    found: dict[tuple[str, str], str] = {}
    for section, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: '{section}' must be a [{section}] table")
        for key, value in table.items():
            if (section, key) not in secrets:
                raise ConfigError(
                    f"{path}: [{section}] {key}: not a secret; expected only {allowed}"
                )
            if not isinstance(value, str):
                raise ConfigError(f"{path}: [{section}] {key} = {value!r}: expected a string")
            setattr(_holder(config, section, key), key, value)
            found[section, key] = str(path)
    return found


def write_secret(config: Config, section: str, key: str, value: str) -> Path:
    """Set one secret in the secrets file (created 0600 in a 0700 folder), keeping the rest.

    The file is replaced atomically; raises ConfigError for a key that is not a secret or
    a value that is not printable ASCII (hashes and tokens are).
    """
    if (section, key) not in secret_keys():
        raise ConfigError(f"[{section}] {key} is not a secret")
    if not (value.isascii() and value.isprintable()):
        raise ConfigError(f"[{section}] {key}: expected printable ASCII")
    path = config.secrets_path
    current: dict[str, dict[str, str]] = {}
    if path.exists():
        with path.open("rb") as f:
            current = tomllib.load(f)
    current.setdefault(section, {})[key] = value
    lines = ["# Accueil secrets: owner-only (mode 600). Written by `accueil pin` and `setup`."]
    for name in sorted(current):
        lines.append(f"[{name}]")
        lines.extend(f"{k} = {json.dumps(v)}" for k, v in sorted(current[name].items()))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def _section(path: Path, name: str, values: dict[str, Any], also: Iterable[str] = ()) -> Any:
    return _table(path, name, _SECTIONS[name].default_factory, values, also)


def _base(tp: Any) -> Any:
    return get_args(tp)[0] if get_origin(tp) is Annotated else tp


def _table_type(tp: Any) -> Any:
    """The dataclass of a ``dict[str, SomeSection]`` field (named sub-tables), else None."""
    if get_origin(tp) is dict:
        value_type = get_args(tp)[1]
        if isinstance(value_type, type) and hasattr(value_type, "__dataclass_fields__"):
            return value_type
    return None


def _table(
    path: Path, name: str, cls: Any, values: dict[str, Any], also: Iterable[str] = ()
) -> Any:
    """An instance of dataclass ``cls`` from a TOML table, every value checked against the
    field's type; ``also``: other keys the same table takes (named in the error)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            names = ", ".join([*known, *also])
            raise ConfigError(
                f"{path}: unknown key '{key}' in [{name}]; expected one of " + names,
                file=str(path),
                section=name,
                key=key,
                expected="one of " + names,
            )
        expected = hints[key]
        sub = _table_type(expected)
        if sub is not None:
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(
                    f"{path}: [{name}] {key}: expected named tables such as [{name}.{key}.<name>]",
                    file=str(path),
                    section=name,
                    key=key,
                    expected=f"named tables such as [{name}.{key}.<name>]",
                )
            kwargs[key] = {k: _table(path, f"{name}.{key}.{k}", sub, v) for k, v in value.items()}
            continue
        if _base(expected) is float and _check(value, int):
            value = float(value)
        if not _check(value, expected):
            raise ConfigError(
                f"{path}: [{name}] {key} = {value!r}: expected {_describe(expected)}",
                file=str(path),
                section=name,
                key=key,
                expected=_describe(expected),
            )
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
    _printer_kind(config, "printer", config.printer.kind)
    for name, extra in config.printer.extra.items():
        _printer_kind(config, f"printer.extra.{name}", extra.kind)
        if name == config.printer.name or not name.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(
                f"{config.path}: [printer.extra.{name}]: expected a name of letters, digits, "
                f"- or _ other than the main printer's ({config.printer.name!r})"
            )
        if extra.extra:
            raise ConfigError(f"{config.path}: [printer.extra.{name}] cannot have extra printers")
        if extra.desk:
            raise ConfigError(f"{config.path}: [printer.extra.{name}] desk: only [printer] has one")
        extra.name = name
    desk = config.printer.desk
    if desk and (desk not in config.printer.extra or config.printer.extra[desk].kind == "none"):
        known = ", ".join(n for n, e in config.printer.extra.items() if e.kind != "none")
        raise ConfigError(
            f"{config.path}: [printer] desk = {desk!r}: expected the name of a "
            f"[printer.extra.NAME] table ({known or 'none configured'})"
        )


def _printer_kind(config: Config, where: str, kind: str) -> None:
    from kiosk.registry import printer_kind

    try:
        printer_kind(kind, f"[{where}] kind")
    except ConfigError as exc:
        raise ConfigError(
            f"{config.path}: {exc}",
            file=str(config.path),
            section=where,
            key="kind",
            expected=exc.expected,
        ) from None


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
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ConfigError(
                f"{config.path}: [event] timezone = {config.event.timezone!r}: expected a time "
                "zone name such as 'Africa/Casablanca' or 'Europe/Paris'"
            ) from None
    _printing_checks(config)
    _scanner_checks(config)
    if not KIOSK_ID.fullmatch(config.kiosk.id):
        raise ConfigError(
            f"{config.path}: [kiosk] id = {config.kiosk.id!r}: expected 1 to 64 ASCII letters, "
            "digits, - or _ (what the hub accepts)"
        )
    if not config.kiosk.name.strip() or len(config.kiosk.name) > 100:
        raise ConfigError(
            f"{config.path}: [kiosk] name = {config.kiosk.name!r}: expected 1 to 100 characters"
        )
    _data_dir_check(config)
    if config.staff.lockout_max_seconds < config.staff.lockout_seconds:
        raise ConfigError(
            f"{config.path}: [staff] lockout_max_seconds = {config.staff.lockout_max_seconds:g}: "
            f"expected at least lockout_seconds ({config.staff.lockout_seconds:g})"
        )
    _source_checks(config)


def _source_checks(config: Config) -> None:
    """[sync] source names a registered source; the options it cannot work without."""
    from kiosk.registry import source_kind

    try:
        kind = source_kind(config.sync.source)
    except ConfigError as exc:
        raise ConfigError(
            f"{config.path}: {exc}",
            file=str(config.path),
            section="sync",
            key="source",
            expected=exc.expected,
        ) from None
    options = config.sources.get(kind.name)
    if options is not None and hasattr(options, "url") and not options.url:
        raise ConfigError(
            f"{config.path}: [{kind.section}] url is required when [sync] source = "
            f"{kind.name!r}",
            file=str(config.path),
            section=kind.section,
            key="url",
            expected=f"the address of the {kind.name} server",
        )


def _data_dir_check(config: Config) -> None:
    """The data folder is a folder this user can write, or can be created: checked now,
    not as a traceback at the first check-in."""
    key = f"{config.path}: [kiosk] data_dir = {config.kiosk.data_dir!r}"
    folder = config.data_dir
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{key}: expected a folder, but {folder} is a file")
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{key}: expected a folder, but {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        what = "" if existing == folder else f" (it would be created in {existing})"
        raise ConfigError(f"{key}: expected a folder this user can write{what}; it cannot")
    # Everything in it is made owner-only (chmod): only its owner can do that, and files a
    # run as another user (root's `accueil setup`) leaves behind lock the kiosk's user out.
    me = os.geteuid()
    for path in (folder, config.store_path):
        try:
            owner = path.stat().st_uid
        except OSError:
            continue
        if owner != me:
            raise ConfigError(
                f"{key}: expected a folder owned by the user who runs accueil (uid {me}), "
                f"but {path} belongs to uid {owner} (copied, or set up as another user?): "
                f"run accueil as that user, or `chown -R {me} {folder}`"
            )
