"""The built-in printers, declared in the registry (kiosk.registry), and the badge encoders.

A printer kind is the value of ``[printer] kind``; its builder turns the [printer] table
into a printers.devices.Printer (raising ConfigError for keys it cannot use) and it names
the printer language its send() takes. The back ends are imported only when a printer is
built, so reading config.toml loads no printer library. A new printer is one module that
registers its kind here (kiosk.registry.register_printer) and its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import PrinterSection
from kiosk.errors import ConfigError
from kiosk.registry import PrinterKind, register_printer

Resolve = Callable[[str], Path]


@dataclass(frozen=True)
class PrinterContext:
    """What a printer builder gets besides its table: paths and where it is configured."""

    resolve: Resolve  # a path from the config, relative to config.toml's folder
    data_dir: Path
    where: str  # "printer" or "printer.extra.NAME", for messages


def _escpos_profile(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.encode import ProfileError, load_profile

    label_keys = {"label_model": section.label_model, "label_size": section.label_size}
    for key, value in [*label_keys.items(), ("dpi", section.dpi or "")]:
        if value:
            raise ConfigError(
                f"[{ctx.where}] {key} = {value!r} is for label printers: expected kind = "
                f"'brother_ql' or 'zpl' (or kind = 'preview' with preview_as), not "
                f"kind = {section.kind!r}",
                section=ctx.where,
                key=key,
                expected="kind = 'brother_ql' or 'zpl'",
            )

    try:
        return load_profile(section.profile, section.width_dots)
    except ProfileError as exc:
        raise ConfigError(f"[{ctx.where}] {exc}", section=ctx.where, key="profile") from None


def _label_profile(section: PrinterSection, language: str, ctx: PrinterContext) -> Any:
    from printers.encode import ProfileError
    from printers.labels import label_profile

    try:
        return label_profile(language, section.label_model, section.label_size, section.dpi)
    except ProfileError as exc:
        raise ConfigError(f"[{ctx.where}] {exc}", section=ctx.where) from None


def _missing(ctx: PrinterContext, key: str, message: str) -> ConfigError:
    return ConfigError(f"[{ctx.where}] {message}", section=ctx.where, key=key, expected=message)


def build_preview(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.devices import PreviewPrinter

    if section.preview_as == "escpos":
        profile = _escpos_profile(section, ctx)
    else:
        profile = _label_profile(section, section.preview_as, ctx)
    return PreviewPrinter(section.name, profile, ctx.data_dir / section.preview_dir)


def build_network(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.devices import NetworkPrinter

    profile = _escpos_profile(section, ctx)
    return NetworkPrinter(
        section.name, profile, section.host, section.port, section.timeout_seconds
    )


def build_serial(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.devices import SerialPrinter

    profile = _escpos_profile(section, ctx)
    if not section.device:
        raise _missing(ctx, "device", "kind = 'serial' needs device (e.g. /dev/ttyUSB0)")
    return SerialPrinter(
        section.name, profile, section.device, section.baudrate, section.timeout_seconds
    )


def build_usb(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.devices import UsbPrinter

    profile = _escpos_profile(section, ctx)
    if not (section.usb_vendor_id and section.usb_product_id):
        raise _missing(
            ctx,
            "usb_vendor_id" if not section.usb_vendor_id else "usb_product_id",
            "kind = 'usb' needs usb_vendor_id and usb_product_id "
            "(`lsusb` shows them, e.g. 0x04b8 and 0x0202 for an Epson TM-T88)",
        )
    return UsbPrinter(
        section.name,
        profile,
        section.usb_vendor_id,
        section.usb_product_id,
        section.timeout_seconds,
    )


def build_cups(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.devices import CupsPrinter

    profile = _escpos_profile(section, ctx)
    return CupsPrinter(section.name, profile, section.cups_name, section.timeout_seconds)


def build_file(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.devices import FilePrinter

    profile = _escpos_profile(section, ctx)
    target = section.file or section.device
    if not target:
        raise _missing(ctx, "file", "kind = 'file' needs file (e.g. /dev/usb/lp0)")
    return FilePrinter(section.name, profile, ctx.resolve(target))


def _label_target(section: PrinterSection, ctx: PrinterContext) -> str:
    target = section.file or section.device
    if section.connection == "file" and not target:
        raise _missing(
            ctx,
            "file",
            "connection = 'file' needs file (e.g. /dev/usb/lp0) for a label printer",
        )
    return target


def build_brother_ql(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.labels import BROTHER_QL
    from printers.ql import BrotherQLPrinter, file_target, usb_target

    profile = _label_profile(section, BROTHER_QL, ctx)
    target = _label_target(section, ctx)
    connection = section.connection
    if connection == "network":
        address = f"{section.host}:{section.port}"
    elif connection == "usb":
        if not section.usb_product_id:
            raise _missing(
                ctx,
                "usb_product_id",
                "connection = 'usb' needs usb_product_id (`lsusb` shows it: "
                "0x209d for a QL-820NWB; usb_vendor_id defaults to Brother's 0x04f9)",
            )
        address = usb_target(section.usb_vendor_id or 0x04F9, section.usb_product_id)
    else:
        address = file_target(ctx.resolve(target))
    return BrotherQLPrinter(section.name, profile, connection, address, section.timeout_seconds)


def build_zpl(section: PrinterSection, ctx: PrinterContext) -> Any:
    from printers.labels import ZPL
    from printers.zpl import ZplFilePrinter, ZplNetworkPrinter

    profile = _label_profile(section, ZPL, ctx)
    target = _label_target(section, ctx)
    if section.connection == "network":
        return ZplNetworkPrinter(
            section.name, profile, section.host, section.port, section.timeout_seconds
        )
    if section.connection == "usb":
        raise _missing(
            ctx,
            "connection",
            "kind = 'zpl' on USB: use connection = 'file' with the printer's device "
            "node (file = '/dev/usb/lp0'), or kind = 'cups' with a raw queue",
        )
    return ZplFilePrinter(section.name, profile, ctx.resolve(target))


_ESCPOS = frozenset(("profile", "width_dots", "method", "timeout_seconds", "status_seconds"))
_LABEL = frozenset(("label_model", "label_size", "dpi", "connection", "method", "timeout_seconds"))

NONE = register_printer(
    PrinterKind("none", "no printer: badges are not printed", build=None, encoder=None)
)
PREVIEW = register_printer(
    PrinterKind(
        "preview",
        "PNG files of what would print (preview_as: escpos, brother_ql or zpl)",
        build=build_preview,
        encoder=None,  # what preview_as says
        abilities=frozenset(("raster", "cut")),
        options=_ESCPOS | _LABEL | {"preview_dir", "preview_as"},
    )
)
NETWORK = register_printer(
    PrinterKind(
        "network",
        "an ESC/POS printer on TCP port 9100, status asked before and after each badge",
        build=build_network,
        abilities=frozenset(("status", "cut", "raster")),
        options=_ESCPOS | {"host", "port"},
    )
)
SERIAL = register_printer(
    PrinterKind(
        "serial",
        "an ESC/POS printer on a serial port, status asked before and after each badge",
        build=build_serial,
        abilities=frozenset(("status", "cut", "raster")),
        options=_ESCPOS | {"device", "baudrate"},
    )
)
USB = register_printer(
    PrinterKind(
        "usb",
        "an ESC/POS printer on USB (pyusb), status asked before and after each badge",
        build=build_usb,
        abilities=frozenset(("status", "cut", "raster")),
        options=_ESCPOS | {"usb_vendor_id", "usb_product_id"},
    )
)
CUPS = register_printer(
    PrinterKind(
        "cups",
        "a raw CUPS queue (lp -o raw): ESC/POS bytes, no status",
        build=build_cups,
        abilities=frozenset(("cut", "raster")),
        options=_ESCPOS | {"cups_name"},
    )
)
FILE = register_printer(
    PrinterKind(
        "file",
        "ESC/POS bytes written to a device node (/dev/usb/lp0) or a file, no status",
        build=build_file,
        abilities=frozenset(("cut", "raster")),
        options=_ESCPOS | {"file", "device"},
    )
)
BROTHER_QL_PRINTER = register_printer(
    PrinterKind(
        "brother_ql",
        "a Brother QL label printer (raster only) on TCP, USB or a device file",
        build=build_brother_ql,
        encoder="brother_ql",
        abilities=frozenset(("status", "cut", "raster")),
        options=_LABEL | {"host", "port", "usb_vendor_id", "usb_product_id", "file", "device"},
    )
)
ZPL_PRINTER = register_printer(
    PrinterKind(
        "zpl",
        "a Zebra label printer speaking ZPL II on TCP (~HS status) or a device file",
        build=build_zpl,
        encoder="zpl",
        abilities=frozenset(("status", "cut", "raster")),
        options=_LABEL | {"host", "port", "file", "device"},
    )
)
