"""Label printers on loopback: a Brother QL and a Zebra that parse what they receive.

The QL side follows the raster command reference: it reads instructions one by one
(invalidate, ESC @, ESC i S, mode and media commands, raster rows ``g``, print ``0x1A``),
answers ``ESC i S`` with the 32-byte status and, after a print command, sends "printing
completed" (or "error occurred" when it has no labels). The Zebra side answers ``~HS``
with the three host status strings and counts a label at each ``^XZ``. Either can run out
of labels, have its cover open, hold the wrong labels (QL) or be off (port closed).
Every wait is bounded.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time

FIXED = {0x00: 0, 0x1B: 0}
# ESC i <c>: parameter bytes after the three-byte opcode (raster command reference)
ESC_I_ARGS = {b"a": 1, b"!": 1, b"z": 10, b"M": 1, b"A": 1, b"K": 1, b"d": 2, b"S": 0}


class LabelPrinterSim:
    def __init__(self, language: str, media: tuple[int, int] = (62, 100)) -> None:
        self.language = language  # "ql" or "zpl"
        self.media = media  # QL: loaded labels (width, length) in mm; length 0: continuous
        self.no_media = False
        self.cover_open = False
        self.answer = True
        self.notify = True  # QL: send "printing completed" by itself after each label
        # reset the connection (RST) once it has received this many bytes, mid-job
        self.reset_after: int | None = None
        # reset the connection right after taking this many whole labels, before answering
        # anything more (a print server that reads the job, then drops the connection)
        self.reset_after_labels: int | None = None
        self.formats: dict[str, bytes] = {}  # Zebra: formats stored with ^DF, by name
        self.noise = b""  # QL: bytes sent before each status answer (a line with garbage)
        self.phases = False  # QL: "phase change" messages around printing, as a QL-820NWB
        self.dots_per_mm = 8  # Zebra: its head (8: 203 dpi, 12: 300 dpi), told by ~HI
        self.model_code = 0x41  # QL: status byte 4, the model (0x41: QL-820NWB)
        self.half = False  # QL: send only the first half of each status answer
        self.printed: list[bytes] = []  # one entry per label that came out whole
        self.status_requests = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.open()

    # -- lifecycle --------------------------------------------------------------------

    def open(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # a printer's small receive buffer: the kernel does not acknowledge a whole badge
        # the printer has not read yet
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(4)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Switched off: connections are refused until open() again."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def labels(self) -> list[bytes]:
        with self._lock:
            return list(self.printed)

    def wait_for_labels(self, count: int, seconds: float = 20.0) -> list[bytes]:
        end = time.monotonic() + seconds
        while time.monotonic() < end and len(self.labels()) < count:
            time.sleep(0.02)
        return self.labels()

    # -- serving ----------------------------------------------------------------------

    def _serve(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        buffer = b""
        job = b""
        received = 0
        end = time.monotonic() + 60
        with conn:
            while not self._stop.is_set() and time.monotonic() < end:
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                received += len(chunk)
                if self.reset_after is not None and received >= self.reset_after:
                    self.reset_after = None
                    _reset(conn)
                    return  # the unfinished job is lost with the connection, never printed
                buffer += chunk
                before = len(self.labels())
                if self.language == "ql":
                    buffer, job = self._ql(conn, buffer, job)
                else:
                    buffer = self._zpl(conn, buffer)
                if self.reset_after_labels and len(self.labels()) > before:
                    self.reset_after_labels -= 1
                    _reset(conn)
                    return

    # -- Brother QL -------------------------------------------------------------------

    def ql_status(self, kind: int) -> bytes:
        out = bytearray(32)
        out[0:8] = b"\x80\x20\x42\x34\x41\x30\x30\x00"
        out[4] = self.model_code
        if self.no_media:
            out[8] |= 0x01  # no media when printing
        if self.cover_open:
            out[9] |= 0x10  # cover opened
        width, length = (0, 0) if self.no_media else self.media
        out[10] = width
        out[11] = 0 if self.no_media else (0x0B if length else 0x0A)
        out[17] = length
        out[18] = kind
        return bytes(out[:16] if self.half else out)

    def _ql(self, conn: socket.socket, buffer: bytes, job: bytes) -> tuple[bytes, bytes]:
        for _ in range(len(buffer) + 1):  # each turn consumes one instruction
            if not buffer:
                break
            size = _ql_instruction(buffer)
            if size is None:
                break  # incomplete: wait for more bytes
            instruction, buffer = buffer[:size], buffer[size:]
            if instruction == b"\x1biS":
                self.status_requests += 1
                if self.answer:
                    conn.sendall(self.noise + self.ql_status(0x00))
                continue
            job += instruction
            if instruction == b"\x1a":
                fault = self.no_media or self.cover_open
                if self.answer and self.phases and not fault:
                    conn.sendall(self.ql_status(0x06))  # phase change: printing
                if self.answer and self.notify:
                    conn.sendall(self.noise + self.ql_status(0x02 if fault else 0x01))
                if self.answer and self.phases and not fault:
                    conn.sendall(self.ql_status(0x06))  # phase change: receiving
                if not fault:
                    with self._lock:
                        self.printed.append(job)
                job = b""
        return buffer, job

    # -- Zebra ------------------------------------------------------------------------

    def host_status(self) -> bytes:
        paper = "1" if self.no_media else "0"
        head = "1" if self.cover_open else "0"
        first = f"\x02030,{paper},0,1218,000,0,0,0,000,0,0,0\x03\r\n"
        second = f"\x02001,0,{head},0,0,2,6,0,00000000,1,000\x03\r\n"
        third = "\x021234,0\x03\r\n"
        return (first + second + third).encode("ascii")

    def _zpl(self, conn: socket.socket, buffer: bytes) -> bytes:
        for _ in range(len(buffer) + 1):
            hs = buffer.find(b"~HS")
            hi = buffer.find(b"~HI")
            xa = buffer.find(b"^XA")
            if hi >= 0 and all(x < 0 or hi < x for x in (hs, xa)):
                buffer = buffer[hi + 3 :]
                if self.answer:
                    dpi = {8: 203, 12: 300, 24: 600}.get(self.dots_per_mm, 0)
                    ident = f"ZD421-{dpi}dpi,V84.20.18Z,{self.dots_per_mm},8176KB"
                    conn.sendall(f"\x02{ident}\x03\r\n".encode("ascii"))
                continue
            if hs >= 0 and (xa < 0 or hs < xa):
                buffer = buffer[hs + 3 :]
                self.status_requests += 1
                if self.answer:
                    conn.sendall(self.host_status())
                continue
            if xa >= 0:
                xz = buffer.find(b"^XZ", xa)
                if xz < 0:
                    break
                label, buffer = buffer[xa : xz + 3], buffer[xz + 3 :]
                stored = _DF.search(label)
                if stored:  # ^DF: keep the format under its name, print nothing
                    self.formats[stored.group(1).decode()] = _DF.sub(b"", label, count=1)
                    continue
                deleted = _ID.findall(label)
                for name in deleted:  # ^ID: delete a stored format, print nothing
                    self.formats.pop(name.decode(), None)
                if deleted:
                    continue
                recall = _XF.search(label)
                if recall:  # ^XF: print the stored format (nothing if there is none)
                    label = self.formats.get(recall.group(1).decode(), b"")
                if label and not (self.no_media or self.cover_open):
                    with self._lock:
                        self.printed.append(label)
                continue
            break
        return buffer


_DF = re.compile(rb"\^DFR:([A-Z0-9_]{1,16})\.ZPL\^FS")
_XF = re.compile(rb"\^XFR:([A-Z0-9_]{1,16})\.ZPL\^FS")
_ID = re.compile(rb"\^IDR:([A-Z0-9_]{1,16})\.ZPL\^FS")


def _reset(conn: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the peer's next read or write fails."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _ql_instruction(data: bytes) -> int | None:
    """Length of the instruction at the start of data; None if it is not all there yet."""
    first = data[0]
    if first == 0x00:
        n = len(data) - len(data.lstrip(b"\x00"))
        return n
    if first in (0x0C, 0x1A):
        return 1
    if first == 0x4D:  # M: compression mode
        return 2 if len(data) >= 2 else None
    if first == 0x5A:  # Z: blank raster row
        return 1
    if first in (0x67, 0x77):  # g / w: raster row, 0x00 then n and n bytes
        if len(data) < 3:
            return None
        size = 3 + data[2]
        return size if len(data) >= size else None
    if data[:2] == b"\x1b@":
        return 2
    if data[:2] == b"\x1bi":
        if len(data) < 3:
            return None
        args = ESC_I_ARGS.get(data[2:3])
        if args is None:
            raise ValueError(f"unknown ESC i {data[2:3]!r}")
        return 3 + args if len(data) >= 3 + args else None
    raise ValueError(f"unknown QL instruction {data[:4].hex()}")
