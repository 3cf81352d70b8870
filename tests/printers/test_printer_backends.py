"""Back ends: a network printer that is a TCP listener on loopback, files, CUPS' lp, previews."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.core.ports import PrinterState
from printers.devices import (
    ASK_PAPER,
    ASK_PRINTER,
    CupsPrinter,
    FilePrinter,
    NetworkPrinter,
    PaperOut,
    PreviewPrinter,
    PrinterOffline,
    parse_status,
)
from printers.emulator import read_pages
from printers.encode import encode_badge, load_profile
from printers.layout import BadgeOptions, badge_content
from tests.conftest import EVENT
from tests.printers import fakeprinter
from tests.printers.conftest import ARABIC, LATIN, decode_qr
from tests.printers.fakeprinter import FakePrinter

QUERY = ASK_PRINTER + ASK_PAPER


@pytest.fixture
def profile():
    return load_profile("TM-T88V")


@pytest.fixture
def job(profile) -> bytes:
    return encode_badge(badge_content(ARABIC, EVENT, BadgeOptions()), profile).data


def _network(fake: FakePrinter, profile, timeout: float = 2.0) -> NetworkPrinter:
    return NetworkPrinter("main", profile, "127.0.0.1", fake.port, timeout)


def test_network_printer_receives_exactly_the_badge_bytes(fake_printer, profile, job) -> None:
    status = _network(fake_printer, profile).send(job, "000001-S0011")
    assert status.state is PrinterState.OK
    received = fake_printer.wait_for_jobs(1)
    assert received == [QUERY + job + QUERY]
    page = read_pages(received[0][len(QUERY) : -len(QUERY)], profile.width)[0]
    assert decode_qr(page.image) == [ARABIC.codes[0]]


def test_paper_out_stops_the_job_before_any_badge_byte(fake_printer, profile, job) -> None:
    fake_printer.paper = fakeprinter.PAPER_OUT
    with pytest.raises(PaperOut):
        _network(fake_printer, profile).send(job, "x")
    assert fake_printer.jobs() == []
    assert all(c == QUERY for c in fake_printer.connections)


def test_paper_out_during_the_badge_counts_as_sent_and_says_paper_out(
    fake_printer, profile, job
) -> None:
    # The printer holds the rest of the badge and prints it after a roll is loaded.
    fake_printer.paper_out_after = len(QUERY) + len(job) // 2
    status = _network(fake_printer, profile).send(job, "x")
    assert status.state is PrinterState.PAPER_OUT
    assert fake_printer.wait_for_jobs(1) == [QUERY + job + QUERY]


def test_paper_low_prints_and_says_so(fake_printer, profile, job) -> None:
    fake_printer.paper = fakeprinter.PAPER_LOW
    assert _network(fake_printer, profile).send(job, "x").state is PrinterState.PAPER_LOW
    assert len(fake_printer.wait_for_jobs(1)) == 1


def test_offline_printer_is_not_sent_the_badge(fake_printer, profile, job) -> None:
    fake_printer.printer = fakeprinter.OFFLINE
    with pytest.raises(PrinterOffline, match="offline"):
        _network(fake_printer, profile).send(job, "x")
    assert fake_printer.jobs() == []


def test_closed_listener_is_offline_with_the_address(fake_printer, profile, job) -> None:
    fake_printer.close()
    with pytest.raises(PrinterOffline, match=f"127.0.0.1:{fake_printer.port}"):
        _network(fake_printer, profile).send(job, "x")
    with pytest.raises(PrinterOffline):
        _network(fake_printer, profile).probe()


def test_connection_reset_mid_job_is_a_failure(fake_printer, profile, job) -> None:
    fake_printer.reset_after = len(QUERY) + len(job) // 2
    with pytest.raises(PrinterOffline):
        _network(fake_printer, profile).send(job, "x")
    assert fake_printer.jobs() == []  # half a badge, no cut


def test_silent_printer_is_unknown_not_fine(fake_printer, profile, job) -> None:
    # python-escpos' paper_status() says "paper adequate" here; we say we do not know.
    fake_printer.answer = False
    printer = _network(fake_printer, profile)
    printer.status_timeout = 0.1
    assert printer.probe().state is PrinterState.UNKNOWN
    assert printer.send(job, "x").state is PrinterState.UNKNOWN
    assert fake_printer.wait_for_jobs(1)[0] == QUERY + job


def test_status_bytes_are_decoded() -> None:
    assert parse_status(0x12, 0x12).state is PrinterState.OK
    assert parse_status(0x12, 0x1E).state is PrinterState.PAPER_LOW
    assert parse_status(0x12, 0x72).state is PrinterState.PAPER_OUT
    assert parse_status(0x1A, 0x12).state is PrinterState.OFFLINE
    assert parse_status(None, None).state is PrinterState.UNKNOWN
    assert parse_status(0xFF, 0x00).state is PrinterState.UNKNOWN  # not a status byte


def test_preview_printer_writes_private_pngs_of_what_would_print(tmp_path, profile, job) -> None:
    printer = PreviewPrinter("main", profile, tmp_path / "badges")
    assert printer.send(job, "000007-S0011").state is PrinterState.OK
    png = tmp_path / "badges" / "000007-S0011.png"
    assert stat.S_IMODE(png.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "badges").stat().st_mode) == 0o700
    from PIL import Image

    with Image.open(png) as img:
        assert img.width == profile.width
        assert decode_qr(img) == [ARABIC.codes[0]]


def test_file_printer_writes_the_raw_bytes(tmp_path, profile, job) -> None:
    target = tmp_path / "lp0"
    FilePrinter("main", profile, target).send(job, "x")
    assert target.read_bytes() == job
    with pytest.raises(PrinterOffline, match="cannot write"):
        FilePrinter("main", profile, tmp_path / "missing" / "lp0").send(job, "x")


@pytest.fixture
def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """lp and lpstat stand-ins on PATH: CUPS itself cannot run in a test."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    spool = tmp_path / "spool"
    spool.mkdir()
    (bindir / "lp").write_text(
        "#!/bin/sh\n"
        'if [ "$2" = "broken" ]; then echo "lp: The printer or class does not exist." >&2; exit 1; fi\n'
        f'cat > "{spool}/job-$$"\necho "request id is badges-1 (1 file(s))"\n'
    )
    (bindir / "lpstat").write_text('#!/bin/sh\necho "printer $2 is idle.  enabled since now"\n')
    for f in bindir.iterdir():
        f.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return spool


def test_cups_printer_pipes_raw_bytes_to_lp(fake_lp: Path, profile) -> None:
    job = encode_badge(badge_content(LATIN, EVENT, BadgeOptions()), profile).data
    status = CupsPrinter("main", profile, "badges", 5).send(job, "000001-S0002")
    assert status.state is PrinterState.UNKNOWN
    assert [p.read_bytes() for p in fake_lp.iterdir()] == [job]
    with pytest.raises(PrinterOffline, match="does not exist"):
        CupsPrinter("main", profile, "broken", 5).send(job, "x")


def test_cups_without_lp_says_what_to_install(monkeypatch, tmp_path, profile) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterOffline, match="cups-client"):
        CupsPrinter("main", profile, "badges", 5).send(b"x", "x")
