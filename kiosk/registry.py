"""Plug-ins: registration sources and printers declare themselves here.

Like python-escpos' printer modules and harlequin's adapters, each kind says its name, its
options (a dataclass: typed fields with defaults, each with ``help`` in its metadata,
validated by kiosk.config like every other section) and which optional abilities it has.
The composition root (main.py) and the commands look kinds up here by name instead of
branching on them.

The built-in kinds are declared in :data:`BUILTIN_SOURCE_MODULES` and
:data:`BUILTIN_PRINTER_MODULES`, and imported by name on first
lookup (so this module, and kiosk.config which reads the options, import no adapter);
a module registers its kinds when it is imported. Installed packages add theirs through
the entry-point groups ``accueil.sources`` and ``accueil.printers``. A new source or
printer is one module that calls :func:`register_source` or :func:`register_printer`,
plus its tests.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Literal, TypeVar

from kiosk.errors import ConfigError

# Optional abilities of a source (the sync engine uses only the ones a source declares):
#   heartbeat  heartbeat(status: dict) -> None: tells the source how this kiosk is
#   rejected   .rejected: dict[outbox seq, why]: why items of the last push were refused
#   remaining  .remaining: int | None: registrations still to pull (progress bars)
#   close      close() -> None: release connections when the kiosk stops
#   confirm    confirm_held(nonces, walk-in ids) -> dict: which of this kiosk's scans the
#              source holds (what `accueil purge` needs before it deletes anything)
#   lists      .list_errors: dict[door, why]: check-in lists the source could not use
#   probe      probe() -> list of steps (what, ok, detail, key, temporary): `sync status`
#   identity   check_identity(): refuses credentials of another kiosk (`sync status`)
SourceAbility = Literal[
    "heartbeat", "rejected", "remaining", "close", "confirm", "lists", "probe", "identity"
]
SOURCE_ABILITIES: frozenset[str] = frozenset(
    ("heartbeat", "rejected", "remaining", "close", "confirm", "lists", "probe", "identity")
)
# Optional abilities of a printer:
#   status     answers a status request, so a send is confirmed (paper out, offline)
#   cut        cuts after each badge
#   raster     prints an image (every badge can be drawn), not only its own text and QR
PrinterAbility = Literal["status", "cut", "raster"]
PRINTER_ABILITIES: frozenset[str] = frozenset(("status", "cut", "raster"))

# Modules that register the built-in kinds, imported on first lookup (sources and
# printers apart: the sync engine never loads printer code).
BUILTIN_SOURCE_MODULES: tuple[str, ...] = ("sync.sources",)
BUILTIN_PRINTER_MODULES: tuple[str, ...] = ("printers.registry",)
# Entry-point groups through which an installed package adds kinds (its module registers
# them when loaded), as harlequin finds its adapters.
SOURCE_ENTRY_POINTS = "accueil.sources"
PRINTER_ENTRY_POINTS = "accueil.printers"


@dataclass(frozen=True)
class SourceKind:
    """A registration source: where the kiosk's list comes from and its scans go.

    ``build(context)`` returns the source (a sync.remote.RemoteSource) from a
    :class:`SourceContext`; it raises ConfigError for options it cannot use.
    ``section``: the config.toml table of its options ([<name>] unless said otherwise).
    ``legacy``: old flat ``[sync]`` keys still read, old key -> option name; each one
    found gives a one-line deprecation notice naming the new key.
    ``secrets``: option names that are secrets (also read from the secrets file and
    ``ACCUEIL_<SECTION>_<KEY>``).
    """

    name: str
    help: str
    options: type | None
    build: Callable[[SourceContext], Any] | None
    abilities: frozenset[str] = frozenset()
    section: str = ""
    legacy: Mapping[str, str] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.abilities) - SOURCE_ABILITIES
        if unknown:
            raise ValueError(f"source {self.name!r}: unknown abilities {sorted(unknown)}")
        if not self.section:
            object.__setattr__(self, "section", self.name)

    def has(self, ability: str) -> bool:
        return ability in self.abilities


@dataclass(frozen=True)
class SourceContext:
    """What a source's builder gets: its validated options and the kiosk around it.

    ``config``: the whole kiosk.config.Config (kiosk id, language, [sync] timeouts);
    ``options``: an instance of the kind's options dataclass; ``store``: the kiosk's
    LocalStore (the loaded event, the scan log), or None where there is none.
    """

    config: Any
    options: Any
    store: Any = None


@dataclass(frozen=True)
class PrinterKind:
    """A printer: ``build(section, context)`` returns a printers.devices.Printer.

    ``encoder``: the printer language its send() takes ("escpos", "brother_ql", "zpl");
    None when it depends on the options (a preview shows any of them).
    ``options``: the [printer] keys it uses (names of kiosk.config.PrinterSection fields),
    for `accueil` to tell a key that does nothing for this kind.
    """

    name: str
    help: str
    build: Callable[[Any, Any], Any] | None
    encoder: str | None = "escpos"
    abilities: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.abilities) - PRINTER_ABILITIES
        if unknown:
            raise ValueError(f"printer {self.name!r}: unknown abilities {sorted(unknown)}")


_Kind = TypeVar("_Kind", SourceKind, PrinterKind)

_sources: dict[str, SourceKind] = {}
_printers: dict[str, PrinterKind] = {}
_lock = threading.Lock()
_loaded: set[str] = set()


def _register(table: dict[str, _Kind], kind: _Kind, what: str, replace: bool) -> _Kind:
    with _lock:
        if kind.name in table and not replace and table[kind.name] is not kind:
            raise ValueError(f"a {what} named {kind.name!r} is already registered")
        table[kind.name] = kind
    return kind


def register_source(kind: SourceKind, *, replace: bool = False) -> SourceKind:
    """Add a source kind; ValueError when the name is taken (unless ``replace``)."""
    return _register(_sources, kind, "source", replace)


def unregister_source(name: str) -> None:
    with _lock:
        _sources.pop(name, None)


def register_printer(kind: PrinterKind, *, replace: bool = False) -> PrinterKind:
    """Add a printer kind; ValueError when the name is taken (unless ``replace``)."""
    return _register(_printers, kind, "printer", replace)


def unregister_printer(name: str) -> None:
    with _lock:
        _printers.pop(name, None)


def _load(modules: tuple[str, ...], group: str) -> None:
    """Import the modules that register kinds, then the installed packages' entry points
    of ``group`` (each loaded once)."""
    for module in modules:
        if module not in _loaded:
            importlib.import_module(module)
            _loaded.add(module)
    if group in _loaded:
        return
    _loaded.add(group)
    from importlib.metadata import entry_points

    for point in entry_points(group=group):
        try:
            point.load()
        except Exception as exc:  # a broken plug-in names itself, not a traceback
            raise ConfigError(
                f"the {group} plug-in {point.name!r} ({point.value}) cannot be loaded: "
                f"{type(exc).__name__}: {exc}; reinstall or uninstall it"
            ) from exc


def source_kinds() -> dict[str, SourceKind]:
    """Every registered source kind by name (the built-in ones first)."""
    _load(BUILTIN_SOURCE_MODULES, SOURCE_ENTRY_POINTS)
    return dict(_sources)


def printer_kinds() -> dict[str, PrinterKind]:
    """Every registered printer kind by name."""
    _load(BUILTIN_PRINTER_MODULES, PRINTER_ENTRY_POINTS)
    return dict(_printers)


def source_kind(name: str, where: str = "[sync] source") -> SourceKind:
    """The source kind of that name; ConfigError naming ``where`` and the known names."""
    kinds = source_kinds()
    if name not in kinds:
        known = ", ".join(repr(n) for n in kinds)
        raise ConfigError(
            f"{where} = {name!r}: expected one of {known}",
            section=where.partition("]")[0].strip("["),
            key=where.partition("] ")[2] or None,
            expected=f"one of {known}",
        )
    return kinds[name]


def printer_kind(name: str, where: str = "[printer] kind") -> PrinterKind:
    """The printer kind of that name; ConfigError naming ``where`` and the known names."""
    kinds = printer_kinds()
    if name not in kinds:
        known = ", ".join(repr(n) for n in kinds)
        raise ConfigError(
            f"{where} = {name!r}: expected one of {known}",
            section=where.partition("]")[0].strip("["),
            key=where.partition("] ")[2] or None,
            expected=f"one of {known}",
        )
    return kinds[name]


def describe_options(options: type | None) -> list[tuple[str, str, Any, str]]:
    """(name, type, default, help) of each option of a kind, for docs and `--help`."""
    if options is None:
        return []
    found = []
    for f in fields(options):
        if f.default is not MISSING:
            default: Any = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:
            default = None
        found.append((f.name, str(f.type), default, str(f.metadata.get("help", ""))))
    return found
