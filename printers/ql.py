"""Brother QL label printers: raster jobs through brother_ql, status from the printer.

The job is made by brother_ql's ``convert`` (the raster command reference of the QL
series: invalidate, initialise, media and quality, auto cut, margins, packbits rows,
print) from the badge drawn for the label. Status is the printer's 32-byte answer to
``ESC i S`` (read with ``brother_ql.reader.interpret_response``), mapped onto the print
queue's states as ESC/POS status is:

* no media, end of media, replace media → paper out ("no labels");
* cover open, cutter jam, any other error → offline, with the printer's words;
* labels of another size than [printer] label_size → offline ("wrong labels loaded"),
  checked before a byte of the badge is sent.

After a job a QL printer sends "printing completed" or "error occurred" by itself; the
queue counts the badge printed on the first, keeps it on the second. A printer silent for
quiet_seconds after the job is asked once more; its answer confirms the job. Back ends: TCP
(port 9100; Brother's network firmware may not answer status, then the state is
"unknown", never "fine"), USB (pyusb) and a device file (``/dev/usb/lp0``), the last two
through brother_ql's own back ends.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import time
from pathlib import Path
from typing import Any

from PIL import Image

from kiosk.core.ports import PrinterState
from printers.devices import (
    PrinterError,
    PrinterOffline,
    Status,
    StatusConfirmed,
    _reason,
    fault,
)
from printers.label_net import close_gently
from printers.labels import LabelProfile, same_head

log = logging.getLogger(__name__)

STATUS_LENGTH = 32
STATUS_HEADER = b"\x80\x20\x42"
NO_MEDIA_ERRORS = (
    "No media when printing",
    "End of media (die-cut size only)",
    "Replace media error",
    "Media cannot be fed (also when the media end is detected)",
)
TCP_INFO_SIZE = 232
BYTES_ACKED_AT = 120  # struct tcp_info: tcpi_bytes_acked (u64), Linux include/uapi/linux/tcp.h
COVER_ERROR = "Cover opened while printing (Except QL-500)"


def ql_raster(image: Image.Image, profile: LabelProfile) -> bytes:
    """The QL raster job of one badge image (exactly the label's printable dots)."""
    from brother_ql.conversion import convert
    from brother_ql.models import ModelsManager
    from brother_ql.raster import BrotherQLRaster

    qlr = BrotherQLRaster(profile.model)
    qlr.exception_on_warning = True
    model = ModelsManager()[profile.model]
    data = convert(
        qlr,
        [image.convert("L")],
        profile.label,
        cut=profile.cut,
        compress=model.compression,
        rotate=0,
        dither=False,
    )
    return bytes(data)


def status_request(profile: LabelProfile) -> bytes:
    """Invalidate, initialise, ESC i S: what the raster reference sends to ask status."""
    from brother_ql.raster import BrotherQLRaster

    qlr = BrotherQLRaster(profile.model)
    qlr.add_invalidate()
    qlr.add_initialize()
    qlr.add_status_information()
    return bytes(qlr.data)


def take_frame(buffer: bytes) -> tuple[bytes, bytes]:
    """(the first whole 32-byte status frame in buffer, what is kept for later).

    A frame starts with STATUS_HEADER. Bytes before it are noise; a header with another
    one less than 32 bytes after it was cut off and is dropped. Without a whole frame yet,
    the frame's beginning (or the last bytes that could begin a header) is kept.
    """
    start = buffer.find(STATUS_HEADER)
    for _ in range(len(buffer)):
        if start < 0:
            break
        later = buffer.find(STATUS_HEADER, start + 1, start + STATUS_LENGTH)
        if later < 0:
            break
        start = later
    if start < 0:
        return b"", buffer[-(len(STATUS_HEADER) - 1) :]
    if len(buffer) - start < STATUS_LENGTH:
        return b"", buffer[start:]
    return buffer[start : start + STATUS_LENGTH], buffer[start + STATUS_LENGTH :]


def parse_ql_status(answer: bytes, profile: LabelProfile) -> tuple[Status, str]:
    """(state, status type) from a 32-byte answer; UNKNOWN when it is not one."""
    from brother_ql.reader import interpret_response

    frame, _ = take_frame(answer)
    if not frame:
        return Status(PrinterState.UNKNOWN, "the printer does not answer status requests"), ""
    logging.getLogger("brother_ql.reader").disabled = True  # it logs every error bit
    info = interpret_response(frame)
    errors: list[str] = list(info["errors"])
    kind = str(info["status_type"])
    if any(e in NO_MEDIA_ERRORS for e in errors) or info["media_type"] == "No media":
        return Status(PrinterState.PAPER_OUT, "no labels: load a roll of labels"), kind
    if COVER_ERROR in errors:
        return Status(PrinterState.OFFLINE, "cover open: close the printer's cover"), kind
    if errors:
        return Status(PrinterState.OFFLINE, "; ".join(errors)), kind
    reported = str(info.get("model_name", "")).split("/")  # "QL-500/QL-550": either
    if reported[0].startswith("QL-") and not any(
        same_head(name, profile.model) for name in reported
    ):
        return (
            Status(
                PrinterState.OFFLINE,
                f"this printer is a {'/'.join(reported)}, but label_model = "
                f"{profile.model!r} has another print head: set label_model = "
                f"{reported[0]!r}",
            ),
            kind,
        )
    loaded = (int(info["media_width"]), int(info["media_length"]))
    if loaded != profile.tape_mm:
        return (
            Status(
                PrinterState.OFFLINE,
                f"wrong labels loaded ({_media(loaded)}); this printer is set for "
                f"{_media(profile.tape_mm)} (label_size = {profile.label!r}): load those labels",
            ),
            kind,
        )
    return Status(PrinterState.OK), kind


def _media(size: tuple[int, int]) -> str:
    width, length = size
    return f"{width} × {length} mm die-cut" if length else f"{width} mm continuous"


class BrotherQLPrinter(StatusConfirmed):
    """A Brother QL printer on TCP, USB or a device file.

    connection: "network" (host, port), "usb" (vendor and product id) or "file" (path).
    """

    kind = "brother_ql"
    status_timeout = 1.0
    _rx = b""
    print_seconds = 15.0  # how long to wait for "printing completed" after a badge
    quiet_seconds = 3.0  # no word at all after a badge for this long: ask instead

    def __init__(
        self,
        name: str,
        profile: LabelProfile,
        connection: str,
        target: str,
        timeout: float,
    ) -> None:
        self.name = name
        self.profile = profile
        self.connection = connection
        self.target = target  # host:port, usb://0x04f9:0x209d or a path
        self.timeout = timeout

    def describe(self) -> str:
        return f"{self.name} ({self.target})"

    # -- transports: write bytes, read up to n bytes within a time ----------------------

    def _open(self) -> Any:
        self._rx = b""  # bytes read but not yet part of a whole status frame
        try:
            if self.connection == "network":
                host, _, port = self.target.rpartition(":")
                return socket.create_connection((host, int(port)), timeout=self.timeout)
            from brother_ql.backends import backend_factory

            backend = "pyusb" if self.connection == "usb" else "linux_kernel"
            return backend_factory(backend)["backend_class"](self.target)
        except PrinterError:
            raise
        except Exception as exc:  # pyusb, OSError, ValueError from the back ends
            raise PrinterOffline(f"{self.describe()}: {_reason(exc)}") from None

    def _write(self, dev: Any, data: bytes) -> None:
        if isinstance(dev, socket.socket):
            dev.sendall(data)
        else:
            dev.write(data)

    def _read(self, dev: Any, seconds: float) -> bytes:
        """The next status frame the printer sends within `seconds`; b"" if none came whole.

        Bytes that are not part of a frame (noise, an answer cut off) are dropped, so one
        stray byte cannot shift every later answer; what follows a frame waits for the next
        call.
        """
        end = time.monotonic() + seconds
        for _ in range(10_000):  # bounded as well by the time
            frame, self._rx = take_frame(self._rx)
            left = end - time.monotonic()
            if frame or left <= 0:
                return frame
            if isinstance(dev, socket.socket):
                dev.settimeout(max(0.01, left))
                try:
                    chunk = dev.recv(256)
                except TimeoutError:
                    chunk = b""
                    end = 0.0
                finally:
                    dev.settimeout(self.timeout)
                if not chunk and end:
                    raise ConnectionResetError("the printer closed the connection")
            else:
                chunk = dev.read(STATUS_LENGTH)
                if not chunk:
                    time.sleep(0.02)
            self._rx += bytes(chunk or b"")
        return b""

    def _close(self, dev: Any) -> None:
        try:
            if isinstance(dev, socket.socket):
                close_gently(dev)
            else:
                dev.dispose()
        except Exception as exc:  # closing a dead connection must not hide the real error
            log.debug("closing printer: %s", exc)

    def _ask(self, dev: Any) -> Status:
        if self.connection == "file":
            return Status(PrinterState.UNKNOWN, "a device file may not report status")
        self._write(dev, status_request(self.profile))
        return self._reply(dev)

    def _reply(self, dev: Any) -> Status:
        """The answer to a status request; a late message sent before it is passed over."""
        end = time.monotonic() + self.status_timeout
        status, _ = parse_ql_status(b"", self.profile)
        for _ in range(16):
            frame = self._read(dev, max(0.0, end - time.monotonic()))
            if not frame:
                break
            status, kind = parse_ql_status(frame, self.profile)
            if kind == "Reply to status request":
                break
        return status

    # -- the steps of the status-confirmed send (printers.devices.StatusConfirmed) -------

    def _connect(self) -> Any:
        return self._open()

    def _hand_over(self, dev: Any, data: bytes, label: str, confirmable: bool) -> None:
        try:
            self._write(dev, data)
            if confirmable:
                self._wait_received(dev, len(status_request(self.profile)) + len(data))
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: lost mid-badge ({_reason(exc)})") from None

    def _confirmation(self, dev: Any, label: str) -> Status:
        try:
            return self._outcome(dev)
        except OSError as exc:
            # The printer took the whole job, ending with its print command: one (or a
            # print server) that drops the connection now has most likely printed it,
            # as a silent one has. Sending it again would give that person two badges.
            return Status(
                PrinterState.OFFLINE,
                f"connection lost just after badge {label} was sent ({_reason(exc)}); "
                "it has most likely printed: check the tray, reprint it from the desk "
                "if it is missing",
            )

    def _wait_received(self, dev: Any, sent: int) -> None:
        """Wait until the printer has acknowledged all `sent` bytes (TCP on Linux only).

        sendall() returns once the job is in this machine's send queue; the printer may
        still drop the connection before it has all of it (nothing prints then, and the
        job is sent again). TCP_INFO's bytes_acked (Linux 4.1+) counts what it took, and
        keeps counting right even when the connection was reset just after.
        """
        if not isinstance(dev, socket.socket) or not hasattr(socket, "TCP_INFO"):
            return
        end = time.monotonic() + self.print_seconds
        while True:
            info = dev.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, TCP_INFO_SIZE)
            if len(info) < BYTES_ACKED_AT + 8:
                return  # an older kernel: no count to wait for
            (acked,) = struct.unpack_from("Q", info, BYTES_ACKED_AT)
            if acked > sent or time.monotonic() >= end:  # the count includes the SYN
                return
            error = dev.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:  # reset before the printer had the whole job
                raise ConnectionResetError(error, os.strerror(error))
            time.sleep(0.01)

    def _outcome(self, dev: Any) -> Status:
        """Wait for the printer's own "printing completed" or "error occurred".

        A printer that answers status requests but sends no notifications (silent for
        quiet_seconds) is asked once more: its answer, sent after it read the whole job,
        is the confirmation, as for ESC/POS.
        """
        end = time.monotonic() + self.print_seconds
        heard = False
        while time.monotonic() < end:
            wait = min(1.0, end - time.monotonic())
            answer = self._read(dev, wait if heard else min(wait, self.quiet_seconds))
            if not answer:
                if heard:
                    continue
                return self._confirm(dev)
            status, kind = parse_ql_status(answer, self.profile)
            if kind == "Printing completed":
                return status
            # brother_ql's job starts with ESC i S: its reply is no sign of notifications
            heard = heard or kind != "Reply to status request"
            if kind == "Error occurred" or status.state in (
                PrinterState.PAPER_OUT,
                PrinterState.OFFLINE,
            ):
                raise fault(status, self.describe(), self.name)
        return Status(PrinterState.UNKNOWN, "badge sent; the printer did not confirm")

    def _confirm(self, dev: Any) -> Status:
        self._write(dev, status_request(self.profile))
        status = self._reply(dev)
        if status.state is PrinterState.UNKNOWN:
            return Status(PrinterState.UNKNOWN, "badge sent; the printer did not confirm")
        return status


def usb_target(vendor: int, product: int) -> str:
    return f"usb://0x{vendor:04x}:0x{product:04x}"


def file_target(path: Path) -> str:
    return f"file://{path}"
