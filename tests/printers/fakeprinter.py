"""A network receipt printer on loopback: a real TCP listener that records what it receives.

It answers real-time status requests (DLE EOT 1 and 4) like an Epson printer, and can be
told to run out of paper (before a job, or part-way through one), to stop answering, to reset the connection in the middle of a
job, or to go away entirely (the port closed). Every wait is bounded.
"""

from __future__ import annotations

import socket
import struct
import threading
import time

OK = 0x12  # DLE EOT answers: fixed bits only, nothing wrong
PAPER_LOW = 0x1E
PAPER_OUT = 0x72
OFFLINE = 0x1A
CUT = b"\x1dV\x00"


class FakePrinter:
    def __init__(self, port: int = 0, *, small_window: bool = False) -> None:
        self.small_window = small_window
        self.paper = OK
        self.printer = OK
        self.answer = True
        self.reset_after: int | None = None  # bytes of a job after which the connection is reset
        # bytes of a connection after which the roll runs out; the printer keeps the rest of
        # the job in its buffer, as ESC/POS printers do, and says "paper out" from then on
        self.paper_out_after: int | None = None
        # bytes of a connection after which it stops reading (a printer that hangs mid-job):
        # the sender blocks with the rest of the badge; the connection stays open
        self.stall_after: int | None = None
        # reset the connection once a whole badge (its cut) has arrived, before answering the
        # status request that follows it: a printer that power-cycles right after a job
        self.reset_after_cut = False
        self.connections: list[bytes] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.port = port
        self.open()

    # -- lifecycle --------------------------------------------------------------------

    def open(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.small_window:  # a stalled job then blocks its sender, as on a real printer
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
        """Stop listening: connections are refused until open() again."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    # -- what it received ---------------------------------------------------------------

    def jobs(self) -> list[bytes]:
        """Connections whose bytes include a paper cut: badges that came out whole."""
        with self._lock:
            return [c for c in self.connections if CUT in c]

    def wait_for_jobs(self, count: int, seconds: float = 10.0) -> list[bytes]:
        end = time.monotonic() + seconds
        while time.monotonic() < end and len(self.jobs()) < count:
            time.sleep(0.02)
        return self.jobs()

    # -- serving ----------------------------------------------------------------------

    def _serve(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        received = bytearray()
        with self._lock:
            self.connections.append(b"")
            index = len(self.connections) - 1
        deadline = time.monotonic() + 30
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            start = len(received)
            received += chunk
            if self.stall_after is not None and len(received) >= self.stall_after:
                self._record(index, received)
                while not self._stop.is_set() and self.stall_after is not None:
                    time.sleep(0.02)  # hold the connection without reading it
                return
            if self.reset_after is not None and len(received) > self.reset_after:
                del received[self.reset_after :]
                self._record(index, received)
                # SO_LINGER 0: close() sends RST, like a printer that power-cycles mid-job
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if self.reset_after_cut and CUT in received:
                self.reset_after_cut = False
                self._record(index, received)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            self._record(index, received)
            if self.paper_out_after is not None and len(received) > self.paper_out_after:
                self.paper, self.paper_out_after = PAPER_OUT, None
            self._answer(conn, received, max(0, start - 2))

    def _record(self, index: int, received: bytearray) -> None:
        with self._lock:
            self.connections[index] = bytes(received)

    def _answer(self, conn: socket.socket, data: bytearray, since: int) -> None:
        if not self.answer:
            return
        i = data.find(b"\x10\x04", since)
        while i != -1 and i + 2 < len(data):
            n = data[i + 2]
            reply = {1: self.printer, 4: self.paper}.get(n)
            if reply is not None:
                try:
                    conn.sendall(bytes([reply]))
                except OSError:
                    return
            i = data.find(b"\x10\x04", i + 3)
