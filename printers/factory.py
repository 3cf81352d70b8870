"""Build printers, the badge maker and the print queue from config.toml's [printer] and [badge]."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.config import BadgeSection, ConfigError, PrinterSection
from kiosk.core.model import Event, Lang, Role
from kiosk.core.ports import Clock, PrintQueueStore
from printers.badges import BadgeMaker
from printers.devices import (
    CupsPrinter,
    FilePrinter,
    NetworkPrinter,
    PreviewPrinter,
    Printer,
    SerialPrinter,
    UsbPrinter,
)
from printers.encode import ProfileError, load_profile
from printers.escpos_env import import_escpos
from printers.labels import BROTHER_QL, LABEL_KINDS, label_profile
from printers.layout import BadgeOptions, Template, merge
from printers.ql import BrotherQLPrinter, file_target, usb_target
from printers.queue import PrintQueue
from printers.zpl import ZplFilePrinter, ZplNetworkPrinter

Resolve = Callable[[str], Path]


def build_printer(section: PrinterSection, resolve: Resolve, data_dir: Path, where: str) -> Printer:
    """One printer from a [printer] (or [printer.extra.NAME]) table; ConfigError if unusable."""
    import_escpos(data_dir / "cache" / "escpos")
    _check_ranges(section, where)
    if section.kind in LABEL_KINDS or (
        section.kind == "preview" and section.preview_as != "escpos"
    ):
        return _label_printer(section, resolve, data_dir, where)
    label_keys = {"label_model": section.label_model, "label_size": section.label_size}
    for key, value in [*label_keys.items(), ("dpi", section.dpi or "")]:
        if value:
            raise ConfigError(
                f"[{where}] {key} = {value!r} is for label printers: expected kind = "
                f"'brother_ql' or 'zpl' (or kind = 'preview' with preview_as), not "
                f"kind = {section.kind!r}"
            )
    try:
        profile = load_profile(section.profile, section.width_dots)
    except ProfileError as exc:
        raise ConfigError(f"[{where}] {exc}") from None
    name, timeout = section.name, section.timeout_seconds
    kind = section.kind
    if kind == "preview":
        return PreviewPrinter(name, profile, data_dir / section.preview_dir)
    if kind == "network":
        return NetworkPrinter(name, profile, section.host, section.port, timeout)
    if kind == "serial":
        if not section.device:
            raise ConfigError(f"[{where}] kind = 'serial' needs device (e.g. /dev/ttyUSB0)")
        return SerialPrinter(name, profile, section.device, section.baudrate, timeout)
    if kind == "usb":
        if not (section.usb_vendor_id and section.usb_product_id):
            raise ConfigError(
                f"[{where}] kind = 'usb' needs usb_vendor_id and usb_product_id "
                "(`lsusb` shows them, e.g. 0x04b8 and 0x0202 for an Epson TM-T88)"
            )
        return UsbPrinter(name, profile, section.usb_vendor_id, section.usb_product_id, timeout)
    if kind == "cups":
        return CupsPrinter(name, profile, section.cups_name, timeout)
    if kind == "file":
        target = section.file or section.device
        if not target:
            raise ConfigError(f"[{where}] kind = 'file' needs file (e.g. /dev/usb/lp0)")
        return FilePrinter(name, profile, resolve(target))
    raise ConfigError(f"[{where}] kind = {kind!r}: no printer to build")


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


def _label_printer(
    section: PrinterSection, resolve: Resolve, data_dir: Path, where: str
) -> Printer:
    language = section.kind if section.kind in LABEL_KINDS else section.preview_as
    try:
        profile = label_profile(language, section.label_model, section.label_size, section.dpi)
    except ProfileError as exc:
        raise ConfigError(f"[{where}] {exc}") from None
    name, timeout, connection = section.name, section.timeout_seconds, section.connection
    if section.kind == "preview":
        return PreviewPrinter(name, profile, data_dir / section.preview_dir)
    target = section.file or section.device
    if connection == "file" and not target:
        raise ConfigError(
            f"[{where}] connection = 'file' needs file (e.g. /dev/usb/lp0) for a label printer"
        )
    if section.kind == BROTHER_QL:
        if connection == "network":
            address = f"{section.host}:{section.port}"
        elif connection == "usb":
            if not section.usb_product_id:
                raise ConfigError(
                    f"[{where}] connection = 'usb' needs usb_product_id (`lsusb` shows it: "
                    "0x209d for a QL-820NWB; usb_vendor_id defaults to Brother's 0x04f9)"
                )
            address = usb_target(section.usb_vendor_id or 0x04F9, section.usb_product_id)
        else:
            address = file_target(resolve(target))
        return BrotherQLPrinter(name, profile, connection, address, timeout)
    if connection == "network":
        return ZplNetworkPrinter(name, profile, section.host, section.port, timeout)
    if connection == "usb":
        raise ConfigError(
            f"[{where}] kind = 'zpl' on USB: use connection = 'file' with the printer's device "
            "node (file = '/dev/usb/lp0'), or kind = 'cups' with a raw queue"
        )
    return ZplFilePrinter(name, profile, resolve(target))


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
