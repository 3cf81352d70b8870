"""Build printers, the badge maker and the print queue from config.toml's [printer] and [badge]."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.config import BadgeSection, ConfigError, PrinterSection
from kiosk.core.model import Event, Lang, Role
from kiosk.core.ports import Clock, PrintQueueStore
from kiosk.registry import printer_kind
from printers.badges import BadgeMaker
from printers.devices import Printer
from printers.escpos_env import import_escpos
from printers.labels import LABEL_KINDS
from printers.layout import BadgeOptions, Template, merge
from printers.queue import PrintQueue
from printers.registry import PrinterContext

Resolve = Callable[[str], Path]


def build_printer(section: PrinterSection, resolve: Resolve, data_dir: Path, where: str) -> Printer:
    """One printer from a [printer] (or [printer.extra.NAME]) table; ConfigError if unusable.

    The kind is looked up in the registry (kiosk.registry; built-in kinds in
    printers.registry), whose builder checks the keys that kind needs.
    """
    import_escpos(data_dir / "cache" / "escpos")
    _check_ranges(section, where)
    kind = printer_kind(section.kind, f"[{where}] kind")
    if kind.build is None:
        raise ConfigError(f"[{where}] kind = {section.kind!r}: no printer to build")
    printer: Printer = kind.build(section, PrinterContext(resolve, data_dir, where))
    return printer


def _check_ranges(section: PrinterSection, where: str) -> None:
    """Numbers a socket or the queue would only refuse later, at the first badge."""
    if not 1 <= section.port <= 65535:
        raise ConfigError(f"[{where}] port = {section.port}: expected a TCP port, 1 to 65535")
    if not section.timeout_seconds > 0:
        raise ConfigError(
            f"[{where}] timeout_seconds = {section.timeout_seconds}: expected more than 0 "
            "(seconds to connect and write)"
        )
    if section.status_seconds < 0:
        raise ConfigError(
            f"[{where}] status_seconds = {section.status_seconds}: expected 0 (never) or more"
        )
    if (
        section.kind in LABEL_KINDS
        and section.connection == "network"
        and section.host.count(":") == 1
    ):
        raise ConfigError(
            f"[{where}] host = {section.host!r}: expected the host name or address alone; "
            "the port goes in port"
        )


def build_printers(section: PrinterSection, resolve: Resolve, data_dir: Path) -> list[Printer]:
    """The main printer first, then the extra ones staff can move jobs to."""
    printers = [build_printer(section, resolve, data_dir, "printer")]
    for name, extra in section.extra.items():
        extra.name = name
        if extra.kind != "none":
            printers.append(build_printer(extra, resolve, data_dir, f"printer.extra.{name}"))
    return printers


def badge_options(badge: BadgeSection, resolve: Resolve, default_language: str) -> BadgeOptions:
    """[badge] and its [badge.roles.<role>] tables as rendering options."""
    default = Template(
        logo=str(resolve(badge.logo)) if badge.logo else "",
        show_organisation=badge.show_organisation,
        show_days=badge.show_days,
        show_qr=badge.show_qr,
        name_max_dots=badge.name_max_dots,
    )
    roles = {}
    for role, t in badge.roles.items():
        roles[Role(role)] = merge(
            default,
            label=t.label or None,
            band=t.band or None,
            logo=str(resolve(t.logo)) if t.logo else None,
            show_organisation=t.show_organisation,
            show_days=t.show_days,
            show_qr=t.show_qr,
            name_max_dots=t.name_max_dots or None,
        )
    return BadgeOptions(
        event_name=badge.event_name,
        language=Lang(badge.language or default_language),
        default=default,
        roles=roles,
    )


def build_queue(
    store: PrintQueueStore,
    printer: PrinterSection,
    badge: BadgeSection,
    event: Event | None,
    clock: Clock,
    resolve: Resolve,
    data_dir: Path,
    default_language: str,
) -> PrintQueue:
    """The print queue (not started) with every configured printer."""
    maker = BadgeMaker(event, badge_options(badge, resolve, default_language), printer.method)
    return PrintQueue(
        store,
        build_printers(printer, resolve, data_dir),
        maker,
        clock,
        probe_seconds=printer.status_seconds,
        desk=printer.desk,
    )
