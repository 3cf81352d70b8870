"""Printers are plug-ins: a kind registered in a test is configured, built and printed to
through the real queue, encoder and read-back, with no change to the factory or config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import main
from kiosk.config import ConfigError, PrinterSection, load_config
from kiosk.core.ports import PrinterState
from kiosk.registry import PrinterKind, printer_kind, register_printer, unregister_printer
from printers.badges import read_back
from printers.devices import Status
from printers.encode import load_profile
from printers.registry import PrinterContext
from tests.conftest import demo_config
from tests.printers.conftest import decode_qr
from tests.reports.simulation import load_demo


class CapturePrinter:
    """Keeps every job it is sent: a printer that cannot exist here, kept honest by
    reading its bytes back with the ESC/POS emulator."""

    kind = "capture"

    def __init__(self, name: str, width: int) -> None:
        self.name = name
        self.profile = load_profile("TM-T88V", width)
        self.jobs: list[bytes] = []

    def send(self, data: bytes, label: str) -> Status:
        self.jobs.append(data)
        return Status(PrinterState.OK)

    def probe(self) -> Status:
        return Status(PrinterState.OK)


def build_capture(section: PrinterSection, ctx: PrinterContext) -> CapturePrinter:
    return CapturePrinter(section.name, section.width_dots or 576)


CAPTURE = PrinterKind(
    "capture",
    "keeps the jobs in memory, for this test",
    build=build_capture,
    encoder="escpos",
    abilities=frozenset(("cut", "raster")),
    options=frozenset(("width_dots",)),
)


@pytest.fixture
def capture() -> Iterator[PrinterKind]:
    register_printer(CAPTURE)
    yield CAPTURE
    unregister_printer("capture")


def test_a_printer_registered_in_a_test_prints_a_badge_through_the_queue(capture, tmp_path):
    config = demo_config(tmp_path, "k1", "Entrance 1", '[printer]\nkind = "capture"\n')
    assert main.main(["--config", str(config), "setup"]) == 0
    rt = main.Runtime(load_config(config))
    try:
        queue = rt.print_queue
        printer = queue.printer()
        assert isinstance(printer, CapturePrinter)
        reg = load_demo()[2][0]
        result = rt.checkin.check(reg.codes[0])
        assert result.scan.accepted and result.print_job is not None
        assert queue.process_one()
        [job] = printer.jobs
        [page] = read_back(job, printer.profile)
        assert reg.codes[0] in decode_qr(page)
    finally:
        rt.close()


def test_an_unknown_printer_kind_names_the_registered_ones(capture, tmp_path):
    config = demo_config(tmp_path, extra='[printer]\nkind = "captur"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert (caught.value.section, caught.value.key) == ("printer", "kind")
    assert all(repr(k) in str(caught.value) for k in ("preview", "zpl", "brother_ql", "capture"))
    config = demo_config(tmp_path, extra='[printer.extra.desk]\nkind = "nope"\n')
    with pytest.raises(ConfigError, match=r"\[printer.extra.desk\] kind = 'nope'"):
        load_config(config)


def test_each_built_in_printer_says_its_language_and_abilities():
    assert printer_kind("network").encoder == "escpos"
    assert printer_kind("brother_ql").encoder == "brother_ql"
    assert printer_kind("zpl").encoder == "zpl"
    assert printer_kind("preview").encoder is None  # what preview_as says
    assert "status" in printer_kind("usb").abilities
    assert "status" not in printer_kind("file").abilities
    assert printer_kind("none").build is None
    with pytest.raises(ValueError, match="already registered"):
        register_printer(PrinterKind("zpl", "another", build=None))


def test_the_job_is_encoded_in_the_printers_language(tmp_path: Path):
    from printers.factory import build_printer

    def build(**keys: object) -> object:
        return build_printer(PrinterSection(**keys), lambda p: tmp_path / p, tmp_path, "printer")

    assert build(kind="zpl", connection="file", file="z.zpl").profile.encoder == "zpl"
    assert build(kind="brother_ql", connection="file", file="q.bin").profile.encoder == (
        "brother_ql"
    )
    assert build(kind="file", file="lp0").profile.encoder == "escpos"
    assert build(kind="preview", preview_as="zpl").profile.encoder == "zpl"
