"""Printer back ends: where the ESC/POS bytes of a badge go, and what the printer says.

Network (TCP 9100), serial and USB printers are python-escpos printers; before each job
the real-time status (DLE EOT) is asked with a short timeout: paper out stops the job
before a byte of it is sent. A printer that does not answer is "unknown", never "fine"
(python-escpos' paper_status() says "paper adequate" when nothing answers). CUPS queues
get the raw bytes through ``lp -o raw``; a file printer writes them to a device node; the
preview printer reads them back (printers.emulator) and writes what would come out as PNG.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kiosk.core.ports import PrinterState
from kiosk.errors import PrinterError as AccueilPrinterError
from printers.encode import PrinterProfile
from printers.escpos_env import escpos_printer, quiet

log = logging.getLogger(__name__)

ASK_PRINTER = b"\x10\x04\x01"  # DLE EOT 1: printer status (offline bit)
ASK_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensors
STATUS_QUERY = ASK_PRINTER + ASK_PAPER


class PrinterError(AccueilPrinterError):
    """The badge did not reach the paper; the job stays queued."""

    state = PrinterState.UNKNOWN


class PrinterOffline(PrinterError):
    state = PrinterState.OFFLINE


class PaperOut(PrinterError):
    state = PrinterState.PAPER_OUT


class SentUnconfirmed(PrinterOffline):
    """The whole badge was handed over, then the connection broke before the printer
    confirmed it: it may be in the tray. Never resent by itself (staff check the tray)."""


@dataclass(frozen=True, slots=True)
class Status:
    state: PrinterState
    detail: str = ""


def parse_status(printer_byte: int | None, paper_byte: int | None) -> Status:
    """Decode DLE EOT 1 and DLE EOT 4 answers (None: no valid answer)."""

    def valid(b: int | None) -> bool:
        return b is not None and (b & 0x93) == 0x12

    if not valid(printer_byte) and not valid(paper_byte):
        return Status(PrinterState.UNKNOWN, "the printer does not answer status requests")
    if valid(paper_byte) and paper_byte is not None:
        if paper_byte & 0x60:
            return Status(PrinterState.PAPER_OUT, "paper out")
        if paper_byte & 0x0C:
            return Status(PrinterState.PAPER_LOW, "paper low")
    if valid(printer_byte) and printer_byte is not None and printer_byte & 0x08:
        return Status(PrinterState.OFFLINE, "printer offline (cover open or error)")
    return Status(PrinterState.OK)


class Printer(Protocol):
    """Anything the print queue can send a badge to.

    ``profile.encoder`` names the printer language send() takes ("escpos", "brother_ql",
    "zpl": printers.badges.ENCODERS); the queue encodes each badge in it.
    """

    name: str
    kind: str
    profile: PrinterProfile

    def send(self, data: bytes, label: str) -> Status:
        """Deliver one job, already in the printer's language; raise PrinterError when it
        did not print."""
        ...

    def probe(self) -> Status:
        """Ask the printer how it is without printing."""
        ...


# -- preview and file ----------------------------------------------------------------------


class PreviewPrinter:
    """Writes each badge as a PNG of what the printer would print (the default).

    Its profile says which printer it stands in for: ESC/POS, or a label printer (the
    QL raster or ZPL read back into the label's image).
    """

    kind = "preview"

    def __init__(self, name: str, profile: PrinterProfile, folder: Path) -> None:
        self.name = name
        self.profile = profile
        self.folder = folder

    def send(self, data: bytes, label: str) -> Status:
        from printers.badges import read_back  # label printers' readers import this module

        pages = read_back(data, self.profile)
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            for i, page in enumerate(pages):
                suffix = f"-{i + 1}" if len(pages) > 1 else ""
                write_private_png(page, self.folder / f"{label}{suffix}.png")
        except OSError as exc:
            raise PrinterOffline(
                f"cannot write previews to {self.folder}: {exc.strerror}"
            ) from None
        return Status(PrinterState.OK)

    def probe(self) -> Status:
        return Status(PrinterState.OK)


def write_private_png(image: Any, path: Path) -> None:
    """Badges carry names: owner-only files, written whole then renamed into place."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        image.save(f, format="PNG")
    os.replace(tmp, path)


class FilePrinter:
    """Raw bytes to a file or device node (/dev/usb/lp0), replaced per badge; no status."""

    kind = "file"

    def __init__(self, name: str, profile: PrinterProfile, path: Path) -> None:
        self.name = name
        self.profile = profile
        self.path = path

    def send(self, data: bytes, label: str) -> Status:
        try:
            dev = escpos_printer("File", devfile=str(self.path), profile=self.profile.name)
            with quiet():
                dev.open()
                dev._raw(data)
                dev.close()
        except Exception as exc:  # escpos wraps OSError in DeviceNotFoundError
            raise PrinterOffline(f"cannot write to {self.path}: {_reason(exc)}") from None
        return Status(PrinterState.UNKNOWN, "a file printer cannot report paper")

    def probe(self) -> Status:
        if self.path.exists() or self.path.parent.is_dir():
            return Status(PrinterState.UNKNOWN, "a file printer cannot report paper")
        return Status(PrinterState.OFFLINE, f"{self.path.parent} does not exist")


# -- the status-confirmed send, shared by every printer that answers -------------------------


def fault(status: Status, where: str, printer: str = "") -> PrinterError:
    """The error for a printer that said it cannot print (paper out, offline)."""
    if status.state is PrinterState.PAPER_OUT:
        return PaperOut(f"{where}: {status.detail}", printer=printer)
    return PrinterOffline(f"{where}: {status.detail}", printer=printer)


class StatusConfirmed:
    """One connection per badge: ask, refuse when it cannot print, hand the job over, and
    take the printer's word that it has all of it. ESC/POS (DLE EOT), Brother QL (status
    frames) and ZPL (~HS) printers differ only in the steps below.

    A printer that does not answer the first status request gets the job unconfirmed
    (its status says "unknown", never "fine"). Once the whole job was handed over, a
    connection lost before the confirmation is SentUnconfirmed: it may be in the tray and
    is never resent by itself. Any other OSError is PrinterOffline (the job is retried).
    """

    name: str

    def describe(self) -> str:
        return self.name

    # the steps
    def _connect(self) -> Any:
        """A connection; raise PrinterOffline when there is none."""
        raise NotImplementedError

    def _close(self, dev: Any) -> None:
        raise NotImplementedError

    def _ask(self, dev: Any) -> Status:
        """The printer's answer to a status request (UNKNOWN when none came)."""
        raise NotImplementedError

    def _hand_over(self, dev: Any, data: bytes, label: str, confirmable: bool) -> None:
        """Give the printer the whole job; PrinterOffline ("lost mid-badge") when it did
        not take all of it. ``confirmable``: the printer answered before the job."""
        raise NotImplementedError

    def _confirmation(self, dev: Any, label: str) -> Status:
        """After the hand-over, the printer's word (OSError: the connection dropped)."""
        return self._ask(dev)

    # the protocol
    def probe(self) -> Status:
        with self._named():
            dev = self._connect()
            try:
                return self._ask(dev)
            except OSError as exc:
                raise PrinterOffline(f"{self.describe()}: {_reason(exc)}") from None
            finally:
                self._close(dev)

    @contextmanager
    def _named(self) -> Iterator[None]:
        """Every PrinterError out of a step names this printer (``printer``)."""
        try:
            yield
        except PrinterError as exc:
            exc.printer = exc.printer or self.name
            raise

    def send(self, data: bytes, label: str) -> Status:
        with self._named():
            return self._send(data, label)

    def _send(self, data: bytes, label: str) -> Status:
        dev = self._connect()
        try:
            before = self._ask(dev)
            if before.state in (PrinterState.PAPER_OUT, PrinterState.OFFLINE):
                raise fault(before, self.describe(), self.name)
            confirmable = before.state is not PrinterState.UNKNOWN
            self._hand_over(dev, data, label, confirmable)
            if not confirmable:
                return before
            try:
                after = self._confirmation(dev, label)
            except OSError as exc:
                # Every byte was handed over; the printer may have printed it all.
                raise SentUnconfirmed(
                    f"{self.describe()}: connection dropped before the badge was confirmed "
                    f"({_reason(exc)})",
                    printer=self.name,
                ) from None
            if after.state is PrinterState.UNKNOWN:
                return Status(PrinterState.UNKNOWN, "badge sent; the printer did not confirm")
            return after
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: {_reason(exc)}", printer=self.name) from None
        finally:
            self._close(dev)


# -- printers that answer: network, serial, USB ---------------------------------------------


class _Talking(StatusConfirmed):
    """ESC/POS through python-escpos: DLE EOT status before and after each badge."""

    kind = ""
    status_timeout = 0.8

    def __init__(self, name: str, profile: PrinterProfile, timeout: float) -> None:
        self.name = name
        self.profile = profile
        self.timeout = timeout

    # subclasses: open an escpos printer, read with a timeout, drop stale input
    def _open(self) -> Any:
        raise NotImplementedError

    def _read_byte(self, dev: Any, timeout: float) -> int | None:
        raise NotImplementedError

    def _drain(self, dev: Any) -> None:
        pass

    def _delivered(self, dev: Any) -> bool | None:
        """After a job: did the printer take every byte? None when this link cannot say."""
        return None

    def _ask(self, dev: Any) -> Status:
        self._drain(dev)
        dev._raw(ASK_PRINTER)
        printer_byte = self._read_byte(dev, self.status_timeout)
        dev._raw(ASK_PAPER)
        paper_byte = self._read_byte(dev, self.status_timeout)
        return parse_status(printer_byte, paper_byte)

    def _connect(self) -> Any:
        try:
            with quiet():
                return self._open()
        except PrinterError:
            raise
        except Exception as exc:
            raise PrinterOffline(f"{self.describe()}: {_reason(exc)}") from None

    def _close(self, dev: Any) -> None:
        _close(dev)

    def _hand_over(self, dev: Any, data: bytes, label: str, confirmable: bool) -> None:
        try:
            dev._raw(data)
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: lost mid-badge ({_reason(exc)})") from None
        try:
            delivered = self._delivered(dev)
        except OSError as exc:
            # Every byte was handed over; the printer may have printed it all.
            raise SentUnconfirmed(
                f"{self.describe()}: connection dropped before the badge was confirmed "
                f"({_reason(exc)})",
                printer=self.name,
            ) from None
        if delivered is False:
            # The printer stopped taking bytes: the end of the badge (its cut) is not
            # there. Drop the rest, so it cannot arrive later behind a resent copy.
            _abort(dev)
            raise PrinterOffline(
                f"{self.describe()}: lost mid-badge (the printer took no more of it "
                f"within {self.timeout:g} s)"
            )


def _abort(dev: Any) -> None:
    """Reset a network connection: bytes still queued in the kernel are never sent."""
    sock = getattr(dev, "device", None)
    if isinstance(sock, socket.socket):
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError as exc:
            log.debug("resetting printer connection: %s", exc)


def _unacknowledged(sock: socket.socket) -> int | None:
    """Bytes sent that the peer has not acknowledged yet (Linux SIOCOUTQ), None elsewhere."""
    try:
        import fcntl
        import termios

        out = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
    except (ImportError, AttributeError, OSError):
        return None
    return int(struct.unpack("i", out)[0])


def _close(dev: Any) -> None:
    try:
        with quiet():
            dev.close()
    except Exception as exc:  # closing a dead connection must not hide the real error
        log.debug("closing printer: %s", exc)


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


class NetworkPrinter(_Talking):
    kind = "network"

    def __init__(
        self, name: str, profile: PrinterProfile, host: str, port: int, timeout: float
    ) -> None:
        super().__init__(name, profile, timeout)
        self.host = host
        self.port = port

    def describe(self) -> str:
        return f"{self.name} ({self.host}:{self.port})"

    def _open(self) -> Any:
        dev = escpos_printer(
            "Network",
            host=self.host,
            port=self.port,
            timeout=self.timeout,
            profile=self.profile.name,
        )
        dev.open()
        return dev

    def _delivered(self, dev: Any) -> bool | None:
        """Wait (at most the timeout) until the printer's TCP stack acknowledged every
        byte: then the whole badge is in the printer. False when the printer stopped
        taking bytes (its window stayed full: the cut is not there, safe to resend);
        OSError when the connection broke with bytes in flight (they may have arrived)."""
        sock: socket.socket = dev.device
        end = time.monotonic() + self.timeout
        while True:
            left = _unacknowledged(sock)
            if left is None:
                return None
            if left == 0:
                return True
            error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:  # a reset: bytes in flight may have arrived without their ACK
                raise ConnectionResetError(error, os.strerror(error))
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)

    def _read_byte(self, dev: Any, timeout: float) -> int | None:
        sock: socket.socket = dev.device
        sock.settimeout(timeout)
        try:
            data = sock.recv(1)
        except TimeoutError:
            return None
        finally:
            sock.settimeout(self.timeout)
        if not data:
            raise ConnectionResetError("the printer closed the connection")
        return data[0]

    def _drain(self, dev: Any) -> None:
        sock: socket.socket = dev.device
        sock.setblocking(False)
        try:
            for _ in range(64):
                if not sock.recv(64):
                    break
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.setblocking(True)
            sock.settimeout(self.timeout)


class SerialPrinter(_Talking):
    kind = "serial"

    def __init__(
        self, name: str, profile: PrinterProfile, device: str, baudrate: int, timeout: float
    ) -> None:
        super().__init__(name, profile, timeout)
        self.device = device
        self.baudrate = baudrate

    def describe(self) -> str:
        return f"{self.name} ({self.device} at {self.baudrate} baud)"

    def _open(self) -> Any:
        dev = escpos_printer(
            "Serial",
            devfile=self.device,
            baudrate=self.baudrate,
            timeout=self.timeout,
            profile=self.profile.name,
        )
        dev.open()
        return dev

    def _read_byte(self, dev: Any, timeout: float) -> int | None:
        port = dev.device
        port.timeout = timeout
        try:
            data = port.read(1)
        finally:
            port.timeout = self.timeout
        return data[0] if data else None

    def _drain(self, dev: Any) -> None:
        dev.device.reset_input_buffer()


class UsbPrinter(_Talking):
    kind = "usb"

    def __init__(
        self, name: str, profile: PrinterProfile, vendor: int, product: int, timeout: float
    ) -> None:
        super().__init__(name, profile, timeout)
        self.vendor = vendor
        self.product = product

    def describe(self) -> str:
        return f"{self.name} (USB {self.vendor:04x}:{self.product:04x})"

    def _open(self) -> Any:
        dev = escpos_printer(
            "Usb",
            idVendor=self.vendor,
            idProduct=self.product,
            timeout=int(self.timeout * 1000),
            profile=self.profile.name,
        )
        dev.open()
        return dev

    def _read_byte(self, dev: Any, timeout: float) -> int | None:
        try:
            data = dev.device.read(dev.in_ep, 16, int(timeout * 1000))
        except Exception:  # pyusb raises USBTimeoutError (an OSError subclass) or USBError
            return None
        return data[-1] if len(data) else None


# -- CUPS ----------------------------------------------------------------------------------


class CupsPrinter:
    """A CUPS queue fed raw ESC/POS through the lp command (no pycups build needed)."""

    kind = "cups"

    def __init__(self, name: str, profile: PrinterProfile, queue: str, timeout: float) -> None:
        self.name = name
        self.profile = profile
        self.queue = queue
        self.timeout = timeout

    def _run(
        self, args: list[str], data: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        if shutil.which(args[0]) is None:
            raise PrinterOffline(f"{args[0]} not found: install the CUPS client (cups-client)")
        try:
            return subprocess.run(
                args, input=data, capture_output=True, timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PrinterOffline(f"{args[0]} did not answer within {self.timeout:g} s") from None

    def send(self, data: bytes, label: str) -> Status:
        args = ["lp", "-o", "raw", "-t", f"badge {label}"]
        if self.queue:
            args[1:1] = ["-d", self.queue]
        done = self._run(args, data)
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip() or f"lp exit {done.returncode}"
            raise PrinterOffline(f"CUPS {self.queue or '(default)'}: {reason}")
        return self.probe()

    def probe(self) -> Status:
        args = ["lpstat", "-p", self.queue] if self.queue else ["lpstat", "-d"]
        done = self._run(args)
        text = done.stdout.decode(errors="replace")
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip()
            return Status(PrinterState.OFFLINE, detail or "CUPS queue unknown")
        if "disabled" in text:
            return Status(PrinterState.OFFLINE, text.strip())
        return Status(PrinterState.UNKNOWN, "CUPS accepts jobs; paper state unknown")
