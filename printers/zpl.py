"""Zebra printers speaking ZPL II: badge labels, and the printer's ~HS host status.

A badge is one label format (``^XA`` … ``^XZ``). Two methods, as for ESC/POS:

* ``raster``: the whole badge drawn by Pillow (any script) in one graphic field,
  ``^GFA`` with Z64 data: zlib-deflated rows, base64, and a CRC-16/XMODEM of the base64
  text, as the ZPL II programming guide describes for ``^GF``/``~DG``;
* ``text``: the printer's scalable font 0 (``^A0``) in centred field blocks (``^FB``),
  boxes as ``^GB`` and the QR code as ``^BQ`` (model 2, error correction M), for badges
  whose text is Latin-1; a logo still goes as a graphic field.

Field data is UTF-8 (``^CI28``) with ``^FH``: the characters ZPL reads as commands (``^``,
``~``) and the escape character itself are sent as ``_5E``, ``_7E`` and ``_5F``, so no name
can end a field or start a command.

``~HS`` answers three strings between STX and ETX; the fields used here are, in the first,
paper out (2nd field) and pause (3rd); in the second, head up (3rd field) and ribbon out
(4th). A printer that does not answer is "unknown", never "fine".
"""

from __future__ import annotations

import base64
import binascii
import socket
import zlib
from itertools import pairwise
from pathlib import Path
from typing import Any

from PIL import Image

from kiosk.core.ports import PrinterState
from printers.devices import (
    PrinterOffline,
    Status,
    StatusConfirmed,
    _reason,
    fault,
)
from printers.label_layout import Field, LabelBadge
from printers.label_net import close_gently
from printers.labels import LabelProfile

HOST_STATUS = b"~HS"
STX, ETX = 0x02, 0x03


def graphic_field(image: Image.Image) -> str:
    """^GFA,total,total,row,:Z64:data:crc for a 1-bit image (black dots print)."""
    mono = image.convert("1")
    row = (mono.width + 7) // 8
    if mono.width % 8:  # Pillow pads rows with 0 bits, which would print after inverting
        padded = Image.new("1", (row * 8, mono.height), 1)
        padded.paste(mono, (0, 0))
        mono = padded
    # Pillow's "1" bytes have set bits for white; ZPL sets bits for dots that print.
    raw = bytes(b ^ 0xFF for b in mono.tobytes())
    total = row * mono.height
    text = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    crc = binascii.crc_hqx(text.encode("ascii"), 0)
    return f"^GFA,{total},{total},{row},:Z64:{text}:{crc:04X}"


def field_data(text: str) -> str:
    """^FH^FD…: the text with ZPL's command characters hex-escaped (see the module doc)."""
    out = []
    for ch in text:
        if ch in "^~_":
            out.append(f"_{ord(ch):02X}")
        elif ord(ch) < 0x20:
            out.append(" ")
        else:
            out.append(ch)
    return "^FH_^FD" + "".join(out)


def _start(profile: LabelProfile, length: int) -> list[str]:
    head = ["^XA", "^CI28", f"^PW{profile.width}", f"^LL{length}", "^LH0,0", "^PON"]
    if profile.continuous:
        head.append("^MNN")  # continuous media: no gap sensing, the label is ^LL long
    return head


def zpl_raster(image: Image.Image, profile: LabelProfile) -> bytes:
    """One label: the badge image as a single graphic field at the top left."""
    if image.width > profile.width:
        raise ValueError(f"badge image is {image.width} dots wide; the label has {profile.width}")
    parts = [*_start(profile, image.height), "^FO0,0", graphic_field(image), "^FS", "^PQ1", "^XZ"]
    return ("\n".join(parts) + "\n").encode("ascii")


def zpl_text(badge: LabelBadge, profile: LabelProfile) -> bytes:
    """One label drawn by the printer: font 0 text, ^GB boxes, ^BQ QR code."""
    length = badge.image.height
    parts = _start(profile, length)
    if badge.logo_height:
        parts += [
            "^FO0,0",
            graphic_field(badge.image.crop((0, 0, profile.width, badge.logo_height))),
            "^FS",
        ]
    for f in badge.fields:
        parts += _field(f)
    parts += ["^PQ1", "^XZ"]
    return ("\n".join(parts) + "\n").encode("utf-8")


QR_BAR_HEIGHT = 10  # ^BY height set before each ^BQ (ZPL's power-up default)


def qr_offset() -> int:
    """^BQ draws its symbol the ^BY bar height below ^FO, as Zebra printers (and
    Labelary-compatible renderers) do; the badge sets ^BY so the offset is known."""
    return QR_BAR_HEIGHT


def _field(f: Field) -> list[str]:
    if f.kind == "box":
        return [f"^FO{f.x},{f.y}^GB{f.width},{f.height},{min(f.thickness, f.height)},B,0^FS"]
    if f.kind == "qr":
        # ^BQN,2,m,M: model 2, m dots a module, level M; data "MA,": level M, automatic input
        return [
            f"^BY2,3,{QR_BAR_HEIGHT}^FO{f.x},{f.y - qr_offset()}^BQN,2,{f.size},M"
            + "^FDMA,"
            + _qr_data(f.data)
            + "^FS"
        ]
    font = f"^A0N,{f.size},{f.size}"
    reverse = "^FR" if f.reverse else ""
    spacing = f.height // max(1, len(f.lines))
    out = []
    for i, line in enumerate(f.lines):
        y = f.y + i * spacing
        out.append(f"^FO{f.x},{y}{reverse}{font}^FB{f.width},1,0,C,0{field_data(line)}^FS")
    return out


def _qr_data(data: str) -> str:
    if any(ch in "^~" for ch in data):
        raise ValueError("a ^BQ field cannot hold ^ or ~; the badge is drawn instead")
    return data


# -- host status ------------------------------------------------------------------------


def parse_host_status(answer: bytes) -> Status:
    """Decode a ~HS answer (three STX…ETX strings); UNKNOWN when it is not one."""
    strings = []
    for chunk in answer.split(bytes([STX]))[1:]:
        end = chunk.find(bytes([ETX]))
        if end >= 0:
            strings.append(chunk[:end].decode("ascii", "replace"))
    if len(strings) < 2:
        return Status(PrinterState.UNKNOWN, "the printer does not answer ~HS")
    # The last first-and-second pair is the freshest answer: a string left over from an
    # answer that came late, or one cut off, may come before it (the third has 2 fields).
    pairs = [
        (a.split(","), b.split(","))
        for a, b in pairwise(strings)
        if a.count(",") >= 2 and b.count(",") >= 3
    ]
    if not pairs:
        return Status(PrinterState.UNKNOWN, f"unexpected ~HS answer {strings[0]!r}")
    first, second = pairs[-1]
    paper_out = first[1].strip() == "1"
    paused = first[2].strip() == "1"
    head_up = second[2].strip() == "1"
    ribbon_out = second[3].strip() == "1"
    if paper_out:
        return Status(PrinterState.PAPER_OUT, "no labels: load a roll of labels")
    if head_up:
        return Status(PrinterState.OFFLINE, "print head open: close the printer's cover")
    if ribbon_out:
        return Status(PrinterState.OFFLINE, "ribbon out: load a ribbon")
    if paused:
        return Status(PrinterState.OFFLINE, "printer paused: press its pause button")
    return Status(PrinterState.OK)


HOST_IDENTIFICATION = b"~HI"
DPI_OF_DOTS_PER_MM = {6: 152, 8: 203, 12: 300, 24: 600}


def head_dpi(answer: bytes) -> int | None:
    """The print head's dpi from a ~HI answer (model,version,dots per mm,memory,…).

    None when the answer is missing or not in that form.
    """
    start, end = answer.find(bytes([STX])), answer.find(bytes([ETX]))
    if start < 0 or end < start:
        return None
    fields = answer[start + 1 : end].decode("ascii", "replace").split(",")
    if len(fields) < 3 or not fields[2].strip().isdigit():
        return None
    return DPI_OF_DOTS_PER_MM.get(int(fields[2]))


class ZplNetworkPrinter(StatusConfirmed):
    """A Zebra printer on TCP (port 9100): ~HS before and after each label."""

    kind = "zpl"
    status_timeout = 1.0
    _head_checked = False

    def __init__(
        self, name: str, profile: LabelProfile, host: str, port: int, timeout: float
    ) -> None:
        self.name = name
        self.profile = profile
        self.host = host
        self.port = port
        self.timeout = timeout

    def describe(self) -> str:
        return f"{self.name} ({self.host}:{self.port})"

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: {_reason(exc)}") from None

    def _ask(self, sock: socket.socket) -> Status:
        sock.sendall(HOST_STATUS)
        sock.settimeout(self.status_timeout)
        answer = b""
        try:
            for _ in range(16):  # three strings, perhaps in several segments
                chunk = sock.recv(256)
                if not chunk:
                    raise ConnectionResetError("the printer closed the connection")
                answer += chunk
                if answer.count(bytes([ETX])) >= 3:
                    break
        except TimeoutError:
            pass
        finally:
            sock.settimeout(self.timeout)
        return parse_host_status(answer)

    def _check_head(self, sock: socket.socket) -> None:
        """Refuse to print at another dpi than the head's (asked once, with ~HI)."""
        if self._head_checked:
            return
        sock.sendall(HOST_IDENTIFICATION)
        sock.settimeout(self.status_timeout)
        answer = b""
        try:
            for _ in range(16):
                chunk = sock.recv(256)
                if not chunk:
                    raise ConnectionResetError("the printer closed the connection")
                answer += chunk
                if bytes([ETX]) in answer:
                    break
        except TimeoutError:
            pass
        finally:
            sock.settimeout(self.timeout)
        dpi = head_dpi(answer)
        if dpi is not None and dpi != self.profile.dpi:
            raise PrinterOffline(
                f"{self.describe()}: the printer's head has {dpi} dpi but [printer] says "
                f"dpi = {self.profile.dpi}; badges would print at the wrong size: set "
                f"dpi = {dpi}"
            )
        self._head_checked = True  # matching, or a printer that does not tell

    def probe(self) -> Status:
        """The ~HS status; a printer that answers is also asked its head's dpi (~HI)."""
        with self._named():
            return self._probe()

    def _probe(self) -> Status:
        sock = self._connect()
        try:
            status = self._ask(sock)
            if status.state is not PrinterState.UNKNOWN:
                self._check_head(sock)
            return status
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: {_reason(exc)}") from None
        finally:
            close_gently(sock)

    def _close(self, dev: Any) -> None:
        close_gently(dev)

    def _hand_over(self, dev: Any, data: bytes, label: str, confirmable: bool) -> None:
        """Store the label, confirm, then print it: a dropped connection never prints twice.

        A printer that answers ~HS gets the badge as a stored format (``^DF``, which prints
        nothing) and is asked ~HS: its answer proves the whole format arrived. Only then a
        few bytes recall it (``^XF``) and delete it (``^ID``). A connection lost before the
        recall is retried whole (nothing printed); lost after it, the job is uncertain
        (SentUnconfirmed, from the confirmation step): staff check the tray, it is never
        printed again by itself. A printer that does not answer gets the label as it is.
        """
        if not confirmable:  # no answers: nothing to confirm with
            self._send_part(dev, data)
            return
        self._check_head(dev)
        name = stored_name(label)
        self._send_part(dev, store_format(data, name))
        stored = self._ask(dev)
        if stored.state in (PrinterState.PAPER_OUT, PrinterState.OFFLINE):
            raise fault(stored, self.describe(), self.name)
        if stored.state is PrinterState.UNKNOWN:
            raise PrinterOffline(f"{self.describe()}: the printer stopped answering ~HS")
        self._send_part(dev, recall_format(name))

    def _send_part(self, sock: socket.socket, data: bytes) -> None:
        try:
            sock.sendall(data)
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: lost mid-badge ({_reason(exc)})") from None


def stored_name(label: str) -> str:
    """A ^DF object name (1-16 letters or digits) from the queue's job label."""
    return "".join(ch for ch in label.upper() if ch.isascii() and ch.isalnum())[-16:] or "BADGE"


def store_format(data: bytes, name: str) -> bytes:
    """The label format, stored in the printer's RAM as R:name.ZPL instead of printed."""
    start = data.find(b"^XA")
    if start < 0:
        raise ValueError("not a ZPL label format (no ^XA)")
    head = data[: start + 3]
    return head + f"^DFR:{name}.ZPL^FS".encode("ascii") + data[start + 3 :]


def recall_format(name: str) -> bytes:
    """Print the stored format once, then delete it (printer RAM is small)."""
    return f"^XA^CI28^XFR:{name}.ZPL^FS^XZ\n^XA^IDR:{name}.ZPL^FS^XZ\n".encode("ascii")


class ZplFilePrinter:
    """ZPL to a device node (/dev/usb/lp0) or a file, replaced per badge; no status."""

    kind = "zpl"

    def __init__(self, name: str, profile: LabelProfile, path: Path) -> None:
        self.name = name
        self.profile = profile
        self.path = path

    def send(self, data: bytes, label: str) -> Status:
        try:
            with open(self.path, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise PrinterOffline(f"cannot write to {self.path}: {_reason(exc)}") from None
        return Status(PrinterState.UNKNOWN, "a ZPL file printer cannot report labels")

    def probe(self) -> Status:
        if self.path.exists() or self.path.parent.is_dir():
            return Status(PrinterState.UNKNOWN, "a ZPL file printer cannot report labels")
        return Status(PrinterState.OFFLINE, f"{self.path.parent} does not exist")
