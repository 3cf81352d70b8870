"""A network receipt printer on loopback (TCP, port 9100 protocol) that can fail on demand.

It answers the real-time status requests (DLE EOT 1 and 4) like an Epson printer, reads
each job back through printers.emulator to count the badges that came out, and can be
switched offline (the listener closes, like a printer switched off) or out of paper. Like a
real one, it keeps what arrives while the paper is out in its receive buffer and prints it
once paper is loaded.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from printers.emulator import read_pages

STATUS_OK = 0x12
PAPER_OUT = 0x12 | 0x60
MAX_JOB_BYTES = 4 * 1024 * 1024


class SimulatedPrinter:
    def __init__(self, width: int) -> None:
        self.width = width
        self.port = 0
        self.pages: list[object] = []
        self.jobs = 0
        self.errors: list[str] = []
        self.paper = True
        self._buffered: list[bytes] = []
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.online()

    def online(self) -> None:
        """Listen (again) on the same port."""
        if self._listener is not None:
            return
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, args=(self._listener,), daemon=True)
        self._thread.start()

    def offline(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            self._stop.set()
            listener.close()
            if self._thread is not None:
                self._thread.join(timeout=5)

    def paper_out(self) -> None:
        self.paper = False

    def paper_loaded(self) -> None:
        self.paper = True
        with self._lock:
            waiting, self._buffered = self._buffered, []
        for job in waiting:
            self._print(job)

    @property
    def printed(self) -> int:
        with self._lock:
            return len(self.pages)

    def close(self) -> None:
        self.offline()

    def _serve(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._job, args=(conn,), daemon=True).start()

    def _job(self, conn: socket.socket) -> None:
        data = bytearray()
        conn.settimeout(2.0)
        try:
            while len(data) < MAX_JOB_BYTES:
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    break
                if not chunk:
                    break
                data += chunk
                while True:  # real-time status requests are answered at once, wherever they are
                    i = data.find(b"\x10\x04")
                    if i < 0 or len(data) < i + 3:
                        break
                    n = data[i + 2]
                    answer = PAPER_OUT if (n == 4 and not self.paper) else STATUS_OK
                    with contextlib.suppress(OSError):
                        conn.sendall(bytes([answer]))
                    del data[i : i + 3]
        except OSError:
            pass
        finally:
            conn.close()
        if not data.strip(b"\x00"):
            return
        if not self.paper:
            with self._lock:
                self._buffered.append(bytes(data))
            return
        self._print(bytes(data))

    def _print(self, data: bytes) -> None:
        try:
            pages = read_pages(data, self.width)
        except Exception as exc:  # a job the printer cannot parse is a finding, not a crash
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return
        with self._lock:
            self.jobs += 1
            self.pages.extend(pages)
